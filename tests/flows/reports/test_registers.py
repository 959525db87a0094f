"""The Art. 30 records on the demo register, read back from the XLSX cell by cell: a sheet
for each controller, the ICO template's columns, names and labels rather than keys."""

import csv
import io
import re
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from flows.models import Flow
from flows.reports import registers as reports
from flows.reports.lookups import NOT_RECORDED
from flows.reports.selectors import build_register, sheet_titles
from flows.reports.writing import Report, Table, csv_chunks, write_xlsx
from flows.reviews.services import review_confirm, review_decide
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = date.today()
SAFE_HARBOR_DAY = date(2015, 10, 6)
HEADER = [*reports.CONTROLLER_COLUMNS, *reports.TRACE]
CUSTOMER_DATA = "User Contact Address; User Contact Email; Organization; User Contact Phone Number"
GROUP_SECURITY = "Group information security policy (ISO/IEC 27001 aligned)"
# Keys and raw choice values a reader should never meet outside the reference columns.
RAW = re.compile(
    r"\b(user\.[a-z_.]+|essential\.[a-z_.]+|legitimate_interests|accept_risk|safe_harbor|"
    r"joint_controller|third_party|subprocessor|under_review)\b"
)
REFERENCE_COLUMNS = {"Register flow reference", "Reference", "Slug", "Flow"}
# The engine's own sentences about a finding (flows.engine.wording), quoted as they are.
ENGINE_TEXT = {"What is wrong", "Legal basis", "What to do"}


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=TODAY)


def _book(path_or_bytes) -> dict[str, list[tuple]]:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    book = load_workbook(source)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def _table(rows: list[tuple], header_row: int) -> list[dict]:
    header = rows[header_row - 1]
    return [dict(zip(header, r, strict=True)) for r in rows[header_row:]]


def _export(tmp_path, kind: str, as_of: date) -> str:
    out = tmp_path / f"{kind}.xlsx"
    call_command("export_ropa", "--kind", kind, "--as-of", as_of.isoformat(), "-o", str(out))
    return str(out)


def _raw_values(sheets: dict[str, list[tuple]], header_row: int) -> list[str]:
    found = []
    for title, rows in sheets.items():
        for row in _table(rows, header_row) if len(rows) >= header_row else []:
            for column, value in row.items():
                if column not in REFERENCE_COLUMNS | ENGINE_TEXT and isinstance(value, str):
                    found += [f"{title}/{column}: {m}" for m in RAW.findall(value)]
    return found


def test_the_controller_record_has_a_sheet_for_each_controller_under_its_contact_block(
    demo, tmp_path
):
    book = _book(_export(tmp_path, "controller", SAFE_HARBOR_DAY))
    assert list(book) == ["VoIPX International", "VoIPX Europe", "VoIPX Schweiz"]
    europe = book["VoIPX Europe"]
    assert europe[0][0] == "Record of processing activities: controller (GDPR Art. 30(1))"
    assert europe[1][:2] == ("Controller", "VoIPX Europe Limited")
    assert europe[2][:2] == ("Country", "Ireland")
    assert europe[3][:2] == ("Email", "dpo@voipx.example")
    assert europe[6][:2] == ("As of", datetime(2015, 10, 6))
    for rows in book.values():
        assert list(rows[8]) == HEADER, "the ICO template's 30 columns, then the trace"
    assert len(reports.CONTROLLER_COLUMNS) == 30


