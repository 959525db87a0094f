"""The words of findings: labels, citations and plain-language phrases for facts.

Kept apart from the rules so that a reviewer who wants a label or a citation changed finds
them in one place, and so that the rules read as conditions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flows.engine.jurisdictions import REGIME_NAMES
from flows.engine.records import (
    AgreementRecord,
    AgreementState,
    FlowRecord,
    PartyRecord,
    agreement_state,
)

KIND_LABELS: dict[str, str] = {
    "dpa": "data processing agreement (Art. 28)",
    "scc_2021_m1": "SCCs 2021 module 1 (controller to controller)",
    "scc_2021_m2": "SCCs 2021 module 2 (controller to processor)",
    "scc_2021_m3": "SCCs 2021 module 3 (processor to processor)",
    "scc_2021_m4": "SCCs 2021 module 4 (processor to controller)",
    "scc_2010_c2p": "SCCs 2010/87/EU (controller to processor)",
    "scc_2004_c2c": "SCCs 2004/915/EC (controller to controller)",
    "scc_2001_c2c": "SCCs 2001/497/EC (controller to controller)",
    "uk_idta": "UK IDTA",
    "uk_addendum": "UK Addendum",
    "bcr": "binding corporate rules",
    "intra_group": "intra-group agreement",
    "joint_controller_arrangement": "joint-controller arrangement (Art. 26)",
    "c2c_sharing": "controller-to-controller data sharing agreement",
    "ccpa_service_provider": "CCPA service-provider contract",
    "pci_responsibility": "PCI DSS responsibility acknowledgment",
    "nda": "non-disclosure agreement",
}

MECHANISM_LABELS: dict[str, str] = {
    "adequacy": "An adequacy decision",
    "dpf": "The Data Privacy Framework",
    "scc_2021": "SCCs 2021",
    "scc_2010": "SCCs 2010/87/EU",
    "scc_2004": "SCCs 2004/915/EC",
    "scc_2001": "SCCs 2001/497/EC",
    "uk_idta": "The UK IDTA",
    "uk_addendum": "The UK Addendum",
    "bcr": "Binding corporate rules",
    "safe_harbor": "Safe Harbor",
    "privacy_shield": "Privacy Shield",
    "derogation": "An Art. 49 derogation",
}

INVALIDATED = frozenset({("EU", m) for m in ("safe_harbor", "privacy_shield")}) | frozenset(
    {("UK", m) for m in ("safe_harbor", "privacy_shield")}
)
"""Struck down by a court on a day (CJEU C-362/14 and C-311/18; the UK was then in the EU),
rather than phased out after a transition or withdrawn by a regulator's statement (the Swiss
FDPIC)."""

# Why a mechanism stopped being available, for messages.
END_REASONS: dict[tuple[str, str], str] = {
    ("EU", "safe_harbor"): "CJEU C-362/14, Schrems I",
    ("UK", "safe_harbor"): "CJEU C-362/14, Schrems I",
    ("CH", "safe_harbor"): "FDPIC statement that it was no longer a sufficient basis",
    ("EU", "privacy_shield"): "CJEU C-311/18, Schrems II",
    ("UK", "privacy_shield"): "CJEU C-311/18, Schrems II",
    ("CH", "privacy_shield"): "FDPIC position paper: the US not adequate",
    ("EU", "scc_2001"): "transition under Implementing Decision (EU) 2021/914 ended",
    ("EU", "scc_2004"): "transition under Implementing Decision (EU) 2021/914 ended",
    ("EU", "scc_2010"): "transition under Implementing Decision (EU) 2021/914 ended",
    # Unverified against the text: the end of the UK transition for the old SCCs is known
    # from secondary sources (DLA Piper, Geldards) reporting the ICO's transitional provisions.
    ("UK", "scc_2001"): "UK transitional provisions for the old SCCs ended",
    ("UK", "scc_2004"): "UK transitional provisions for the old SCCs ended",
    ("UK", "scc_2010"): "UK transitional provisions for the old SCCs ended",
}

ROLE_WORDS: dict[str, str] = {
    "processor": "processor",
    "subprocessor": "sub-processor",
    "controller": "controller",
    "joint_controller": "joint controller",
}

ROLE_CITATIONS: dict[str, str] = {
    "processor": "GDPR Art. 28(3) and 28(9)",
    "subprocessor": "GDPR Art. 28(2) and 28(4)",
    "joint_controller": "GDPR Art. 26(1)",
    # No article demands a controller-to-controller contract; accountability does, and CCPA
    # does for sales and shares. Unverified: the wording of GDPR Art. 5(2) as quoted.
    "controller": "GDPR Art. 5(2) and 24 (accountability); CCPA § 1798.100(d)",
}

FLAG_WORDS: dict[str, str] = {
    "special_category": "special-category data",
    "children": "children's data",
    "payment_card": "payment card data",
}

TRANSFER_CITATIONS: dict[str, str] = {
    "EU": "GDPR Arts. 44-46 and 49",
    "UK": "UK GDPR Arts. 44-46 and 49",
    "CH": "FADP Arts. 16-17",
}

FRAMEWORK_NAMES: dict[str, str] = {
    "EU": "the EU-US Data Privacy Framework",
    "UK": "the UK Extension to the EU-US Data Privacy Framework",
    "CH": "the Swiss-US Data Privacy Framework",
}
"""The US framework whose certification serves each regime (jurisdictions.certified_for)."""

KIND_MECHANISMS: dict[str, str] = {
    "scc_2021_m1": "scc_2021",
    "scc_2021_m2": "scc_2021",
    "scc_2021_m3": "scc_2021",
    "scc_2021_m4": "scc_2021",
    "scc_2010_c2p": "scc_2010",
    "scc_2004_c2c": "scc_2004",
    "scc_2001_c2c": "scc_2001",
}
"""Agreement kinds that are a transfer tool: the mechanism they implement. "Needed:" names
such a kind only when its mechanism can be put in place on the date."""

TOOL_ORDER: tuple[str, ...] = (
    "scc_2021",
    "scc_2010",
    "scc_2004",
    "scc_2001",
    "uk_idta",
    "uk_addendum",
    "bcr",
    "dpf",
    "privacy_shield",
    "safe_harbor",
)
"""The transfer tools a remedy can propose, in the order it names them. Adequacy is not put
in place by the parties, and an Art. 49 derogation is no tool for regular transfers."""


def tool_words(mechanism: str, regime: str) -> str:
    """A transfer tool as a remedy proposes it."""
    if mechanism == "scc_2021":
        return "the SCCs 2021 module that fits the two sides"
    if mechanism == "bcr":
        return "binding corporate rules (inside the group that adopted them)"
    if mechanism == "uk_addendum":
        return "the UK Addendum to SCCs 2021"
    if mechanism == "dpf":
        return f"the recipient's certification under {FRAMEWORK_NAMES.get(regime, 'the DPF')}"
    if mechanism in ("privacy_shield", "safe_harbor"):
        return f"the recipient's {MECHANISM_LABELS[mechanism]} certification"
    label = MECHANISM_LABELS.get(mechanism, mechanism)
    return f"the {label[4:]}" if label.startswith("The ") else label


def tools_advice(usable: dict[str, tuple[str, ...]]) -> str:
    """The transfer tools valid on the date, from regime -> usable mechanisms
    (JurisdictionSnapshot.usable_mechanisms), as "a, b or c"; regime by regime, each named,
    when the regimes of the transfer allow different tools."""
    by_regime: dict[str, str] = {}
    for regime, mechanisms in usable.items():
        tools = [tool_words(m, regime) for m in TOOL_ORDER if m in mechanisms]
        by_regime[regime] = or_list(tools) if tools else "no transfer tool"
    if len(set(by_regime.values())) <= 1:
        return next(iter(by_regime.values()), "no transfer tool")
    return "; ".join(
        f"under the {REGIME_NAMES.get(regime, regime)}: {tools}"
        for regime, tools in by_regime.items()
    )


def or_list(items: list[str]) -> str:
    """The items as a sentence lists alternatives: a, b or c."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


