"""The flag rules: one function a rule, collected in RULES, run by `evaluate`.

Each rule reads a RuleContext (flows/engine/context.py) built once per evaluation and yields
Findings for the flows active on the date; the transfer and onward-transfer rules live in
flows/engine/rules/transfers.py, the wording of findings in flows/engine/wording.py. Identifiers are a
public interface (CLI JSON, UI, exports, waivers): never rename one. Definitions and
severities follow issue 3; citations and remedies come from the legal rulebook, sections 3, 7
and 8 (shared/reference/legal-rulebook.md). Items the rulebook tags [U] (not verified) are
marked so where a rule relies on them.

Every finding goes to a human reviewer; none is legal advice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from flows.engine.context import FlowFacts, RuleContext, flow_finding, sorted_keys
from flows.engine.records import SEVERITIES, Finding, Register
from flows.engine.rules.transfers import (
    invalid_transfer_mechanism,
    missing_tia,
    no_transfer_mechanism,
    onward_transfer_uncovered,
    scc_module_mismatch,
)
from flows.engine.wording import (
    FLAG_WORDS,
    KIND_LABELS,
    ROLE_CITATIONS,
    ROLE_WORDS,
    flow_label,
    lawful_basis_words,
    listing,
    why_not_effective,
)

CRITICAL_FLAGS = ("special_category", "children", "payment_card")
EXPIRY_WARNING = timedelta(days=90)
PCI_ATTESTATION_AGE = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: its stable identifier, usual severity, a title for lists, and its check."""

    identifier: str
    severity: str
    """The usual severity; NO_AGREEMENT raises it to critical for sensitive data."""
    title: str
    check: Callable[[RuleContext], Iterable[Finding]]


def _kinds_needed(ctx: RuleContext, facts: FlowFacts) -> str:
    kinds = sorted(ctx.fitting_kinds(facts.flow))
    if not kinds:
        return f"no agreement kind fits the role '{facts.flow.role}'; correct the role first"
    return " or ".join(KIND_LABELS.get(kind, kind) for kind in kinds)


def _agreement_citation(facts: FlowFacts) -> str:
    citation = ROLE_CITATIONS.get(facts.flow.role, "GDPR Art. 28(3)")
    if "payment_card" in facts.flagged:
        citation += "; PCI DSS v4.0.1 Req. 12.8.2"
    return citation


def _flow_words(facts: FlowFacts) -> str:
    role = ROLE_WORDS.get(facts.flow.role, facts.flow.role or "unknown role")
    categories = ", ".join(sorted_keys(facts.flow.categories))
    return f"the flow of {categories} to {facts.target_name} as {role}"


