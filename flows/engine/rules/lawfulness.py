"""The lawfulness rules: a lawful basis for each disclosure (GDPR Art. 6(1)), a condition for
special-category data (Art. 9(2)), parental consent for children's data (COPPA, GDPR Art. 8),
an attested recipient for card data (PCI DSS) and consent for a sale or sharing (CCPA).

A sub-processor works under the basis of the flow that brought it the data, so the rules on
bases and conditions do not ask its flows for one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from flows.engine.context import RuleContext, flow_finding
from flows.engine.records import Finding
from flows.engine.wording import lawful_basis_words

PCI_ATTESTATION_AGE = timedelta(days=365)


def no_lawful_basis(ctx: RuleContext) -> Iterator[Finding]:
    """No lawful basis is recorded. A sub-processor works under the basis of the flow that
    brought it the data, so its flows are not asked for one.

    Basis: GDPR and UK GDPR Art. 6(1): processing is lawful only if a basis applies.
    """
    for facts in ctx.without_basis:
        flow = facts.flow
        if flow.role == "subprocessor":
            continue
        yield flow_finding(
            "NO_LAWFUL_BASIS",
            "critical",
            facts,
            f"No lawful basis is recorded for {ctx.words(facts)} from {facts.source_name} "
            f"(purpose: {ctx.purpose_name(flow.purpose)}).",
            "GDPR Art. 6(1); UK GDPR Art. 6(1)",
            "Record the Art. 6(1) basis the disclosure rests on; if none fits, stop the flow.",
        )


def special_category_no_art9_condition(ctx: RuleContext) -> Iterator[Finding]:
    """Special-category data without an Art. 9(2) condition (not asked of sub-processors).

    Basis: GDPR Art. 9(1)-(2); UK DPA 2018 Sch. 1 where needed.
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
            f"data ({ctx.category_names(special)}) but records no Art. 9(2) condition.",
            "GDPR Art. 9(1)-(2); UK DPA 2018 Sch. 1",
            "Identify and record the Art. 9(2) condition (and the Art. 6 basis); otherwise stop "
            "disclosing that data, and consider a DPIA.",
            categories=special,
        )


def child_data_no_parental_consent(ctx: RuleContext) -> Iterator[Finding]:
    """Children's data on a lawful basis other than consent (not asked of sub-processors).

    Basis: COPPA 15 U.S.C. § 6502(b)(1)(A)(ii) and 16 CFR 312.5 (verifiable parental
    consent); GDPR Art. 8. Unverified: the section of 16 CFR 312.5 for the separate consent
    to disclosure to third parties.
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
            f"({ctx.category_names(children)}) and {lawful_basis_words(flow.lawful_basis)}, not "
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
    least every 12 months); contractual, not statutory.
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
            f"{facts.target_name} receives payment card data ({ctx.category_names(card)}) from "
            f"{facts.source_name} but {why}.",
            "PCI DSS v4.0.1 Req. 12.8.2, 12.8.4",
            "Obtain a current attestation of compliance and a written acknowledgment of "
            "responsibility, or stop sending card data (tokenise, or use a compliant processor).",
            categories=card,
        )


def sale_or_share_without_consent(ctx: RuleContext) -> Iterator[Finding]:
    """A purpose that sells or shares personal data, on a basis other than consent.

    Basis: CCPA Cal. Civ. Code § 1798.120 and § 1798.135 (opt-out of sale or sharing); GDPR
    Art. 6(1)(a); the 2015 policy's promise not to sell data without consent. Unverified:
    that breaking that promise is deception under FTC Act § 5 (15 U.S.C. § 45).
    """
    for facts in ctx.sales:
        flow = facts.flow
        if flow.lawful_basis == "consent":
            continue
        yield flow_finding(
            "SALE_OR_SHARE_WITHOUT_CONSENT",
            "critical",
            facts,
            f"The purpose “{ctx.purpose_name(flow.purpose)}” sells or shares personal data with "
            f"{facts.target_name}, but the flow {lawful_basis_words(flow.lawful_basis)}, not "
            "consent.",
            "CCPA Cal. Civ. Code § 1798.120, § 1798.135; GDPR Art. 6(1)(a)",
            "Stop the sale or sharing, or obtain and record consent; honour opt-outs and make "
            "the notice match.",
        )
