"""The registers streamed: the same rows as the registers built whole before, read back from
the page's streamed CSV and XLSX, progress on a terminal only, and the page's permissions.

The golden files are the demo register's Art. 30 records as CSV (seed_demo --today
2026-12-01, export_ropa --as-of 2026-12-01 --format csv), written again whenever what the
records say changes on purpose: a sheet for each controller, data subjects, retention,
security measures and safeguards in words came in with issue 16.
"""

import csv
import io
from datetime import date, datetime
from itertools import count
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from flows.reports import pack
from flows.reports.selectors import build_register
from flows.reports.writing import Table, csv_chunks, write_xlsx
from registry.jobs.models import Job
from tests.factories import make_user

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=DAY)


@pytest.fixture
def exporter(client, demo):
    client.force_login(make_user("eddie", role="editor"))
    return client


def _download(client, kind: str, fmt: str):
    response = client.get(
        reverse("register_exports"), {"kind": kind, "format": fmt, "as_of": DAY.isoformat()}
    )
    assert response.status_code == 200
    assert response.streaming, "the register is streamed, not built whole in the response"
    return response, b"".join(response.streaming_content)


def _golden(kind: str) -> list[list[str]]:
    text = (GOLDEN / f"demo-{kind}-2026-12-01.csv").read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _as_csv_text(value) -> str:
    """A cell read back from XLSX as the CSV wrote it (dates come back as datetimes)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


@pytest.mark.parametrize("kind", ["controller", "processor"])
def test_the_streamed_csv_has_the_header_and_rows_of_the_register_built_whole(exporter, kind):
    response, body = _download(exporter, kind, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="ropa-{kind}-2026-12-01.csv"' in response["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    golden = _golden(kind)
    assert rows[0] == golden[0]
    assert rows[1:] == golden[1:]
    assert len(rows) > 10
    assert body == (GOLDEN / f"demo-{kind}-2026-12-01.csv").read_bytes()


def test_the_streamed_controller_xlsx_holds_the_csv_rows_a_sheet_for_each_controller(exporter):
    response, body = _download(exporter, "controller", "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["VoIPX International", "VoIPX Europe", "VoIPX Schweiz", "VoIPX UK"]
    golden = _golden("controller")
    rows: list[list[str]] = []
    controllers = []
    for sheet in book.worksheets:
        cells = list(sheet.iter_rows(values_only=True))
        assert cells[6][:2] == ("As of", datetime(2026, 12, 1))
        assert [_as_csv_text(v) for v in cells[8]] == golden[0][1:]
        rows += [[_as_csv_text(v) for v in row] for row in cells[9:]]
        controllers.append(cells[1][1])
    assert rows == [row[1:] for row in golden[1:]]
    # The CSV's Controller column names the controller each sheet's contact block names.
    assert controllers == list(dict.fromkeys(row[0].split(",")[0] for row in golden[1:]))


def test_the_streamed_processor_xlsx_holds_the_same_rows_under_the_contact_block(exporter):
    _, body = _download(exporter, "processor", "xlsx")
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Processors"]
    rows = list(book["Processors"].iter_rows(values_only=True))
    assert rows[1][:2] == ("Register kept by", "VoIPX International Inc.")
    assert rows[6][:2] == ("As of", datetime(2026, 12, 1))
    table = [[_as_csv_text(v) for v in row] for row in rows[8:]]
    assert table == _golden("processor")


def test_the_streamed_review_pack_is_a_valid_workbook_whose_about_sheet_counts_its_rows(
    exporter,
):
    _, body = _download(exporter, "pack", "xlsx")
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == [
        "About", "Diagram", "Findings", "Flows", "Agreements", "Transfers", "Parties",
    ]  # fmt: skip
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    assert list(sheets["Findings"][0]) == pack.FINDING_COLUMNS
    assert list(sheets["Flows"][0]) == pack.flow_columns(DAY)
    assert list(sheets["Transfers"][0]) == pack.transfer_columns(DAY)
    about = dict(sheets["About"][1:])
    assert about["Review pack as of"] == "2026-12-01"
    for item, sheet in [
        ("Findings", "Findings"),
        ("Flows", "Flows"),
        ("Agreements", "Agreements"),
        ("Cross-border transfers", "Transfers"),
        ("Parties", "Parties"),
    ]:
        assert about[item] == len(sheets[sheet]) - 1 > 0, item


def test_a_visitor_is_sent_to_log_in_and_an_outsider_is_refused(client, demo):
    query = {"kind": "controller", "format": "csv"}
    response = client.get(reverse("register_exports"), query)
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(make_user("olga"))
    response = client.get(reverse("register_exports"), query)
    assert response.status_code == 403
    assert "has no role yet" in response.content.decode()
    client.force_login(make_user("vera", role="viewer"))
    response = client.get(reverse("register_exports"), query)
    assert response.status_code == 403
    assert "may not export the register" in response.content.decode()


def test_the_csv_is_sent_before_its_last_row_is_made():
    # An endless table: a writer that built the whole file first would never answer.
    chunks = csv_chunks(Table(["n"], ([n] for n in count())), rows_per_chunk=10)
    first = next(chunks)
    assert first.decode("utf-8-sig").splitlines()[:3] == ["n", "0", "1"]


def test_building_a_register_reports_progress_up_to_its_rows(demo, tmp_path):
    calls: list[tuple[int, int | None]] = []
    report = build_register(
        kind="controller", as_of=DAY, progress=lambda done, total: calls.append((done, total))
    )
    rows = sum(write_xlsx(report, str(tmp_path / "c.xlsx")).values())
    assert calls[0] == (0, rows) and calls[-1] == (rows, rows)
    assert rows == len(_golden("controller")) - 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_command_draws_a_progress_bar_on_a_terminal_only(demo, tmp_path):
    out = tmp_path / "pack.xlsx"
    quiet, stdout = io.StringIO(), io.StringIO()
    call_command("export_ropa", "--kind", "pack", "-o", str(out), stdout=stdout, stderr=quiet)
    assert quiet.getvalue() == ""
    assert stdout.getvalue().startswith(f"Wrote {out}: pack register, ")
    terminal = _Terminal()
    call_command("export_ropa", "--kind", "pack", "-o", str(out), stdout=stdout, stderr=terminal)
    last = terminal.getvalue().rstrip("\n").split("\r")[-1]
    assert last.startswith("Writing the pack register [##############################]")
    assert load_workbook(out).sheetnames[0] == "About"


def test_the_command_says_so_in_one_line_when_the_folder_is_missing(demo, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No such folder"):
        call_command("export_ropa", "-o", str(tmp_path / "missing" / "c.xlsx"))


def test_a_register_prepared_in_the_background_is_offered_on_its_job_page(
    exporter, django_capture_on_commit_callbacks
):
    form = {"kind": "processor", "format": "csv", "as_of": DAY.isoformat()}
    with django_capture_on_commit_callbacks(execute=True):  # the job starts on commit
        response = exporter.post(reverse("register_exports"), {**form, "action": "background"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    page = exporter.get(response["Location"]).content.decode()
    assert "Done" in page and "rows written" in page
    download = exporter.get(reverse("job_result", args=[job.pk]))
    _, streamed = _download(exporter, "processor", "csv")
    assert download.content == streamed
