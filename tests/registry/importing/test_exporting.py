"""The fast export: the same cells as the resources' widgets, in a constant number of queries,
streamed to files that import back unchanged."""

from __future__ import annotations

import io
import json
import os
import pty
from collections.abc import Iterator
from contextlib import suppress
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from flows.models import DataCategory, DataSubject, Flow, Purpose
from registry.importing.engine import exporter_named, kind_named
from registry.importing.exporting import kind_export
from registry.importing.tabular import read_table, write_table, write_table_to
from registry.models import Agreement, Engagement, Party
from registry.resources import RegisterResource
from tests.factories import category, make_agreement, make_flow, make_own_party, make_party
from tests.registry.importing.import_helpers import messages, run_import
from tests.registry.importing.processes import manage
from tests.registry.importing.test_export_round_trip import ORDER, snapshot

pytestmark = pytest.mark.django_db
KINDS = ("parties", "agreements", "flows", "categories", "purposes")


def widget_rows(kind: str) -> tuple[list[str], list[list[str]]]:
    """The export as django-import-export writes it, a model instance per row: the cells the
    fast export must reproduce."""
    resource = exporter_named(kind)
    assert isinstance(resource, RegisterResource)
    dataset = resource.export(queryset=resource.get_queryset())
    return list(dataset.headers), [["" if v is None else str(v) for v in row] for row in dataset]


def empty_the_kinds() -> None:
    """Delete every row of the five kinds (and what points at them), keeping the data
    subjects, which the flows file names but no export writes."""
    ours = {Party, Agreement, Flow, DataCategory, Purpose}
    others = [
        m for label in ("registry", "flows", "onboarding", "reviews")
        for m in apps.get_app_config(label).get_models()
        if m not in ours and m is not DataSubject and not m.__name__.startswith("Historical")
        and any(f.is_relation and f.related_model in ours for f in m._meta.get_fields())
    ]  # fmt: skip
    for _ in range(3):
        for model in others:
            try:
                model._default_manager.all().delete()
            except ProtectedError:
                continue
    Flow.objects.all().delete()
    Agreement.objects.all().delete()
    Engagement.objects.all().delete()
    Party.objects.update(parent=None)
    Party.objects.all().delete()
    for taxonomy in (DataCategory, Purpose):
        taxonomy.objects.update(parent=None)
        taxonomy.objects.all().delete()


def load(kind: str, text: str) -> None:
    report = run_import(kind, text)
    assert report.ok, messages(report)


def awkward_register() -> None:
    """Lists in an order other than their keys', formula-like cells, empty references, all
    brought in through the import."""
    load("categories", "key,name,parent\n-odd.key,+Odd,user.name\n")
    load(
        "parties",
        "slug,name,legal_name,relationship,country,processing_countries,parent,engaged_by,"
        "dpf_certified_until,notes\n"
        'acme,"=HYPERLINK(""http://evil"")",,affiliate,US,,,,,@SUM(A1)\n'
        "a-zeta,Zeta Cloud,,processor,DE,US;DE,acme,,2027-01-31,-5 is fine\n"
        "z-alpha,Alpha Mail,+Alpha Ltd,subprocessor,FR,,,a-zeta,,\n",
    )
    load(
        "agreements",
        "reference,title,kind,parties,categories,flowdown,signed_on\n"
        "dpa-1,=1+1,dpa,acme;a-zeta;z-alpha,user.name;user.contact.email,yes,2020-01-01\n",
    )
    subjects = ";".join(DataSubject.objects.order_by("-key").values_list("key", flat=True)[:3])
    load(
        "flows",
        "reference,source,target,categories,purpose,role,lawful_basis,processing_countries,"
        "transfer_agreement,tia_on,started_on,ended_on,description,data_subjects\n"
        f"f-1,acme,a-zeta,user.name;-odd.key,essential.service,processor,contract,JP;BR,dpa-1,"
        f"2024-05-06,2020-01-01,2030-01-01,\"=cmd|' /C calc'!A0\",{subjects}\n"
        "f-2,a-zeta,z-alpha,user.name,essential.service,processor,contract,,,,2021-02-03,,,,\n",
    )


@pytest.mark.parametrize("kind", KINDS)
def test_the_export_writes_the_cells_of_the_resources_widgets(kind):
    call_command("seed_demo", today=date(2026, 11, 28), stdout=open(os.devnull, "w"))
    awkward_register()
    export = kind_export(kind_named(kind))
    header, rows = export.header, list(export.rows)
    assert (header, rows) == widget_rows(kind)
    assert export.total == len(rows) > 0
    assert exporter_named(kind).export_rows() == (header, rows)