SHOWN_ITEMS = 3
"""How many agreements a message names before it says "and N more"."""


def not_yet_in_force(label: str, day: date, first: date) -> str:
    """A transfer tool used on a day before it existed: said plainly, with the day it came
    into force, rather than as a tool that "could not be relied on" (which reads as a tool
    that had failed)."""
    return f"{label} did not exist yet on {day.isoformat()} (in force from {first.isoformat()})"


def why_not_effective(agreement: AgreementRecord, day: date) -> str:
    """Plain words for an agreement that is not in force on `day` (records.agreement_state)."""
    ref = agreement.reference
    state = agreement_state(agreement, day)
    if state is AgreementState.UNDATED:
        return f"agreement {ref} has no signature or effective date"
    if state is AgreementState.NOT_YET_EFFECTIVE and agreement.starts_on is not None:
        return f"agreement {ref} takes effect only on {agreement.starts_on.isoformat()}"
    if state is AgreementState.TERMINATED and agreement.terminated_on is not None:
        return f"agreement {ref} was terminated on {agreement.terminated_on.isoformat()}"
    if state is AgreementState.EXPIRED and agreement.expires_on is not None:
        return f"agreement {ref} expired on {agreement.expires_on.isoformat()}"
    return f"agreement {ref} is in force on {day.isoformat()}"


def party_name(party: PartyRecord | None, slug: str) -> str:
    return party.name if party is not None and party.name else slug


def plural(items: Iterable[str], one: str, many: str) -> str:
    return one if len(tuple(items)) == 1 else many


def flow_words(flow: FlowRecord, target_name: str, categories: str) -> str:
    """How a message names a flow: "the flow of Email Address to CloudCo as processor"."""
    role = ROLE_WORDS.get(flow.role, flow.role or "unknown role")
    return f"the flow of {categories} to {target_name} as {role}"


def flow_label(flow: FlowRecord) -> str:
    """How a message names another flow: its reference in the register, else its number."""
    return f"flow {flow.reference or flow.id}"


LAWFUL_BASIS_WORDS: dict[str, str] = {
    "consent": "consent (Art. 6(1)(a))",
    "contract": "contract (Art. 6(1)(b))",
    "legal_obligation": "a legal obligation (Art. 6(1)(c))",
    "vital_interests": "vital interests (Art. 6(1)(d))",
    "public_task": "a public task (Art. 6(1)(e))",
    "legitimate_interests": "legitimate interests (Art. 6(1)(f))",
}
"""The lawful bases of GDPR Art. 6(1) as a sentence names them (flows.choices.LawfulBasis
holds the same, as labels)."""


def lawful_basis_words(lawful_basis: str) -> str:
    """The flow's basis as a clause: "rests on the lawful basis of contract (Art. 6(1)(b))"."""
    if lawful_basis:
        return f"rests on the lawful basis of {LAWFUL_BASIS_WORDS.get(lawful_basis, lawful_basis)}"
    return "records no lawful basis at all"


def listing(items: Iterable[str], limit: int = SHOWN_ITEMS) -> str:
    shown = list(items)
    text = "; ".join(shown[:limit])
    if len(shown) > limit:
        text += f"; and {len(shown) - limit} more"
    return text
