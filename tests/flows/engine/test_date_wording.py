"""Findings' words fit the date: a tool used before it existed is said to not exist yet, a
tool struck down is said to be invalidated, each with its day.

Acme GmbH (DE) sends contact data to CloudCo Hosting (US processor) under a DPA.
"""

from __future__ import annotations

import pytest

from flows.engine.records import Register
from flows.engine.rules import evaluate
from flows.engine.wording import MECHANISM_LABELS, not_yet_in_force
from tests.flows.engine.record_builders import DPA, agreement, d, flow, register, the

DE_DPA = agreement("dpa-de", "dpa", "acme-de", "cloudco", flowdown=True)


def transfer(mechanism: str) -> Register:
    record = flow(1, "acme-de", "cloudco", transfer_mechanism=mechanism, started_on=d("2014-01-01"))
    return register([record], [DE_DPA, DPA])


def test_a_tool_before_it_existed_is_said_not_to_exist_yet_with_its_first_day():
    text = not_yet_in_force(MECHANISM_LABELS["privacy_shield"], d("2015-10-05"), d("2016-07-12"))
    assert text == "Privacy Shield did not exist yet on 2015-10-05 (in force from 2016-07-12)"


@pytest.mark.parametrize(
    ("mechanism", "day", "words"),
    [
        ("privacy_shield", "2015-10-05",
         "Privacy Shield did not exist yet on 2015-10-05 (in force from 2016-07-12)"),
        ("scc_2021", "2021-01-04", "SCCs 2021 did not exist yet on 2021-01-04"),
    ],
)  # fmt: skip
def test_a_finding_on_a_day_before_its_tool_existed_says_so_plainly(mechanism, day, words):
    found = the(transfer(mechanism), "INVALID_TRANSFER_MECHANISM", as_of=d(day))
    assert words in found.message
    assert "could not be relied on" not in found.message


def test_a_tool_struck_down_is_invalidated_on_the_day_of_the_judgment():
    found = the(transfer("safe_harbor"), "INVALID_TRANSFER_MECHANISM", as_of=d("2015-10-06"))
    assert "Safe Harbor was invalidated on 2015-10-06 (CJEU C-362/14, Schrems I)" in found.message
    assert "did not exist yet" not in found.message


def test_a_tool_in_force_is_not_flagged_on_the_day_before_it_fell():
    rules = {f.rule for f in evaluate(transfer("safe_harbor"), d("2015-10-05"))}
    assert "INVALID_TRANSFER_MECHANISM" not in rules