def test_the_safe_harbor_row_as_of_the_day_it_fell_reads_cell_by_cell(demo, tmp_path):
    book = _book(_export(tmp_path, "controller", SAFE_HARBOR_DAY))
    rows = {r["Register flow reference"]: r for r in _table(book["VoIPX Europe"], 9)}
    row = rows["ie-to-hq-customer-records"]
    assert row["Business function"] == "Operations"
    assert row["Purpose of processing"] == "Essential for Operations"
    assert row["Name and contact details of joint controller (if applicable)"] is None
    assert row["Categories of individuals"] == "Customer"
    assert row["Categories of personal data"] == (
        "Customer Account Number; " + CUSTOMER_DATA
        + "; Bank Account Information; Tax Identification Number"
    )  # fmt: skip
    assert row["Categories of recipients"] == (
        "Group company (controller): VoIPX International (United States of America)"
    )
    assert row["Link to contract with processor"] is None, "the recipient is a controller"
    assert row[reports.CONTROLLER_COLUMNS[7]] == (
        "United States of America (restricted transfer under the EU GDPR)"
    )
    assert row[reports.CONTROLLER_COLUMNS[8]] == (
        "Safe Harbor framework: the US recipient's self-certification (EU-US: Commission "
        "Decision 2000/520/EC, declared invalid by the Court of Justice on 2015-10-06 "
        "(C-362/14, Schrems)); under Intra-group data transfer agreement (Safe Harbor) "
        "(iga-voipx-2014); not a valid safeguard under the EU GDPR on 2015-10-06"
    )
    assert row["Retention schedule (if possible)"] == (
        "6 years after the end of the customer contract"
    )
    assert row[reports.CONTROLLER_COLUMNS[10]].startswith(f"VoIPX Europe: {GROUP_SECURITY}")
    assert row["Article 6 lawful basis for processing personal data"] == ("Contract (Art. 6(1)(b))")
    assert row["Article 9 condition for processing special category data"] == (
        "Not applicable: no special category data"
    )
    assert row["GDPR Article 6 lawful basis for processing"] is None, "no Schedule 1 record"
    assert row["Rights available to individuals"] == (
        "Access, rectification, erasure, restriction, data portability"
    )
    assert row["Location of personal data"] == "United States of America"
    assert (row["From"], row["To"], row["Recipient's role"]) == (
        "VoIPX Europe", "VoIPX International", "Controller",
    )  # fmt: skip
    assert row["Active from"] == datetime(2014, 3, 1)
    # The recipient keeps the data as a controller too: its own record names the source.
    received = {r["Register flow reference"]: r for r in _table(book["VoIPX International"], 9)}[
        "ie-to-hq-customer-records"
    ]
    assert received["The source of the personal data (if applicable)"] == (
        "Received from VoIPX Europe (Ireland)"
    )
    assert received["Categories of recipients"] is None
    assert received[reports.CONTROLLER_COLUMNS[8]] is None, "the exporter's transfer"


def test_today_every_row_names_people_and_one_lawful_basis_and_no_raw_key(demo, tmp_path):
    book = _book(_export(tmp_path, "controller", TODAY))
    assert "VoIPX UK" in book, "an affiliate that only receives data as a controller"
    assert "Template" not in book
    rows = [r for sheet in book.values() for r in _table(sheet, 9)]
    assert len(rows) > 15
    assert _raw_values(book, 9) == []
    for row in rows:
        reference = row["Register flow reference"]
        assert row["Business function"] not in ("Essential", None), reference
        assert row["Categories of individuals"] not in (NOT_RECORDED, None), reference
        schedule_1 = row["GDPR Article 6 lawful basis for processing"]
        assert schedule_1 in (None, row["Article 6 lawful basis for processing personal data"])
    by_reference = {r["Register flow reference"]: r for r in _table(book["VoIPX Europe"], 9)}
    voice = by_reference["ie-to-voiceprint-verification"]
    assert voice["Business function"] == "Fraud Detection"
    assert voice["Article 9 condition for processing special category data"] == (
        "None recorded, although special category data is processed"
    )
    assert voice["GDPR Article 6 lawful basis for processing"] == (
        "Legitimate interests (Art. 6(1)(f))"
    )
    assert voice["Link to contract with processor"].startswith(
        "Voice verification DPA (dpa-voiceprint-2024, Data processing agreement"
    )
    assert (
        "VoicePrint Security (processor): Voiceprints stored as templates"
        in (voice[reports.CONTROLLER_COLUMNS[10]])
    )
    newsletters = by_reference["ie-to-mailspring-newsletters"]
    assert newsletters["Business function"] == "Marketing"
    assert newsletters["Categories of individuals"] == "Customer; Prospect"
    assert newsletters["Rights available to individuals"].endswith("withdrawal of consent")
    webinars = by_reference["ie-to-confera-webinars"]
    assert webinars[reports.CONTROLLER_COLUMNS[2]].startswith("Confera Events GmbH, Germany")
    international = {
        r["Register flow reference"]: r for r in _table(book["VoIPX International"], 9)
    }
    assert international["hq-to-adreach-ads"][
        "Article 6 lawful basis for processing personal data"
    ] == ("None recorded")
    assert international["hq-to-adreach-ads"]["Retention schedule (if possible)"] == (NOT_RECORDED)
    # Sub-processing is the processors' record, not the controller's.
    assert not any(r["Register flow reference"] == "nimbus-to-coldvault-backups" for r in rows)


