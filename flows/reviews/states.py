"""Where a finding stands with legal review, from its latest decision. Pure: no ORM.

A decision holds while the facts it judged are unchanged (same fingerprint) and, for an
accepted risk, until its review-by date. Accepted and waived findings no longer fail CI;
a requested change stays a failure until the editor fixes the facts (which clears the
finding) or a reviewer decides otherwise.

Four eyes: accepting the risk of a critical finding (while settings.REVIEW_FOUR_EYES is on
when it is recorded) takes a second reviewer's confirmation; until then the finding is not
settled, and a refusal opens it again.
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
AWAITING = "awaiting_second"
"""A critical finding's accepted risk that a second reviewer has not confirmed yet."""
REFUSED = "refused"
"""A critical finding's accepted risk that a second reviewer refused."""
ACCEPTED = "accepted"
WAIVED = "waived"
CHANGE_REQUESTED = "change_requested"

STATE_LABELS = {
    OPEN: "Open",
    LAPSED: "Open again: facts changed",
    EXPIRED: "Open again: review-by date passed",
    REFUSED: "Open again: risk acceptance refused",
    AWAITING: "Risk acceptance awaiting a second reviewer",
    ACCEPTED: "Risk accepted",
    WAIVED: "Waived",
    CHANGE_REQUESTED: "Change requested",
}
STATE_TAGS = {
    OPEN: "",
    LAPSED: "status-rejected",
    EXPIRED: "status-rejected",
    REFUSED: "status-rejected",
    AWAITING: "status-submitted",
    ACCEPTED: "status-approved",
    WAIVED: "status-approved",
    CHANGE_REQUESTED: "status-under_review",
}
"""The site's colour for each state (site.css): green settled, yellow pending, red reopened."""
NEEDS_DECISION = frozenset({OPEN, LAPSED, EXPIRED, REFUSED, AWAITING})
"""States the reviewer's queue shows by default, and the pages count as open: an acceptance
that awaits its second reviewer still needs a reviewer's act."""
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
    decided_by_name: str = ""
    """What people read: the reviewer's full name, else the user name."""
    assignee_name: str = ""
    needs_second: bool = False
    """An accepted risk that takes a second reviewer's confirmation."""
    second_by: str = ""
    """The user name of the second reviewer who answered; empty while none has."""
    second_by_name: str = ""
    second_confirmed: bool = False
    second_reason: str = ""
    second_at: datetime | None = None


def decision_state(
    decision: DecisionRecord | None, fingerprint_now: str | None, as_of: date
) -> str:
    """OPEN without a decision; LAPSED when the facts changed; AWAITING or REFUSED while a
    second reviewer has not confirmed an acceptance that needs one; EXPIRED when an accepted
    risk is past its review-by date on `as_of`; else what the decision says."""
    if decision is None:
        return OPEN
    if fingerprint_now is not None and fingerprint_now != decision.fingerprint:
        return LAPSED
    if decision.decision == ACCEPT_RISK and decision.needs_second:
        if not decision.second_by:
            return AWAITING
        if not decision.second_confirmed:
            return REFUSED
    if decision.decision == ACCEPT_RISK and decision.review_by and decision.review_by < as_of:
        return EXPIRED
    return _HELD.get(decision.decision, OPEN)


def state_words(state: str, decision: DecisionRecord | None) -> str:
    """The state in words, with who and until when: "Risk accepted until 2027-03-01 by
    Rachel Reviewer", "Change requested from Eddie Editor"."""
    label = STATE_LABELS[state]
    if decision is None:
        return label
    by = decision.decided_by_name or decision.decided_by
    if state == ACCEPTED:
        until = f" until {decision.review_by.isoformat()}" if decision.review_by else ""
        second = decision.second_by_name or decision.second_by
        confirmed = f", confirmed by {second}" if second else ""
        return f"Risk accepted{until} by {by}{confirmed}"
    if state == WAIVED:
        return f"Waived by {by}"
    if state == CHANGE_REQUESTED:
        return f"Change requested from {decision.assignee_name or decision.assignee}"
    if state == AWAITING:
        return f"{label} (accepted by {by})"
    if state == REFUSED:
        return f"{label} by {decision.second_by_name or decision.second_by}"
    return label
