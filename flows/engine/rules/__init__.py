"""The flag rules: one function a rule, in a module by subject, collected in RULES and run by
`evaluate`.

- `agreements`: NO_AGREEMENT, EXPIRED_AGREEMENT, NDA_ONLY, AGREEMENT_EXPIRING;
- `lawfulness`: NO_LAWFUL_BASIS, SPECIAL_CATEGORY_NO_ART9_CONDITION,
  CHILD_DATA_NO_PARENTAL_CONSENT, CARD_DATA_TO_NON_PCI_VENDOR, PCI_NO_WRITTEN_ACKNOWLEDGMENT,
  CRIMINAL_DATA_NO_ART10_AUTHORITY, SALE_OR_SHARE_WITHOUT_CONSENT;
- `parties`: FLOW_TO_OFFBOARDED_PARTY;
- `past`: PAST_COVERAGE_GAP;
- `transfers`: NO_TRANSFER_MECHANISM, INVALID_TRANSFER_MECHANISM, MISSING_TIA,
  SCC_MODULE_MISMATCH, DEROGATION_MISUSE, TIA_AFTER_TRANSFER_START;
- `chains`: SUBPROCESSOR_NOT_AUTHORISED, SUBPROCESSOR_NO_FLOWDOWN,
  SUBPROCESSOR_AGREEMENT_UNCONFIRMED, ONWARD_TRANSFER_UNCOVERED.

Each rule reads a RuleContext (flows.engine.context) built once per evaluation and yields
Findings for the flows active on the date; the words of findings are in flows.engine.wording.
Identifiers are a public interface (CLI JSON, UI, exports, waivers): never rename one. Each
rule's docstring cites its legal basis ("Basis: ..."), and says "unverified" of any item it
relies on that has not been checked against the text of the law.

Every finding goes to a human reviewer; none is legal advice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from flows.engine.context import RuleContext
from flows.engine.records import Finding, Register
from flows.engine.rules.agreements import (
    agreement_expiring,
    expired_agreement,
    nda_only,
    no_agreement,
)
from flows.engine.rules.chains import (
    onward_transfer_uncovered,
    subprocessor_agreement_unconfirmed,
    subprocessor_no_flowdown,
    subprocessor_not_authorised,
)
from flows.engine.rules.lawfulness import (
    card_data_to_non_pci_vendor,
    child_data_no_parental_consent,
    criminal_data_no_art10_authority,
    no_lawful_basis,
    pci_no_written_acknowledgment,
    sale_or_share_without_consent,
    special_category_no_art9_condition,
)
from flows.engine.rules.parties import flow_to_offboarded_party
from flows.engine.rules.past import past_coverage_gap
from flows.engine.rules.transfers import (
    derogation_misuse,
    invalid_transfer_mechanism,
    missing_tia,
    no_transfer_mechanism,
    scc_module_mismatch,
    tia_after_transfer_start,
)


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: its stable identifier, usual severity, a title for lists, and its check."""

    identifier: str
    severity: str
    """The usual severity; NO_AGREEMENT raises it to critical for sensitive data."""
    title: str
    check: Callable[[RuleContext], Iterable[Finding]]


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
    Rule("DEROGATION_MISUSE", "high", "Art. 49 derogation misused", derogation_misuse),
    Rule(
        "TIA_AFTER_TRANSFER_START",
        "medium",
        "Transfer impact assessment after the transfer started",
        tia_after_transfer_start,
    ),
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
        "SUBPROCESSOR_AGREEMENT_UNCONFIRMED",
        "medium",
        "Sub-processing agreement not evidenced",
        subprocessor_agreement_unconfirmed,
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
        "PCI_NO_WRITTEN_ACKNOWLEDGMENT",
        "critical",
        "Card data without a written PCI responsibility acknowledgment",
        pci_no_written_acknowledgment,
    ),
    Rule(
        "CRIMINAL_DATA_NO_ART10_AUTHORITY",
        "critical",
        "Criminal-offence data without an Art. 10 authority",
        criminal_data_no_art10_authority,
    ),
    Rule(
        "SALE_OR_SHARE_WITHOUT_CONSENT",
        "critical",
        "Sale or sharing without consent",
        sale_or_share_without_consent,
    ),
    Rule(
        "FLOW_TO_OFFBOARDED_PARTY",
        "high",
        "Active flow with an offboarded party",
        flow_to_offboarded_party,
    ),
    Rule("PAST_COVERAGE_GAP", "medium", "Past coverage gap", past_coverage_gap),
    Rule("AGREEMENT_EXPIRING", "info", "Agreement expiring soon", agreement_expiring),
)
"""The rules in their published order (the CLI, the pages and the exports list them so);
`evaluate` runs them all unless told otherwise."""

RULE_IDS: tuple[str, ...] = tuple(rule.identifier for rule in RULES)
RULES_BY_ID: dict[str, Rule] = {rule.identifier: rule for rule in RULES}


def rule_title(identifier: str) -> str:
    """A rule's title for people ("Invalid transfer mechanism"); the identifier of an unknown
    rule (a decision recorded under a rule since retired)."""
    rule = RULES_BY_ID.get(identifier)
    return rule.title if rule is not None else identifier


def evaluate(register: Register, as_of: date, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """Findings for the flows active on `as_of`, in the order of Finding.sort_key."""
    context = RuleContext(register, as_of)
    findings = [finding for rule in rules for finding in rule.check(context)]
    findings.sort(key=Finding.sort_key)
    return findings


def findings_by_flow(findings: Iterable[Finding]) -> dict[int, list[Finding]]:
    """Findings grouped by flow id, keeping their order (for flow and party pages)."""
    grouped: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.flow is not None:
            grouped[finding.flow].append(finding)
    return dict(grouped)
