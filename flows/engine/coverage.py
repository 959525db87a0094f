"""Which agreements cover a flow on a day, and why each other agreement naming both parties
does not: what the flow's, the agreement's and a finding's pages answer.

The test is the rules' own (context.RuleContext: in force on the day, naming source and
target, covering the flow's categories, of a kind that fits the flow's role: GDPR Art. 28(3)
and 28(4) for processors and sub-processors, Art. 26(1) for joint controllers), applied to
one agreement at a time so that a page can say which condition failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.engine.context import NDA, RuleContext
from flows.engine.records import AgreementRecord, AgreementState, FlowRecord, agreement_state
from flows.engine.wording import KIND_LABELS, ROLE_WORDS, why_not_effective


@dataclass(frozen=True, slots=True)
class Fit:
    """One agreement measured against one flow on a day."""

    agreement: AgreementRecord
    covers: bool
    fitting_kind: bool
    reason: str
    """In words: "covers this flow on 2026-12-01", "expired on 2024-05-31"..."""


def agreement_fit(context: RuleContext, flow: FlowRecord, agreement: AgreementRecord) -> Fit:
    """How `agreement` stands to `flow` on the context's date; the first failed condition,
    in the order a lawyer checks them: the parties, the kind, the categories, the dates."""
    day = context.as_of
    if not {flow.source, flow.target} <= agreement.parties:
        return Fit(agreement, False, False, "does not name both parties of this flow")
    role = ROLE_WORDS.get(flow.role, flow.role or "unknown role")
    if agreement.kind == NDA:
        reason = "a non-disclosure agreement sets none of the terms Art. 28(3) requires"
        return Fit(agreement, False, False, reason)
    if agreement.kind not in context.fitting_kinds(flow):
        kind = KIND_LABELS.get(agreement.kind, agreement.kind)
        if flow.transfer_agreement == agreement.reference:
            reason = (
                f"the transfer tool this flow names; its kind ({kind}) is not the contract "
                f"for a flow to a {role}"
            )
        else:
            reason = f"its kind ({kind}) does not fit a flow to a {role}"
        return Fit(agreement, False, False, reason)
    missing = [c for c in flow.categories if not context.covers(agreement, (c,))]
    if agreement.categories and missing:
        names = ", ".join(sorted(context.category_name(c) for c in set(missing)))
        return Fit(agreement, False, True, f"does not cover {names}")
    if agreement_state(agreement, day) is not AgreementState.IN_FORCE:
        reason = why_not_effective(agreement, day).removeprefix(f"agreement {agreement.reference} ")
        return Fit(agreement, False, True, reason)
    return Fit(agreement, True, True, f"covers this flow on {day.isoformat()}")


def flow_coverage(context: RuleContext, flow: FlowRecord) -> tuple[Fit, ...]:
    """Every agreement naming both parties of the flow, measured against it: those that cover
    it first, then those of a fitting kind (lapsed, or short of a category), then the others;
    by reference within each."""
    fits = [agreement_fit(context, flow, a) for a in context.binding(flow.source, flow.target)]
    return tuple(
        sorted(fits, key=lambda f: (not f.covers, not f.fitting_kind, f.agreement.reference))
    )


def uncovered_reason(context: RuleContext, flow: FlowRecord, fits: tuple[Fit, ...]) -> str:
    """Why no agreement covers the flow, in one sentence; empty when one does."""
    if any(f.covers for f in fits):
        return ""
    if not fits:
        return "No agreement names both parties of this flow."
    day = context.as_of.isoformat()
    fitting = [f for f in fits if f.fitting_kind]
    if fitting:
        first = fitting[0]
        why = f"{first.agreement.reference} {first.reason}"
        return f"No agreement covers this flow on {day}: {why}."
    return f"No agreement of a kind that fits this flow names both parties on {day}."
