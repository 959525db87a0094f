"""check_flows, the command engineers put in CI, on the demo register."""

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from flows.engine.rules import RULES

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 28)


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=TODAY)


def _run(capsys, *args: str) -> tuple[int, str]:
    try:
        call_command("check_flows", *args)
        status = 0
    except SystemExit as stop:
        status = int(stop.code or 0)
    return status, capsys.readouterr().out


def test_the_demo_shows_every_rule_as_of_today(demo, capsys):
    status, out = _run(capsys, "--as-of", TODAY.isoformat(), "--format", "json")
    findings = json.loads(out)
    assert {f["rule"] for f in findings} == {rule.identifier for rule in RULES}
    assert status == 1
    first = findings[0]
    assert {"rule", "severity", "flow", "source", "target", "categories", "message",
            "citation"} <= set(first)  # fmt: skip


def test_safe_harbor_flags_the_day_after_schrems_one_and_not_the_day_before(demo, capsys):
    def safe_harbor_findings(day: str) -> list[dict]:
        _, out = _run(capsys, "--as-of", day, "--format", "json", "--fail-on", "none")
        return [
            f for f in json.loads(out)
            if f["rule"] == "INVALID_TRANSFER_MECHANISM" and f["source"] == "voipx-ireland"
            and f["target"] == "voipx"
        ]  # fmt: skip

    assert safe_harbor_findings("2015-10-05") == []
    [finding] = safe_harbor_findings("2015-10-06")
    assert "Safe Harbor" in finding["message"] and finding["severity"] == "critical"


def test_fail_on_sets_the_exit_status(demo, capsys):
    assert _run(capsys, "--fail-on", "none")[0] == 0
    assert _run(capsys, "--fail-on", "critical")[0] == 1
    status, _ = _run(capsys, "--party", "voipx-uk", "--fail-on", "info")
    assert status == 0


def test_text_output_is_grouped_by_severity_and_names_the_flow(demo, capsys):
    _, out = _run(capsys, "--as-of", TODAY.isoformat())
    assert out.index("CRITICAL (") < out.index("HIGH (") < out.index("INFO (")
    assert "[flow ie-to-hq-customer-records]" in out
    assert "Citation: " in out and "To do: " in out


def test_filters_keep_only_the_party_and_the_category_asked_for(demo, capsys):
    _, out = _run(capsys, "--format", "json", "--party", "paywell-payments", "--fail-on", "none")
    assert json.loads(out) == []
    _, out = _run(capsys, "--format", "json", "--category", "user.financial", "--fail-on", "none")
    rules = {f["rule"] for f in json.loads(out)}
    assert "CARD_DATA_TO_NON_PCI_VENDOR" in rules and "NO_LAWFUL_BASIS" not in rules


def test_bad_arguments_get_a_clear_message(demo):
    with pytest.raises(CommandError, match="not a date; write it as YYYY-MM-DD"):
        call_command("check_flows", "--as-of", "2015-13-01")
    with pytest.raises(CommandError, match="Did you mean 'voipx-ireland'"):
        call_command("check_flows", "--party", "voipx-irland")
    with pytest.raises(CommandError, match="Unknown data category 'user.financials'"):
        call_command("check_flows", "--category", "user.financials")


def test_where_data_goes_lists_the_parties_card_data_reaches(demo, capsys):
    call_command("where_data_goes", "--category", "user.financial.credit_card")
    out = capsys.readouterr().out
    assert "Ledgerline Billing" in out and "Paywell Payments" in out
    assert "via voipx -> paywell-payments" in out
    call_command("where_data_goes", "--category", "user.contact", "--format", "json")
    reach = json.loads(capsys.readouterr().out)
    slugs = {p["party"] for p in reach["parties"]}
    assert {"voipx-ireland", "callbridge-support", "voxtranscribe"} <= slugs
    assert "PH" in reach["countries"]
