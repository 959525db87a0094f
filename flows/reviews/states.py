"""Where a finding stands with legal review, from its latest decision. Pure: no ORM.

A decision holds while the facts it judged are unchanged (same fingerprint) and, for an
accepted risk, until its review-by date. Accepted and waived findings no longer fail CI;
a requested change stays a failure until the editor fixes the facts (which clears the
finding) or a reviewer decides otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

ACCEPT_RISK, WAIVE, REQUEST_CHANGE = "accept_risk", "waive", "request_change"

OPEN = "open"
"""Never decided."""
LAPSED = "lapsed"
"""Decided, but a fact the decision judged has changed since."""
EXPIRED = "expired"
"""Accepted risk past its review-by date."""
ACCEPTED = "accepted"
WAIVED = "waived"
CHANGE_REQUESTED = "change_requested"

STATE_LABELS = {
    OPEN: "Open",
    LAPSED: "Open again: facts changed",
    EXPIRED: "Open again: review-by date passed",
    ACCEPTED: "Risk accepted",
    WAIVED: "Waived",
    CHANGE_REQUESTED: "Change requested",
}
NEEDS_DECISION = frozenset({OPEN, LAPSED, EXPIRED})
"""States the reviewer's queue shows by default."""
SETTLED = frozenset({ACCEPTED, WAIVED})
"""States that `check_flows --fail-on` ignores."""
_HELD = {ACCEPT_RISK: ACCEPTED, WAIVE: WAIVED, REQUEST_CHANGE: CHANGE_REQUESTED}


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """The latest decision on one (rule, flow), as plain values."""

    id: int
    rule: str
    flow: int
    decision: str
    reason: str
    decided_by: str
    decided_at: datetime
    fingerprint: str
    review_by: date | None = None
    assignee: str = ""


def decision_state(
    decision: DecisionRecord | None, fingerprint_now: str | None, as_of: date
) -> str:
    """OPEN without a decision; LAPSED when the facts changed; EXPIRED when an accepted risk
    is past its review-by date on `as_of`; else what the decision says."""
    if decision is None:
        return OPEN
    if fingerprint_now is not None and fingerprint_now != decision.fingerprint:
        return LAPSED
    if decision.decision == ACCEPT_RISK and decision.review_by and decision.review_by < as_of:
        return EXPIRED
    return _HELD.get(decision.decision, OPEN)