def test_the_processor_record_names_each_controller_and_the_processors_measures(demo):
    report = build_register(kind="processor", as_of=TODAY)
    assert list(report.sheets) == ["Processors"]
    table = report.table
    assert list(table.columns[:7]) == [reports.PROCESSOR_LEAD, *reports.PROCESSOR_COLUMNS]
    rows = {r["Register flow reference"]: r for r in _records(table)}
    vox = rows["callbridge-to-voxtranscribe"]
    assert vox[reports.PROCESSOR_LEAD].startswith("VoxTranscribe Private Limited, India")
    assert "via Callbridge Support" in vox["Name and contact details of controller"]
    assert "VoIPX Schweiz GmbH" in vox["Name and contact details of controller"]
    assert vox["Role on the flow"] == "Sub-processor"
    billing = rows["ie-to-ledgerline-billing"]
    assert billing["Categories of processing"] == (
        "Essential for Payment Processing: Customer Account Number; " + CUSTOMER_DATA
        + "; Bank Account Information; Tax Identification Number (data subjects: Customer)"
    )  # fmt: skip
    assert billing[reports.PROCESSOR_COLUMNS[5]].startswith("PCI DSS programme")
    assert "hq-to-partnerhub-leads" not in rows, "a controller-to-controller flow"


def _records(table: Table) -> list[dict]:
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def test_the_csv_holds_every_controller_in_one_table_with_a_controller_column(demo, tmp_path):
    out = tmp_path / "controller.csv"
    call_command("export_ropa", "--kind", "controller", "--format", "csv", "-o", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == [reports.CONTROLLER_LEAD, *HEADER]
    book = _book(_export(tmp_path, "controller", TODAY))
    assert len(rows) == sum(len(sheet) - 9 for sheet in book.values())
    assert {r["Controller"].split(",")[0] for r in rows} == {
        "VoIPX International Inc.", "VoIPX Europe Limited", "VoIPX Schweiz GmbH", "VoIPX UK Ltd",
    }  # fmt: skip


def test_the_review_pack_carries_the_diagram_and_labelled_decisions(demo, tmp_path):
    reviewer = make_user("rachel", role="reviewer")
    flow = Flow.objects.get(reference="hq-to-ledgerline-billing")
    review = review_decide(
        rule="CARD_DATA_TO_NON_PCI_VENDOR", flow=flow, decision="accept_risk",
        reason="Tokenisation in Q1.", review_by=TODAY + timedelta(days=60), decided_by=reviewer,
    )  # fmt: skip
    # A critical finding's accepted risk holds once a second reviewer confirms it.
    review_confirm(review=review, confirmed=True, decided_by=make_user("sam", role="reviewer"))
    path = _export(tmp_path, "pack", TODAY)
    book = _book(path)
    assert list(book) == [
        "About", "Diagram", "Findings", "Flows", "Agreements", "Transfers", "Parties",
    ]  # fmt: skip
    assert book["Diagram"][0] == (f"The whole register as of {TODAY.isoformat()}",)
    with zipfile.ZipFile(path) as archive:
        [picture] = [n for n in archive.namelist() if n.startswith("xl/media/")]
        assert archive.read(picture)[:8] == b"\x89PNG\r\n\x1a\n"
        assert any(n.startswith("xl/drawings/drawing") for n in archive.namelist())
    findings = _table(book["Findings"], 1)
    accepted = next(
        f for f in findings if f["Rule"] == "Card data to a vendor without a PCI attestation"
    )
    assert accepted["Severity"] == "Critical"
    assert accepted["Decision"] == "Risk accepted"
    assert accepted["Review state"] == "Risk accepted"
    assert accepted["Decided by"] == "rachel" and accepted["Reason or comment"] == (
        "Tokenisation in Q1."
    )
    assert accepted["Review by"].date() == TODAY + timedelta(days=60)
    assert accepted["From"] == "VoIPX International" and accepted["To"] == "Ledgerline Billing"
    assert {f["Review state"] for f in findings} >= {"Open", "Risk accepted"}
    assert _raw_values({k: v for k, v in book.items() if k not in ("About", "Diagram")}, 1) == []
    flows = {f["Reference"]: f for f in _table(book["Flows"], 1)}
    harbor = flows["ie-to-hq-customer-records"]
    assert harbor["Data subjects"] == "Customer"
    assert harbor["Retention"] == "6 years after the end of the customer contract"
    assert harbor["Transfer agreement"] == (
        "Intra-group data transfer agreement (Safe Harbor) (iga-voipx-2014)"
    )
    assert "Invalid transfer mechanism" in harbor["Findings"]
    agreements = {a["Reference"]: a for a in _table(book["Agreements"], 1)}
    assert agreements["dpa-clicktrace-2020"][f"Status on {TODAY.isoformat()}"] == "expired"
    assert agreements["dpa-nimbus-2019"]["Days to expiry"] == 60
    parties = {p["Name"]: p for p in _table(book["Parties"], 1)}
    assert parties["Postbox Relay"]["Onboarding status"] == "Under review"
    assert parties["Paywell Payments"]["Security measures"].startswith("PCI DSS Level 1")
    assert len(flows) == Flow.objects.filter(proposed=False).count()


def test_without_graphviz_the_pack_says_why_it_has_no_picture(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on this PATH
    book = _book(_export(tmp_path, "pack", TODAY))
    [title, why] = book["Diagram"]
    assert why[0].startswith("No picture: The Graphviz 'dot' program is not installed")
    assert "Findings" in book


def test_sheet_titles_are_short_distinct_and_free_of_forbidden_characters():
    assert sheet_titles(["VoIPX Europe", "VoIPX Europe", "A/B [test]: *x?", "x" * 40]) == [
        "VoIPX Europe", "VoIPX Europe (2)", "A B test x", "x" * 31,
    ]  # fmt: skip


def test_formulae_are_escaped_in_csv_and_xlsx(tmp_path):
    values = ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "ok", 3]
    columns = ["a", "b", "c", "d", "e", "f"]
    text = b"".join(csv_chunks(Table(columns, [values]))).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1" in text and "'-2" in text and "'@SUM" in text
    out = tmp_path / "s.xlsx"
    write_xlsx(Report({"S": Table(columns, [values])}), str(out))
    [row] = _book(str(out))["S"][1:]
    assert row == ('\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "ok", 3)


def test_an_exporter_downloads_a_register_from_the_page(demo, client):
    client.force_login(make_user("eddie", role="editor"))
    response = client.get(reverse("register_exports"), {"kind": "processor", "format": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert _book(body)["Processors"][8][0] == reports.PROCESSOR_LEAD
    response = client.get(reverse("register_exports"), {"kind": "pack", "format": "csv"})
    assert response.status_code == 200 and "choose XLSX" in response.content.decode()


def _more_flows(n: int) -> None:
    from flows.models import DataCategory, DataSubject, Purpose
    from flows.services import flow_upsert
    from registry.models import Party
    from registry.services import party_upsert

    source = Party.objects.get(slug="voipx-ireland")
    email = [DataCategory.objects.get(key="user.contact.email")]
    customers = [DataSubject.objects.get(key="customer")]
    purpose = Purpose.objects.get(key="essential.service")
    start = Party.objects.filter(slug__startswith="extra-").count()
    for i in range(start, start + n):
        target = party_upsert(
            slug=f"extra-{i}", name=f"Extra {i}", relationship="processor", country="US",
            security_measures="Encrypted.",
        )  # fmt: skip
        flow_upsert(
            reference=f"extra-flow-{i}", source=source, target=target, categories=email,
            purpose=purpose, role="processor", started_on=date(2020, 1, 1),
            data_subjects=customers, retention="1 year",
        )  # fmt: skip


@pytest.mark.parametrize("kind", ["controller", "processor", "pack"])
def test_a_register_makes_the_same_number_of_queries_at_two_sizes(demo, tmp_path, kind):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for extra in (2, 12):
        _more_flows(extra)
        with CaptureQueriesContext(connection) as queries:
            written = write_xlsx(build_register(kind=kind, as_of=TODAY), str(tmp_path / "r.xlsx"))
        counts.append((len(queries), sum(written.values())))
    (small, small_rows), (large, large_rows) = counts
    assert large_rows >= small_rows + 10
    assert small == large
