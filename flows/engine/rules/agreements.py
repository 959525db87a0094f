"""The agreement rules: is each flow bound by an agreement of the kind its recipient's role
needs (GDPR Art. 28(3) for processors, 28(4) for sub-processors, 26(1) for joint controllers),
in force on the date, and not only a non-disclosure agreement.

NO_AGREEMENT, EXPIRED_AGREEMENT and NDA_ONLY exclude each other: the context decides which of
them applies to a flow (FlowFacts.agreement_gap). None of them applies to a sub-processor flow:
the customer holds no contract with the sub-processor (GDPR Art. 28(4) puts it between the
processors), and the chain rules judge its engagement instead. AGREEMENT_EXPIRING warns ahead
of an expiry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from flows.engine.context import RuleContext, flow_finding
from flows.engine.facts import FlowFacts
from flows.engine.records import Finding
from flows.engine.wording import (
    FLAG_WORDS,
    KIND_LABELS,
    ROLE_CITATIONS,
    listing,
    why_not_effective,
)

CRITICAL_FLAGS = ("special_category", "children", "payment_card")
EXPIRY_WARNING = timedelta(days=90)


def _kinds_needed(ctx: RuleContext, facts: FlowFacts) -> str:
    """The fitting kinds, leaving out SCCs that cannot be concluded on the date."""
    kinds = sorted(k for k in ctx.fitting_kinds(facts.flow) if ctx.kind_usable(k, facts))
    if not kinds:
        return f"no agreement kind fits the role '{facts.flow.role}'; correct the role first"
    return " or ".join(KIND_LABELS.get(kind, kind) for kind in kinds)


def _agreement_citation(facts: FlowFacts) -> str:
    citation = ROLE_CITATIONS.get(facts.flow.role, "GDPR Art. 28(3)")
    if "payment_card" in facts.flagged:
        citation += "; PCI DSS v4.0.1 Req. 12.8.2"
    return citation


def no_agreement(ctx: RuleContext) -> Iterator[Finding]:
    """No agreement of a kind that fits the recipient's role binds source and target (not
    asked of a sub-processor flow: see the module docstring).

    Basis: GDPR Art. 28(3) and 28(9) (processors), 26(1) (joint controllers); accountability
    (GDPR Art. 5(2) and 24) and CCPA § 1798.100(d) for controllers; PCI DSS v4.0.1 Req.
    12.8.2 for card data. Critical when the flow carries
    special-category, children's or card data.
    """
    for facts in ctx.with_gap["NO_AGREEMENT"]:
        sensitive = [flag for flag in CRITICAL_FLAGS if flag in facts.flagged]
        message = (
            f"No agreement binds {facts.source_name} and {facts.target_name} for "
            f"{ctx.words(facts)}. Needed: {_kinds_needed(ctx, facts)}."
        )
        if sensitive:
            carried = ", ".join(
                f"{FLAG_WORDS[flag]} ({ctx.category_names(facts.flagged[flag])})"
                for flag in sensitive
            )
            message += f" The flow carries {carried}."
        yield flow_finding(
            "NO_AGREEMENT",
            "critical" if sensitive else "high",
            facts,
            message,
            _agreement_citation(facts),
            f"Confirm {facts.target_name}'s role, then sign the agreement it needs; if none "
            "can be signed, stop or re-scope the flow.",
        )


def expired_agreement(ctx: RuleContext) -> Iterator[Finding]:
    """A fitting agreement exists but is not effective on the date: it expired, was
    terminated or has not taken effect yet.

    Basis: as NO_AGREEMENT; the contract must govern the processing while it happens
    (GDPR Art. 28(3)).
    """
    for facts in ctx.with_gap["EXPIRED_AGREEMENT"]:
        reasons = listing(why_not_effective(a, ctx.as_of) for a in facts.lapsed)
        yield flow_finding(
            "EXPIRED_AGREEMENT",
            "high",
            facts,
            f"No agreement between {facts.source_name} and {facts.target_name} is in force on "
            f"{ctx.as_of.isoformat()} for {ctx.words(facts)}: {reasons}.",
            _agreement_citation(facts),
            "Renew or extend the agreement, or sign a new one; check whether processing during "
            "the gap needs remediation, and the return or deletion of data if the relationship "
            "ended (Art. 28(3)(g)).",
        )


def nda_only(ctx: RuleContext) -> Iterator[Finding]:
    """Only a non-disclosure agreement binds source and target.

    Basis: an NDA covers at most confidentiality (GDPR Art. 28(3)(b)); it lacks the other
    Art. 28(3) terms, any GDPR Chapter V safeguard, the contract terms of the CCPA
    Regulations (Cal. Code Regs. tit. 11, § 7051) and the PCI DSS v4.0.1 Req. 12.8.2
    acknowledgment.
    """
    for facts in ctx.with_gap["NDA_ONLY"]:
        references = ", ".join(a.reference for a in facts.ndas)
        yield flow_finding(
            "NDA_ONLY",
            "high",
            facts,
            f"Only a non-disclosure agreement ({references}) binds {facts.source_name} and "
            f"{facts.target_name} for {ctx.words(facts)}; an NDA covers confidentiality, "
            f"not the terms this flow needs. Needed: {_kinds_needed(ctx, facts)}.",
            f"{_agreement_citation(facts)}; an NDA covers at most Art. 28(3)(b)",
            "Treat the flow as having no agreement: sign the agreement its role needs, or stop "
            "the flow.",
        )


def agreement_expiring(ctx: RuleContext) -> Iterator[Finding]:
    """A qualifying agreement of the flow expires within 90 days of the date.

    Basis: the contract must keep governing the processing (GDPR Art. 28(3), 28(9)); the
    90-day window is product policy, not law.
    """
    horizon = ctx.as_of + EXPIRY_WARNING
    # Few agreements expire in any 90 days: find them first, then the flows they cover.
    expiring = {
        id(a)
        for a in ctx.register.agreements
        if a.expires_on is not None and ctx.as_of <= a.expires_on <= horizon
    }
    if not expiring:
        return
    for facts in ctx.flows:
        ending = [
            (a.expires_on, a.reference)
            for a in facts.qualifying
            if id(a) in expiring and a.expires_on is not None
        ]
        if not ending:
            continue
        expires, reference = min(ending)
        days = (expires - ctx.as_of).days
        yield flow_finding(
            "AGREEMENT_EXPIRING",
            "info",
            facts,
            f"Agreement {reference} between {facts.source_name} and {facts.target_name} "
            f"expires on {expires.isoformat()}, in {days} day{'s' if days != 1 else ''}.",
            _agreement_citation(facts),
            f"Renew or extend {reference} before {expires.isoformat()}, or plan to stop the flow.",
        )