def no_agreement(ctx: RuleContext) -> Iterator[Finding]:
    """No agreement of a kind that fits the recipient's role binds source and target.

    Basis: GDPR Art. 28(3) and 28(9) (processors), 28(2) and 28(4) (sub-processors), 26(1)
    (joint controllers); accountability and CCPA § 1798.100(d) for controllers; PCI DSS
    12.8.2 for card data (rulebook R-01). Critical when the flow carries special-category,
    children's or card data.
    """
    for facts in ctx.with_gap["NO_AGREEMENT"]:
        sensitive = [flag for flag in CRITICAL_FLAGS if flag in facts.flagged]
        message = (
            f"No agreement binds {facts.source_name} and {facts.target_name} for "
            f"{_flow_words(facts)}. Needed: {_kinds_needed(ctx, facts)}."
        )
        if sensitive:
            carried = ", ".join(
                f"{FLAG_WORDS[flag]} ({', '.join(facts.flagged[flag])})" for flag in sensitive
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
    (GDPR Art. 28(3), rulebook R-03).
    """
    for facts in ctx.with_gap["EXPIRED_AGREEMENT"]:
        reasons = listing(why_not_effective(a, ctx.as_of) for a in facts.lapsed)
        yield flow_finding(
            "EXPIRED_AGREEMENT",
            "high",
            facts,
            f"No agreement between {facts.source_name} and {facts.target_name} is in force on "
            f"{ctx.as_of.isoformat()} for {_flow_words(facts)}: {reasons}.",
            _agreement_citation(facts),
            "Renew or extend the agreement, or sign a new one; check whether processing during "
            "the gap needs remediation, and the return or deletion of data if the relationship "
            "ended (Art. 28(3)(g)).",
        )


def nda_only(ctx: RuleContext) -> Iterator[Finding]:
    """Only a non-disclosure agreement binds source and target.

    Basis: an NDA covers at most confidentiality (GDPR Art. 28(3)(b)); it lacks the other
    Art. 28(3) terms, any Chapter V safeguard, CCPA § 7051 terms and the PCI DSS 12.8.2
    acknowledgment (rulebook R-05 and section 8).
    """
    for facts in ctx.with_gap["NDA_ONLY"]:
        references = ", ".join(a.reference for a in facts.ndas)
        yield flow_finding(
            "NDA_ONLY",
            "high",
            facts,
            f"Only a non-disclosure agreement ({references}) binds {facts.source_name} and "
            f"{facts.target_name} for {_flow_words(facts)}; an NDA covers confidentiality, "
            f"not the terms this flow needs. Needed: {_kinds_needed(ctx, facts)}.",
            f"{_agreement_citation(facts)}; an NDA covers at most Art. 28(3)(b)",
            "Treat the flow as having no agreement: sign the agreement its role needs, or stop "
            "the flow.",
        )


def no_lawful_basis(ctx: RuleContext) -> Iterator[Finding]:
    """No lawful basis is recorded. A sub-processor works under the basis of the flow that
    brought it the data, so its flows are not asked for one.

    Basis: GDPR and UK GDPR Art. 6(1): processing is lawful only if a basis applies
    (rulebook R-12).
    """
    for facts in ctx.without_basis:
        flow = facts.flow
        if flow.role == "subprocessor":
            continue
        yield flow_finding(
            "NO_LAWFUL_BASIS",
            "critical",
            facts,
            f"No lawful basis is recorded for {_flow_words(facts)} from {facts.source_name} "
            f"(purpose {flow.purpose}).",
            "GDPR Art. 6(1); UK GDPR Art. 6(1)",
            "Record the Art. 6(1) basis the disclosure rests on; if none fits, stop the flow.",
        )


def special_category_no_art9_condition(ctx: RuleContext) -> Iterator[Finding]:
    """Special-category data without an Art. 9(2) condition (not asked of sub-processors).

    Basis: GDPR Art. 9(1)-(2); UK DPA 2018 Sch. 1 where needed (rulebook R-15).
    """
    for facts in ctx.with_flag["special_category"]:
        flow = facts.flow
        if flow.role == "subprocessor" or flow.art9_condition:
            continue
        special = facts.flagged["special_category"]
        yield flow_finding(
            "SPECIAL_CATEGORY_NO_ART9_CONDITION",
            "critical",
            facts,
            f"The flow from {facts.source_name} to {facts.target_name} carries special-category "
            f"data ({', '.join(special)}) but records no Art. 9(2) condition.",
            "GDPR Art. 9(1)-(2); UK DPA 2018 Sch. 1",
            "Identify and record the Art. 9(2) condition (and the Art. 6 basis); otherwise stop "
            "disclosing that data, and consider a DPIA.",
            categories=special,
        )


def subprocessor_not_authorised(ctx: RuleContext) -> Iterator[Finding]:
    """A sub-processor engaged although the agreement of a group member that sends the
    processor some of the same data allows no sub-processors, or allows them only with
    specific authorisation and the sub-processor is not approved. Upstream flows with no
    qualifying agreement are already flagged themselves, so they are skipped here.

    Basis: GDPR Art. 28(2) and 28(3)(d); SCCs 2021 Clause 9; Swiss DPO Art. 7 (rulebook R-06).
    """
    index = _UpstreamRefusals(ctx)
    # One upstream flow often refuses many sub-processors: word its terms once per status.
    wording: dict[tuple[int, str], tuple[str, str]] = {}
    for facts in ctx.subprocessing:
        flow = facts.flow
        if flow.source not in index.by_processor:
            continue
        status = facts.target.status if facts.target else "unknown"
        upstream = index.first_refusal(flow.source, flow.categories, status == "approved")
        if upstream is None:
            continue
        upstream_words = wording.get((upstream.flow.id, status))
        if upstream_words is None:
            terms = "; ".join(
                f"{a.reference} {_authorisation_words(a.subprocessor_authorisation, status)}"
                for a in upstream.qualifying
            )
            upstream_words = wording[(upstream.flow.id, status)] = (
                f"{upstream.source_name} ({flow_label(upstream.flow)})",
                terms,
            )
        source_words, terms = upstream_words
        yield flow_finding(
            "SUBPROCESSOR_NOT_AUTHORISED",
            "high",
            facts,
            f"{facts.source_name} passes data it receives from {source_words} on to "
            f"sub-processor {facts.target_name}, but {terms}.",
            "GDPR Art. 28(2), 28(3)(d); SCCs 2021 Clause 9",
            f"Obtain {upstream.source_name}'s written authorisation for {facts.target_name} "
            "(and approve its onboarding), or stop using it.",
        )


_Refusals = dict[str, list[FlowFacts]]


class _UpstreamRefusals:
    """Flows from group members into each processor whose qualifying agreements refuse
    sub-processors: outright (every one says "none") or unless the sub-processor is approved
    (the best one says "specific"). One agreement with a general authorisation is enough:
    the most permissive agreement in force governs.

    Indexed by category, so that a sub-processor flow looks up only its own categories,
    their ancestors and the used categories below them.
    """

    def __init__(self, ctx: RuleContext) -> None:
        self.by_processor: dict[str, tuple[_Refusals, _Refusals]] = {}
        engaging = {facts.flow.source for facts in ctx.subprocessing}
        for upstream in ctx.flows:
            if upstream.flow.target not in engaging or not upstream.qualifying:
                continue
            if upstream.flow.source not in ctx.group:
                continue
            terms = {a.subprocessor_authorisation for a in upstream.qualifying}
            if "general" in terms:
                continue
            pair = self.by_processor.get(upstream.flow.target)
            if pair is None:
                pair = self.by_processor[upstream.flow.target] = ({}, {})
            refusals = pair[1] if "specific" in terms else pair[0]
            for key in set(upstream.flow.categories):
                refusals.setdefault(key, []).append(upstream)
        self._ctx = ctx
        self._related: dict[tuple[str, ...], frozenset[str]] = {}

    def first_refusal(
        self, processor: str, categories: tuple[str, ...], approved: bool
    ) -> FlowFacts | None:
        """The lowest-numbered upstream flow sharing a category that refuses the
        sub-processor, or None."""
        outright, unless_approved = self.by_processor[processor]
        related = self._related.get(categories)
        if related is None:  # flows share a few combinations of categories: compute each once
            related = self._related[categories] = frozenset(
                key
                for category in categories
                for key in (*self._ctx.taxonomy.lineage(category), *self._ctx.under(category))
            )
        # Each list was filled in flow id order (ctx.flows is sorted), so its first entry
        # is its lowest-numbered flow.
        found: FlowFacts | None = None
        for table in (outright,) if approved else (outright, unless_approved):
            for key in related.intersection(table):
                first = table[key][0]
                if found is None or first.flow.id < found.flow.id:
                    found = first
        return found


def _authorisation_words(authorisation: str, status: str) -> str:
    if authorisation == "specific":
        return (
            f"allows sub-processors only with specific authorisation, and this one's status "
            f"is '{status}', not approved"
        )
    return "allows no sub-processors"


def subprocessor_no_flowdown(ctx: RuleContext) -> Iterator[Finding]:
    """A sub-processor bound by qualifying agreements none of which flows the processor's
    obligations down.

    Basis: GDPR Art. 28(4) (same obligations by contract; the initial processor stays
    liable); CCPA § 1798.140(ag)(2) (rulebook R-07).
    """
    for facts in ctx.subprocessing:
        if not facts.qualifying or any(a.flowdown for a in facts.qualifying):
            continue
        references = ", ".join(a.reference for a in facts.qualifying)
        yield flow_finding(
            "SUBPROCESSOR_NO_FLOWDOWN",
            "high",
            facts,
            f"None of the agreements between {facts.source_name} and sub-processor "
            f"{facts.target_name} ({references}) flows the data-protection obligations down.",
            "GDPR Art. 28(4)",
            "Ask the processor for a sub-processing contract with the same data-protection "
            "obligations, and record it with flow-down.",
        )


def child_data_no_parental_consent(ctx: RuleContext) -> Iterator[Finding]:
    """Children's data on a lawful basis other than consent (not asked of sub-processors).

    Basis: COPPA 15 U.S.C. § 6502(b)(1)(A)(ii) and 16 CFR 312.5 (verifiable parental consent;
    the section number for the separate third-party consent is [U]); GDPR Art. 8 (rulebook
    R-25, R-17).
    """
    for facts in ctx.with_flag["children"]:
        flow = facts.flow
        if flow.role == "subprocessor" or flow.lawful_basis == "consent":
            continue
        children = facts.flagged["children"]
        yield flow_finding(
            "CHILD_DATA_NO_PARENTAL_CONSENT",
            "critical",
            facts,
            f"The flow from {facts.source_name} to {facts.target_name} carries children's data "
            f"({', '.join(children)}) and {lawful_basis_words(flow.lawful_basis)}, not "
            "(parental) consent.",
            "COPPA 15 U.S.C. § 6502(b)(1)(A)(ii); 16 CFR 312.5; GDPR Art. 8",
            "Obtain verifiable parental consent for the disclosure and record it, or stop the "
            "flow and delete data collected without it.",
            categories=children,
        )


def card_data_to_non_pci_vendor(ctx: RuleContext) -> Iterator[Finding]:
    """Card data to a recipient outside the group without a PCI DSS attestation dated within
    the 365 days up to the date.

    Basis: PCI DSS v4.0.1 Req. 12.8.2 and 12.8.4 (service provider compliance monitored at
    least every 12 months); contractual, not statutory (rulebook R-32).
    """
    for facts in ctx.with_flag["payment_card"]:
        if facts.flow.target in ctx.group:
            continue
        card = facts.flagged["payment_card"]
        attested = facts.target.pci_attested_on if facts.target else None
        if attested is not None and ctx.as_of - PCI_ATTESTATION_AGE <= attested <= ctx.as_of:
            continue
        if attested is None:
            why = "has no PCI DSS attestation of compliance on record"
        elif attested > ctx.as_of:
            why = f"has a PCI DSS attestation dated {attested.isoformat()}, after the date"
        else:
            why = (
                f"was last attested PCI DSS compliant on {attested.isoformat()}, more than "
                f"365 days before {ctx.as_of.isoformat()}"
            )
        yield flow_finding(
            "CARD_DATA_TO_NON_PCI_VENDOR",
            "critical",
            facts,
            f"{facts.target_name} receives payment card data ({', '.join(card)}) from "
            f"{facts.source_name} but {why}.",
            "PCI DSS v4.0.1 Req. 12.8.2, 12.8.4",
            "Obtain a current attestation of compliance and a written acknowledgment of "
            "responsibility, or stop sending card data (tokenise, or use a compliant processor).",
            categories=card,
        )


def sale_or_share_without_consent(ctx: RuleContext) -> Iterator[Finding]:
    """A purpose that sells or shares personal data, on a basis other than consent.

    Basis: CCPA Cal. Civ. Code § 1798.120 and § 1798.135 (opt-out of sale or sharing); GDPR
    Art. 6(1)(a); the 2015 policy's promise not to sell data without consent (rulebook R-27;
    the FTC Act § 5 deception point is [U]).
    """
    for facts in ctx.sales:
        flow = facts.flow
        if flow.lawful_basis == "consent":
            continue
        yield flow_finding(
            "SALE_OR_SHARE_WITHOUT_CONSENT",
            "critical",
            facts,
            f"The purpose {flow.purpose} sells or shares personal data with "
            f"{facts.target_name}, but the flow {lawful_basis_words(flow.lawful_basis)}, not "
            "consent.",
            "CCPA Cal. Civ. Code § 1798.120, § 1798.135; GDPR Art. 6(1)(a)",
            "Stop the sale or sharing, or obtain and record consent; honour opt-outs and make "
            "the notice match.",
        )


def agreement_expiring(ctx: RuleContext) -> Iterator[Finding]:
    """A qualifying agreement of the flow expires within 90 days of the date.

    Basis: the contract must keep governing the processing (GDPR Art. 28(3), 28(9));
    rulebook R-24 (watch items; the 90-day window is product policy, not law).
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


