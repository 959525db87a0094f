"""The registers on the demo register: columns, contents, escaping, the page and the command."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from flows.models import Flow
from flows.reports import registers as reports
from flows.reports.selectors import build_register
from flows.reports.writing import Report, Table, csv_chunks, write_xlsx
from flows.reviews.services import review_confirm, review_decide
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=TODAY)


def _xlsx(path_or_bytes) -> dict[str, list[tuple]]:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    book = load_workbook(source)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def _table(rows: list[tuple], header_row: int) -> list[dict]:
    header = rows[header_row - 1]
    return [dict(zip(header, r, strict=True)) for r in rows[header_row:]]


def _records(table: Table) -> list[dict]:
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def test_the_controller_record_has_the_ico_columns_under_a_contact_block(demo, tmp_path):
    out = tmp_path / "controller.xlsx"
    call_command("export_ropa", "--kind", "controller", "-o", str(out))
    rows = _xlsx(str(out))["Template"]
    assert rows[1][:2] == ("Organisation", "VoIPX International Inc.")
    assert rows[2][:2] == ("Email", "legal@voipx.example")
    header = rows[8]
    assert list(header) == ["Controller", *reports.CONTROLLER_COLUMNS, *reports.TRACE]
    assert len(reports.CONTROLLER_COLUMNS) == 30
    table = {r["Register flow reference"]: r for r in _table(rows, 9)}
    safe_harbor = table["ie-to-hq-customer-records"]
    assert safe_harbor["Controller"].startswith("VoIPX Europe Limited")
    assert (
        "United States of America (restricted transfer under the EU GDPR)"
        in safe_harbor[reports.CONTROLLER_COLUMNS[7]]
    )
    assert safe_harbor[reports.CONTROLLER_COLUMNS[8]].startswith("Safe Harbor")
    assert table["ie-to-uk-support"][reports.CONTROLLER_COLUMNS[7]] == (
        "United Kingdom (adequate for the EU GDPR)"
    )
    voice = table["ie-to-voiceprint-verification"]
    assert voice["Article 9 condition for processing special category data"] == (
        "None recorded (special category data)"
    )
    assert voice["Link to contract with processor"].startswith("dpa-voiceprint-2024")
    assert table["hq-to-adreach-ads"]["Article 6 lawful basis for processing personal data"] == (
        "None recorded"
    )
    assert table["ie-to-confera-webinars"][reports.CONTROLLER_COLUMNS[2]].startswith(
        "Confera Events GmbH"
    )
    # Sub-processing is the processors' record, not the controller's.
    assert "nimbus-to-coldvault-backups" not in table


def test_the_processor_record_names_each_controller_including_through_a_subprocessor(demo):
    table = build_register(kind="processor", as_of=TODAY).table
    assert list(table.columns[:7]) == [reports.PROCESSOR_LEAD, *reports.PROCESSOR_COLUMNS]
    rows = {r["Register flow reference"]: r for r in _records(table)}
    vox = rows["callbridge-to-voxtranscribe"]
    assert vox[reports.PROCESSOR_LEAD].startswith("VoxTranscribe Private Limited, India")
    assert "via Callbridge Support" in vox["Name and contact details of controller"]
    assert "VoIPX Schweiz GmbH" in vox["Name and contact details of controller"]
    assert rows["ie-to-ledgerline-billing"]["Categories of processing"].startswith(
        "Essential for Payment Processing: "
    )
    assert "hq-to-partnerhub-leads" not in rows, "a controller-to-controller flow"


def test_the_csv_has_the_same_columns_and_a_byte_order_mark(demo, tmp_path):
    out = tmp_path / "controller.csv"
    call_command("export_ropa", "--kind", "controller", "--format", "csv", "-o", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == ["Controller", *reports.CONTROLLER_COLUMNS, *reports.TRACE]
    assert len(rows) == len(_records(build_register(kind="controller", as_of=TODAY).table))


def test_the_review_pack_has_its_sheets_with_decisions_expiry_and_transfers(demo, tmp_path):
    reviewer = make_user("rachel", role="reviewer")
    flow = Flow.objects.get(reference="hq-to-ledgerline-billing")
    review = review_decide(
        rule="CARD_DATA_TO_NON_PCI_VENDOR", flow=flow, decision="accept_risk",
        reason="Tokenisation in Q1.", review_by=TODAY + timedelta(days=60), decided_by=reviewer,
    )  # fmt: skip
    # A critical finding's accepted risk holds once a second reviewer confirms it.
    review_confirm(review=review, confirmed=True, decided_by=make_user("sam", role="reviewer"))
    out = tmp_path / "pack.xlsx"
    call_command("export_ropa", "--kind", "pack", "--as-of", TODAY.isoformat(), "-o", str(out))
    book = _xlsx(str(out))
    assert list(book) == ["About", "Findings", "Flows", "Agreements", "Transfers", "Parties"]
    findings = _table(book["Findings"], 1)
    accepted = next(f for f in findings if f["Rule"] == "CARD_DATA_TO_NON_PCI_VENDOR")
    assert accepted["Review state"] == "Risk accepted"
    assert accepted["Decided by"] == "rachel" and accepted["Reason or comment"] == (
        "Tokenisation in Q1."
    )
    assert accepted["Review by"].date() == TODAY + timedelta(days=60)
    assert {f["Review state"] for f in findings} >= {"Open", "Risk accepted"}
    agreements = {a["Reference"]: a for a in _table(book["Agreements"], 1)}
    assert agreements["dpa-clicktrace-2020"][f"Status on {TODAY.isoformat()}"] == "expired"
    assert agreements["dpa-nimbus-2019"]["Days to expiry"] == 60
    transfers = {(t["Flow"], t["Regime"]): t for t in _table(book["Transfers"], 1)}
    swiss = transfers[("ch-to-callbridge-support", "Swiss FADP")]
    assert swiss["Destination"] == "Philippines" and swiss["TIA date"].date() == date(2021, 8, 20)
    assert swiss["Mechanism"] == "SCCs 2021"
    harbor = transfers[("ie-to-hq-customer-records", "EU GDPR")]
    assert harbor[f"Mechanism valid on {TODAY.isoformat()}"] == "no"
    parties = {p["Slug"]: p for p in _table(book["Parties"], 1)}
    assert parties["postbox-relay"]["Onboarding status"] == "Under review"
    assert len(_table(book["Flows"], 1)) == Flow.objects.filter(proposed=False).count()


def test_formulae_are_escaped_in_csv_and_xlsx(tmp_path):
    values = ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "ok", 3]
    columns = ["a", "b", "c", "d", "e", "f"]
    text = b"".join(csv_chunks(Table(columns, [values]))).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1" in text and "'-2" in text and "'@SUM" in text
    out = tmp_path / "s.xlsx"
    write_xlsx(Report({"S": Table(columns, [values])}), str(out))
    [row] = _xlsx(str(out))["S"][1:]
    assert row == ('\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "ok", 3)


def test_an_exporter_downloads_a_register_from_the_page(demo, client):
    client.force_login(make_user("eddie", role="editor"))
    response = client.get(reverse("register_exports"), {"kind": "processor", "format": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert _xlsx(body)["Template"][8][0] == reports.PROCESSOR_LEAD
    response = client.get(reverse("register_exports"), {"kind": "pack", "format": "csv"})
    assert response.status_code == 200 and "choose XLSX" in response.content.decode()