def test_lists_follow_the_listed_models_order_and_formulae_are_escaped():
    awkward_register()
    header, rows = exporter_named("agreements").export_rows()
    deal = dict(zip(header, rows[0], strict=True))
    # Parties are listed by name: Alpha Mail, Zeta Cloud, then "=HYPERLINK..." sorts first.
    assert deal["parties"] == "acme;z-alpha;a-zeta"
    assert (deal["title"], deal["flowdown"]) == ("'=1+1", "yes")
    header, rows = exporter_named("flows").export_rows()
    flow = dict(zip(header, rows[0], strict=True))
    assert flow["categories"] == "'-odd.key;user.name"
    assert flow["description"] == "'=cmd|' /C calc'!A0"
    assert (flow["processing_countries"], flow["tia_on"]) == ("BR;JP", "2024-05-06")
    assert flow["transfer_agreement"] == "dpa-1" and "proposed" not in flow
    header, rows = exporter_named("categories").export_rows()
    odd = next(dict(zip(header, r, strict=True)) for r in rows if r[0] == "'-odd.key")
    assert odd["name"] == "'+Odd"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_register_with_lists_and_formulae_exported_by_the_command_imports_back_unchanged(
    tmp_path: Path, fmt: str
):
    awkward_register()
    before = snapshot()
    for kind in ORDER:
        call_command("export_records", kind, "--format", fmt, "-o", str(tmp_path / f"{kind}.{fmt}"),
                     stderr=StringIO())  # fmt: skip
    empty_the_kinds()
    assert not Flow.objects.exists() and not Agreement.objects.exists()
    for kind in ORDER:
        report = run_import(kind, (tmp_path / f"{kind}.{fmt}").read_bytes(), name=f"x.{fmt}")
        assert report.ok, messages(report)
    assert snapshot() == before
    assert Party.objects.get(slug="acme").name == '=HYPERLINK("http://evil")'
    assert Flow.objects.get(reference="f-1").description == "=cmd|' /C calc'!A0"
    assert [p.slug for p in Agreement.objects.get().parties.order_by("slug")] == [
        "a-zeta", "acme", "z-alpha",
    ]  # fmt: skip
    assert not list(tmp_path.glob(".*.part"))


def test_the_command_writes_the_bytes_of_write_table_and_says_how_many_rows(tmp_path: Path):
    awkward_register()
    err = StringIO()
    call_command("export_records", "flows", "-o", str(tmp_path / "f.csv"), stderr=err)
    assert (tmp_path / "f.csv").read_bytes() == write_table(
        *exporter_named("flows").export_rows(), "csv"
    )
    # Not a terminal: no bar, only the result.
    assert err.getvalue() == f"2 flows written to {tmp_path / 'f.csv'}.\n"


def test_the_command_writes_to_standard_output_without_a_bom():
    make_own_party("acme")
    out = StringIO()
    call_command("export_records", "parties", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("slug,name,legal_name,relationship")
    assert "acme,Acme" in out.getvalue()


def test_an_unwritable_output_is_a_sentence(tmp_path: Path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_records", "parties", "-o", str(tmp_path / "nope" / "p.csv"))


def add_rows(kind: str, n: int) -> None:
    acme = Party.objects.filter(slug="acme").first() or make_own_party("acme")
    for _ in range(n):
        other = make_party()
        if kind == "flows":
            make_flow(
                acme, other, categories=[category("user.name"), category("user.contact.email")]
            )
        if kind == "agreements":
            make_agreement([acme, other], categories=[category("user.name")])


@pytest.mark.parametrize("kind", ["flows", "agreements", "parties"])
def test_the_export_makes_the_same_number_of_queries_at_two_sizes(kind):
    counts = []
    for n in (3, 30):
        add_rows(kind, n)
        with CaptureQueriesContext(connection) as queries:
            header, rows = exporter_named(kind).export_rows()
        assert len(rows) >= n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_json_file_is_the_one_json_dumps_writes():
    header = ["key", "name"]
    rows = [["a", 'quote " and \\ backslash'], ["é", "line\nbreak\ttab \u2028"], ["", ""]]
    items = [dict(zip(header, row, strict=True)) for row in rows]
    expected = json.dumps(items, indent=1, ensure_ascii=False).encode() + b"\n"
    assert write_table(header, rows, "json") == expected
    assert write_table(header, [], "json") == b"[]\n"


def test_the_streamed_writer_reports_progress_and_writes_as_it_goes():
    seen: list[tuple[int, int | None]] = []
    out = io.BytesIO()
    written_before: list[int] = []

    def rows() -> Iterator[list[str]]:
        for i in range(4_500):
            written_before.append(out.tell())
            yield [str(i), "x"]

    done = write_table_to(out, ["a", "b"], rows(), "csv", total=4_500,
                          progress=lambda d, t: seen.append((d, t)))  # fmt: skip
    assert done == 4_500
    assert seen == [(2_000, 4_500), (4_000, 4_500), (4_500, 4_500)]
    assert written_before[-1] > 0  # rows were on their way out before the last was read
    table = read_table("a.csv", out.getvalue())
    assert len(table.rows) == 4_500 and table.rows[-1][1] == ["4499", "x"]


def test_the_command_draws_a_progress_bar_on_a_terminal(database: Path, tmp_path: Path):
    parties = tmp_path / "p.csv"
    parties.write_text("slug,name,relationship,country\nacme,Acme,own,US\nb,B,processor,DE\n")
    assert manage(database, "import_records", "parties", str(parties)).returncode == 0
    terminal, child_end = pty.openpty()
    try:
        result = manage(database, "export_records", "parties", "-o", str(tmp_path / "out.csv"),
                        stderr=child_end)  # fmt: skip
    finally:
        os.close(child_end)
    shown = b""
    with suppress(OSError):  # the terminal reports EIO once the child's end is closed
        while chunk := os.read(terminal, 4096):
            shown += chunk
    os.close(terminal)
    assert result.returncode == 0
    assert "exporting parties [##############################] 2/2" in shown.decode()
    assert "2 parties written to" in shown.decode()
