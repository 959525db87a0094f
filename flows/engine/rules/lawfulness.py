"""The lawfulness rules: a lawful basis for each disclosure (GDPR Art. 6(1)), a condition for
special-category data (Art. 9(2)), parental consent for children's data (COPPA, GDPR Art. 8),
an attested recipient with a written acknowledgment for card data (PCI DSS), a legal authority
for criminal-offence data (Art. 10) and consent for a sale or sharing (CCPA).

A sub-processor works under the basis of the flow that brought it the data, so the rules on
bases and conditions do not ask its flows for one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flows.engine.context import RuleContext, flow_finding
from flows.engine.periods import add_months
from flows.engine.records import Finding
from flows.engine.wording import KIND_LABELS, lawful_basis_words, why_not_effective

PCI_ATTESTATION_MONTHS = 12
PCI_RESPONSIBILITY = "pci_responsibility"
SERVICE_PROVIDER_ROLES = frozenset({"processor"})
"""Roles in which a recipient serves the flow's source: a third-party service provider of
PCI DSS 12.8. A sub-processor is its processor's service provider, not ours."""


def pci_attestation_fresh(attested: date, day: date) -> bool:
    """An attestation dated `attested` still counts on `day`: dated on or before it, and at
    most 12 calendar months before it (PCI DSS 12.8.4, "at least once every 12 months").

    An attestation of 2025-03-01 counts through 2026-03-01 and not on 2026-03-02. One of
    29 February counts through 28 February of the next year (flows.engine.periods.add_months
    takes the last day of a shorter month): the stricter reading, never more than 12 months.
    """
    return attested <= day <= add_months(attested, PCI_ATTESTATION_MONTHS)


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
    the 12 calendar months up to the date (pci_attestation_fresh: an attestation of
    2025-03-01 counts through 2026-03-01; one of 29 February through 28 February).

    Basis: PCI DSS v4.0.1 Req. 12.8.2 and 12.8.4 (service provider compliance monitored at
    least every 12 months); contractual, not statutory.
    """
    for facts in ctx.with_flag["payment_card"]:
        if facts.flow.target in ctx.group:
            continue
        card = facts.flagged["payment_card"]
        attested = facts.target.pci_attested_on if facts.target else None
        if attested is not None and pci_attestation_fresh(attested, ctx.as_of):
            continue
        if attested is None:
            why = "has no PCI DSS attestation of compliance on record"
        elif attested > ctx.as_of:
            why = f"has a PCI DSS attestation dated {attested.isoformat()}, after the date"
        else:
            why = (
                f"was last attested PCI DSS compliant on {attested.isoformat()}, more than "
                f"12 months before {ctx.as_of.isoformat()}"
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


def pci_no_written_acknowledgment(ctx: RuleContext) -> Iterator[Finding]:
    """Card data to a service provider outside the group (a flow to it as processor) with no
    written acknowledgment of its responsibility for the security of the card data: no
    `pci_responsibility` agreement naming source and recipient in force on the date. An
    attestation of compliance is no acknowledgment, however fresh. A sub-processor hop is not
    asked: the sub-processor is its processor's service provider, and the processor holds
    that acknowledgment.

    Basis: PCI DSS v4.0.1 Req. 12.8.2 (written agreements with service providers that
    include their acknowledgment of responsibility for the security of account data);
    contractual, not statutory.
    """
    for facts in ctx.with_flag["payment_card"]:
        flow = facts.flow
        if flow.target in ctx.group or flow.role not in SERVICE_PROVIDER_ROLES:
            continue
        acknowledgments = [
            a for a in ctx.binding(flow.source, flow.target) if a.kind == PCI_RESPONSIBILITY
        ]
        if any(ctx.is_effective(a) for a in acknowledgments):
            continue
        card = facts.flagged["payment_card"]
        label = KIND_LABELS[PCI_RESPONSIBILITY]
        message = (
            f"{facts.target_name} receives payment card data ({ctx.category_names(card)}) from "
            f"{facts.source_name} as a service provider, but no written acknowledgment of its "
            f"responsibility for the security of that data ({label}) binds them on "
            f"{ctx.as_of.isoformat()}"
        )
        if acknowledgments:
            lapsed = "; ".join(why_not_effective(a, ctx.as_of) for a in acknowledgments)
            message += f": {lapsed}"
        if facts.target is not None and facts.target.pci_attested_on is not None:
            message += "; an attestation of compliance does not count as one"
        yield flow_finding(
            "PCI_NO_WRITTEN_ACKNOWLEDGMENT",
            "critical",
            facts,
            message + ".",
            "PCI DSS v4.0.1 Req. 12.8.2",
            f"Sign a written agreement in which {facts.target_name} acknowledges its "
            "responsibility for the security of the card data it stores, processes or "
            "transmits, and record it; or stop sending card data (tokenise).",
            categories=card,
        )


def criminal_data_no_art10_authority(ctx: RuleContext) -> Iterator[Finding]:
    """Criminal-offence data (a category flagged `criminal`, or below one) on a flow that
    records no legal authority for it. As with Art. 9, a sub-processor works under the
    authority of the flow that brought it the data, so its flows are not asked.

    Basis: GDPR Art. 10: data on criminal convictions and offences may be processed only
    under the control of official authority or when authorised by Union or Member State law
    providing appropriate safeguards; UK GDPR Art. 10. Unverified: the wording of UK GDPR
    Art. 10 and the DPA 2018 provisions it points to.
    """
    for facts in ctx.with_flag["criminal"]:
        flow = facts.flow
        if flow.role == "subprocessor" or flow.art10_authority.strip():
            continue
        criminal = facts.flagged["criminal"]
        yield flow_finding(
            "CRIMINAL_DATA_NO_ART10_AUTHORITY",
            "critical",
            facts,
            f"The flow from {facts.source_name} to {facts.target_name} carries criminal-offence "
            f"data ({ctx.category_names(criminal)}) but records no legal authority for it "
            "(official authority, or the law that authorises it).",
            "GDPR Art. 10; UK GDPR Art. 10",
            "Identify the official authority or the law that authorises processing this data "
            "and record it on the flow; if there is none, stop the flow and delete the data.",
            categories=criminal,
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
