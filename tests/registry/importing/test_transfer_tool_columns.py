"""The transfer-tool columns: the three DPF certifications of a party, an agreement's
objection period and the SCCs a UK Addendum amends, a flow's derogation justification and
Art. 10 authority; exported, imported back unchanged, and checked on import."""

from datetime import date

import pytest

from flows.models import Flow
from registry.importing.engine import exporter_named
from registry.importing.tabular import write_table
from registry.models import Agreement, Party
from tests.factories import category, make_agreement, make_flow, make_own_party, make_party
from tests.registry.importing.import_helpers import messages, run_import

pytestmark = pytest.mark.django_db

KINDS = ("parties", "agreements", "flows")


def _rows(kind: str) -> list[dict[str, str]]:
    header, rows = exporter_named(kind).export_rows()
    return [dict(zip(header, row, strict=True)) for row in rows]


def _export(kind: str) -> bytes:
    header, rows = exporter_named(kind).export_rows()
    return write_table(header, rows, "csv")


@pytest.fixture
def register():
    own = make_own_party("acme", country="GB")
    cloud = make_party(
        "cloud", country="US", dpf_certified_until=date(2027, 3, 31),
        dpf_uk_certified_until=date(2027, 2, 28), dpf_swiss_certified_until=date(2026, 12, 31),
    )  # fmt: skip
    scc = make_agreement([own, cloud], "scc-cloud", kind="scc_2021_m2", objection_days=14)
    make_agreement([own, cloud], "addendum-cloud", kind="uk_addendum", amends=scc)
    make_flow(
        own, cloud, "acme-to-cloud", categories=[category("user.criminal_history")],
        transfer_mechanism="derogation",
        derogation_justification="Art. 49(1)(b): needed for one contract's performance",
        art10_authority="Data Protection Act 2018, Sch. 1 para. 10",
    )  # fmt: skip


def test_the_new_columns_are_exported(register):
    (acme, cloud) = sorted(_rows("parties"), key=lambda r: r["slug"])
    assert (cloud["dpf_certified_until"], cloud["dpf_uk_certified_until"]) == (
        "2027-03-31",
        "2027-02-28",
    )
    assert cloud["dpf_swiss_certified_until"] == "2026-12-31"
    assert acme["dpf_uk_certified_until"] == acme["dpf_swiss_certified_until"] == ""
    agreements = {r["reference"]: r for r in _rows("agreements")}
    assert (agreements["scc-cloud"]["objection_days"], agreements["scc-cloud"]["amends"]) == (
        "14",
        "",
    )
    assert agreements["addendum-cloud"]["amends"] == "scc-cloud"
    assert agreements["addendum-cloud"]["objection_days"] == "30"
    (flow,) = _rows("flows")
    assert flow["derogation_justification"].startswith("Art. 49(1)(b)")
    assert flow["art10_authority"] == "Data Protection Act 2018, Sch. 1 para. 10"


def test_an_export_imports_back_unchanged_and_into_an_empty_register(register):
    before = {kind: _rows(kind) for kind in KINDS}
    files = {kind: _export(kind) for kind in KINDS}
    for kind in KINDS:  # into the same register: nothing to do
        report = run_import(kind, files[kind])
        assert report.ok, messages(report)
        assert (report.new, report.updated) == (0, 0)
    Flow.objects.all().delete()
    Agreement.objects.filter(amends__isnull=False).delete()
    Agreement.objects.all().delete()
    Party.objects.all().delete()
    for kind in KINDS:
        report = run_import(kind, files[kind])
        assert report.ok, messages(report)
    after = {kind: _rows(kind) for kind in KINDS}
    # Imported processors wait for a reviewer: the status is the one column that differs.
    for row in before["parties"] + after["parties"]:
        row.pop("status")
    assert after == before
    amended = Agreement.objects.get(reference="addendum-cloud").amends
    assert amended is not None and amended.reference == "scc-cloud"


AGREEMENTS = "reference,kind,parties,signed_on,amends,objection_days\n"


@pytest.fixture
def parties():
    make_own_party("acme", country="GB")
    make_party("cloud")
    make_party("other")


def test_an_addendum_may_amend_scc_a_later_row_adds(parties):
    report = run_import(
        "agreements",
        AGREEMENTS + "add,uk_addendum,acme;cloud,2024-01-01,scc,\n"
        "scc,scc_2021_m2,acme;cloud;other,2024-01-01,,7\n",
    )
    assert report.ok, messages(report)
    assert Agreement.objects.get(reference="add").amends == Agreement.objects.get(reference="scc")
    assert Agreement.objects.get(reference="scc").objection_days == 7


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        (
            "dpa,dpa,acme;cloud,2024-01-01,,\nadd,uk_addendum,acme;cloud,2024-01-01,dpa,\n",
            "a UK Addendum amends SCCs 2021; 'dpa' is of the kind dpa",
        ),
        (
            "scc,scc_2021_m2,acme;cloud,2024-01-01,,\nadd,uk_addendum,acme;other,2024-01-01,scc,\n",
            "the SCCs 'scc' do not bind other; a UK Addendum amends SCCs between the same parties",
        ),
        (
            "scc,scc_2021_m2,acme;cloud,2024-01-01,,\ndpa,dpa,acme;cloud,2024-01-01,scc,\n",
            "only a UK Addendum amends other SCCs (kind dpa); clear the column amends",
        ),
        ("add,uk_addendum,acme;cloud,2024-01-01,ghost,\n", "unknown agreement 'ghost'"),
        ("dpa,dpa,acme;cloud,2024-01-01,,forty\n", "is not a number of days"),
    ],
)
def test_an_addendum_that_amends_no_fitting_scc_is_refused(parties, rows, reason):
    report = run_import("agreements", AGREEMENTS + rows)
    assert not report.ok
    assert any(reason in m for m in messages(report)), messages(report)
    assert not Agreement.objects.exists()