RULES: tuple[Rule, ...] = (
    Rule("NO_AGREEMENT", "high", "No agreement", no_agreement),
    Rule("EXPIRED_AGREEMENT", "high", "Agreement not in force", expired_agreement),
    Rule("NDA_ONLY", "high", "Only an NDA", nda_only),
    Rule("NO_LAWFUL_BASIS", "critical", "No lawful basis", no_lawful_basis),
    Rule(
        "SPECIAL_CATEGORY_NO_ART9_CONDITION",
        "critical",
        "Special-category data without an Art. 9 condition",
        special_category_no_art9_condition,
    ),
    Rule("NO_TRANSFER_MECHANISM", "critical", "No transfer mechanism", no_transfer_mechanism),
    Rule(
        "INVALID_TRANSFER_MECHANISM",
        "critical",
        "Invalid transfer mechanism",
        invalid_transfer_mechanism,
    ),
    Rule("MISSING_TIA", "high", "No transfer impact assessment", missing_tia),
    Rule("SCC_MODULE_MISMATCH", "high", "Wrong SCC module", scc_module_mismatch),
    Rule(
        "SUBPROCESSOR_NOT_AUTHORISED",
        "high",
        "Sub-processor not authorised",
        subprocessor_not_authorised,
    ),
    Rule(
        "SUBPROCESSOR_NO_FLOWDOWN",
        "high",
        "No flow-down to the sub-processor",
        subprocessor_no_flowdown,
    ),
    Rule(
        "ONWARD_TRANSFER_UNCOVERED",
        "high",
        "Onward transfer not covered",
        onward_transfer_uncovered,
    ),
    Rule(
        "CHILD_DATA_NO_PARENTAL_CONSENT",
        "critical",
        "Children's data without parental consent",
        child_data_no_parental_consent,
    ),
    Rule(
        "CARD_DATA_TO_NON_PCI_VENDOR",
        "critical",
        "Card data to a vendor without a PCI attestation",
        card_data_to_non_pci_vendor,
    ),
    Rule(
        "SALE_OR_SHARE_WITHOUT_CONSENT",
        "critical",
        "Sale or sharing without consent",
        sale_or_share_without_consent,
    ),
    Rule("AGREEMENT_EXPIRING", "info", "Agreement expiring soon", agreement_expiring),
)
"""The rules in the order of issue 3; `evaluate` runs them all unless told otherwise."""

RULE_IDS: tuple[str, ...] = tuple(rule.identifier for rule in RULES)
RULES_BY_ID: dict[str, Rule] = {rule.identifier: rule for rule in RULES}


_RANKS = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def finding_order(finding: Finding) -> tuple[object, ...]:
    """Finding.sort_key() spelled out (it runs 100,000 times), then the remaining fields so
    that ties never depend on input order."""
    return (
        _RANKS[finding.severity],
        finding.rule,
        finding.flow if finding.flow is not None else -1,
        finding.source or "",
        finding.target or "",
        finding.categories,
        finding.path,
        finding.message,
    )


def evaluate(register: Register, as_of: date, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """Findings for the flows active on `as_of`, worst first, in a deterministic order."""
    context = RuleContext(register, as_of)
    findings = [finding for rule in rules for finding in rule.check(context)]
    findings.sort(key=finding_order)
    return findings


def findings_by_flow(findings: Iterable[Finding]) -> dict[int, list[Finding]]:
    """Findings grouped by flow id, keeping their order (for flow and party pages)."""
    grouped: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.flow is not None:
            grouped[finding.flow].append(finding)
    return dict(grouped)
