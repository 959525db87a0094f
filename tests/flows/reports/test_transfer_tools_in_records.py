"""The records of processing and the review pack name the three US frameworks a recipient is
certified under, and why a derogation applies."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from flows.models import Flow
from flows.reports import registers as reports
from flows.services import flow_upsert, flow_values

pytestmark = pytest.mark.django_db
TODAY = date.today()
SAFEGUARDS = reports.CONTROLLER_COLUMNS[8]


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=TODAY)


def _sheets(tmp_path, kind: str) -> dict[str, list[tuple]]:
    out = tmp_path / f"{kind}.xlsx"
    call_command("export_ropa", "--kind", kind, "--as-of", TODAY.isoformat(), "-o", str(out))
    book = load_workbook(out)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def _rows_under(rows: list[tuple], first_column: str) -> list[dict]:
    at = next(i for i, row in enumerate(rows) if row and row[0] == first_column)
    return [dict(zip(rows[at], row, strict=True)) for row in rows[at + 1 :]]


def _controller_row(tmp_path, reference: str) -> dict:
    sheet = _sheets(tmp_path, "controller")["VoIPX Europe"]
    rows = _rows_under(sheet, reports.CONTROLLER_COLUMNS[0])
    return next(r for r in rows if r["Register flow reference"] == reference)


def test_a_dpf_transfer_names_the_framework_of_its_regime_and_its_end(demo, tmp_path):
    until = (TODAY + timedelta(days=300)).isoformat()
    row = _controller_row(tmp_path, "ie-to-nimbus-hosting")
    assert row[SAFEGUARDS].startswith("Data Privacy Framework: the US recipient's")
    assert f"EU-US DPF certified until {until}" in row[SAFEGUARDS]
    assert "Swiss-US" not in row[SAFEGUARDS], "an EU transfer: the EU-US framework alone"


def test_a_derogation_says_why_it_applies_or_that_nobody_recorded_it(demo, tmp_path):
    flow = Flow.objects.get(reference="ie-to-nimbus-hosting")
    values = {**flow_values(flow), "transfer_mechanism": "derogation"}
    values["derogation_justification"] = "Art. 49(1)(b): one contract"
    flow_upsert(reference=flow.reference, **values)
    row = _controller_row(tmp_path, "ie-to-nimbus-hosting")
    assert "why it applies: Art. 49(1)(b): one contract" in row[SAFEGUARDS]
    flow_upsert(reference=flow.reference, **{**values, "derogation_justification": ""})
    row = _controller_row(tmp_path, "ie-to-nimbus-hosting")
    assert "why it applies: not recorded" in row[SAFEGUARDS]


def test_the_review_pack_lists_each_partys_three_certifications(demo, tmp_path):
    parties = {r["Slug"]: r for r in _rows_under(_sheets(tmp_path, "pack")["Parties"], "Name")}
    nimbus, ledgerline = parties["nimbus-hosting"], parties["ledgerline-billing"]
    until = TODAY + timedelta(days=300)
    for column in ("EU-US DPF certified until", "UK Extension certified until",
                   "Swiss-US DPF certified until"):  # fmt: skip
        assert str(nimbus[column])[:10] == until.isoformat()
    assert str(ledgerline["UK Extension certified until"])[:10] == "2025-08-31"
    assert ledgerline["Swiss-US DPF certified until"] in (None, "")
