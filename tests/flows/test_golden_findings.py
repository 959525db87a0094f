"""The findings of two fixed registers at four dates, byte for byte, against a stored copy.

The stored copy (tests/flows/golden_findings.jsonl) was written before the code was rearranged into
its packages; any change to what a rule says, whom it flags or in which order shows here as a
diff. A deliberate change of wording rewrites the copy:

    REGISTRY_WRITE_GOLDEN=1 .venv/bin/pytest tests/flows/test_golden_findings.py

and the diff of the copy goes into the same commit, for review.
"""

from __future__ import annotations

import json
import os
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from registry.demo.company import seed_demo
from registry.demo.synthetic import synthetic_register_create

GOLDEN = Path(__file__).parent / "golden_findings.jsonl"
TODAY = date(2026, 12, 1)
DATES = ("2015-10-06", "2020-07-16", "2022-12-28", TODAY.isoformat())


def _findings_lines() -> list[str]:
    """One line per finding: the date, then check_flows' JSON without the flow's id.

    Ids depend on the database's sequences (PostgreSQL does not reset them between tests) and
    on every row written before (a flow the demo's onboarding proposes): each finding names
    its flow by the reference it also carries."""
    lines = []
    for day in DATES:
        out = StringIO()
        call_command(
            "check_flows", as_of=date.fromisoformat(day), format="json", fail_on="none", stdout=out
        )
        rows = json.loads(out.getvalue())
        for row in rows:
            lines.append(json.dumps({"as_of": day, **row}, sort_keys=True))
    return lines


def _without_ids(lines: list[str]) -> list[str]:
    rows = [json.loads(line) for line in lines]
    for row in rows:
        assert row["flow"] is None or row["flow_reference"], row
        del row["flow"]
    return [json.dumps(row, sort_keys=True) for row in rows]


@pytest.mark.django_db
def test_findings_of_the_demo_and_a_synthetic_register_are_unchanged():
    seed_demo(TODAY)
    synthetic_register_create(parties=40, flows=240, seed=7, prefix="gold", today=TODAY)
    lines = _without_ids(_findings_lines())
    if os.environ.get("REGISTRY_WRITE_GOLDEN"):
        GOLDEN.write_text("\n".join(lines) + "\n")
    expected = GOLDEN.read_text().splitlines()
    assert len(lines) == len(expected)
    for got, want in zip(lines, expected, strict=True):
        assert got == want
