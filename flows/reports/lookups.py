"""What the registers are made of: the register as records on a date with the facts the
records leave out (contacts, data subjects, retention, security measures, agreements'
titles), and the look-ups that turn keys and choice values into the words a reader expects.

Every text here is what a lawyer reads in a record of processing (GDPR Art. 30): names of
parties, categories, purposes and data subjects; labels of choices; each transfer safeguard
named by the instrument that provides it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django_countries import countries as country_names

from flows.choices import LawfulBasis, Regime, TransferMechanism
from flows.engine.graph import Taxonomy
from flows.engine.jurisdictions import REGIME_NAMES, Jurisdictions
from flows.engine.records import (
    AgreementRecord,
    AgreementState,
    Finding,
    FlowRecord,
    PartyRecord,
    Register,
    agreement_state,
    is_active,
)
from registry.choices import AgreementKind

NOT_RECORDED = "Not recorded in the register"

_SPECIAL_FLAGS = frozenset({"special_category", "criminal"})
"""GDPR Art. 9 (special categories) and Art. 10 (criminal offence data)."""

Transfer = tuple[str, str, tuple[str, ...], bool]
"""(regime code, regime name, destination countries, restricted)."""

SAFEGUARDS: dict[str, str] = {
    TransferMechanism.ADEQUACY: "Adequacy decision",
    TransferMechanism.DPF: "Data Privacy Framework: the US recipient's self-certification",
    TransferMechanism.SCC_2021: "Standard contractual clauses of 2021",
    TransferMechanism.SCC_2010: "Standard contractual clauses for processors of 2010",
    TransferMechanism.SCC_2004: "Standard contractual clauses of 2004 (controller to controller)",
    TransferMechanism.SCC_2001: "Standard contractual clauses of 2001 (controller to controller)",
    TransferMechanism.UK_IDTA: "UK International Data Transfer Agreement (UK GDPR Art. 46)",
    TransferMechanism.UK_ADDENDUM: (
        "UK Addendum to the EU standard contractual clauses (UK GDPR Art. 46)"
    ),
    TransferMechanism.BCR: "Binding corporate rules",
    TransferMechanism.SAFE_HARBOR: "Safe Harbor framework: the US recipient's self-certification",
    TransferMechanism.PRIVACY_SHIELD: (
        "Privacy Shield framework: the US recipient's self-certification"
    ),
    TransferMechanism.DEROGATION: "Derogation for a specific situation",
}
"""Each transfer mechanism in words, whichever regime the transfer is under."""

DPF_FRAMEWORKS: dict[str, tuple[str, str]] = {
    Regime.EU: ("EU-US DPF", "dpf_certified_until"),
    Regime.UK: ("UK Extension to the EU-US DPF", "dpf_uk_certified_until"),
    Regime.CH: ("Swiss-US DPF", "dpf_swiss_certified_until"),
}
"""The framework of each regime a US recipient self-certifies under, and the field of its
party that holds the end of that certification."""

EU_INSTRUMENTS: dict[str, str] = {
    TransferMechanism.ADEQUACY: "GDPR Art. 45",
    TransferMechanism.DPF: (
        "EU-US: adequacy decision, Commission Implementing Decision (EU) 2023/1795; GDPR Art. 45"
    ),
    TransferMechanism.SCC_2021: (
        "Commission Implementing Decision (EU) 2021/914; GDPR Art. 46(2)(c)"
    ),
    TransferMechanism.SCC_2010: (
        "Commission Decision 2010/87/EU, repealed from 2021-09-27; contracts on it were no "
        "longer a safeguard from 2022-12-27"
    ),
    TransferMechanism.SCC_2004: "Commission Decision 2004/915/EC, repealed from 2021-09-27",
    TransferMechanism.SCC_2001: "Commission Decision 2001/497/EC, repealed from 2021-09-27",
    TransferMechanism.BCR: "GDPR Art. 47",
    TransferMechanism.SAFE_HARBOR: (
        "EU-US: Commission Decision 2000/520/EC, declared invalid by the Court of Justice "
        "on 2015-10-06 (C-362/14, Schrems)"
    ),
    TransferMechanism.PRIVACY_SHIELD: (
        "EU-US: Commission Implementing Decision (EU) 2016/1250, declared invalid by the "
        "Court of Justice on 2020-07-16 (C-311/18, Schrems II)"
    ),
    TransferMechanism.DEROGATION: "GDPR Art. 49",
}
"""The EU act or article behind a mechanism, named only for a transfer under the EU GDPR:
Switzerland and the United Kingdom recognised or replaced these under their own acts."""

_ALL_RIGHTS = (
    "access", "rectification", "erasure", "restriction", "data portability", "objection",
)  # fmt: skip
RIGHTS: dict[str, tuple[str, ...]] = {
    LawfulBasis.CONSENT: (*_ALL_RIGHTS[:5], "withdrawal of consent"),
    LawfulBasis.CONTRACT: _ALL_RIGHTS[:5],
    LawfulBasis.LEGAL_OBLIGATION: ("access", "rectification", "restriction"),
    LawfulBasis.VITAL_INTERESTS: ("access", "rectification", "erasure", "restriction"),
    LawfulBasis.PUBLIC_TASK: ("access", "rectification", "restriction", "objection"),
    LawfulBasis.LEGITIMATE_INTERESTS: (
        "access", "rectification", "erasure", "restriction", "objection",
    ),
}  # fmt: skip
"""The rights that the lawful basis leaves a person (GDPR Arts. 15-21): erasure does not
apply to a legal obligation or a public task (Art. 17(3)(b)), portability only to consent
and contract (Art. 20(1)(a)), objection only to a public task or legitimate interests
(Art. 21(1)), and consent can be withdrawn at any time (Art. 7(3))."""

_NO_FUNCTION = "essential"
"""The taxonomy's top purpose "Essential" says the processing is needed for the service,
not which part of the business does it: under it, the function is the purpose's own name."""


@dataclass(frozen=True)
class ReportInput:
    """The register as records plus what the records leave out, for one date."""

    register: Register
    as_of: date
    contacts: Mapping[str, str] = field(default_factory=dict)
    """Party slug -> privacy contact e-mail."""
    subjects: Mapping[int, Sequence[str]] = field(default_factory=dict)
    """Flow id -> names of its data subject categories."""
    retention: Mapping[int, str] = field(default_factory=dict)
    """Flow id -> its retention period, where one is recorded."""
    security: Mapping[str, str] = field(default_factory=dict)
    """Party slug -> its security measures, where recorded."""
    agreement_titles: Mapping[str, str] = field(default_factory=dict)
    """Agreement reference -> its title, where it has one."""
    findings: Sequence[Finding] = ()
    decisions: Mapping[tuple[str, int], Mapping[str, Any]] = field(default_factory=dict)
    """(rule, flow) -> state, decision, reason, decided_by, decided_at, review_by, assignee."""


def agreement_status(agreement: AgreementRecord, day: date) -> str:
    """records.agreement_state in the words of the registers: "in effect", "expired"..."""
    state = agreement_state(agreement, day)
    return "in effect" if state is AgreementState.IN_FORCE else str(state)


class Lookups:
    """Look-ups shared by the tables of one report. Most answers repeat from flow to flow
    (the same parties, categories and countries), so each is worked out once and kept."""

    def __init__(self, data: ReportInput) -> None:
        self.data = data
        register = data.register
        self.as_of = data.as_of
        self.parties = register.parties
        self.jurisdictions = Jurisdictions.from_register(register)
        self.snapshot = self.jurisdictions.on(data.as_of)
        self.flows = [f for f in register.flows if is_active(f, data.as_of)]
        self.taxonomy = Taxonomy(register.categories)
        self.purposes = Taxonomy(register.purposes)
        # Agreements by pair of parties: a group company may sign thousands, and scanning
        # them all for each of its flows made the registers quadratic.
        self.agreements: dict[tuple[str, str], list[AgreementRecord]] = {}
        for agreement in sorted(register.agreements, key=lambda a: a.reference):
            for a in agreement.parties:
                for b in agreement.parties:
                    self.agreements.setdefault((a, b), []).append(agreement)
        self._labels: dict[type[models.Choices], dict[str, str]] = {}
        self._country: dict[str, str] = {}
        self._countries: dict[tuple[str, ...], str] = {}
        self._contact: dict[str, str] = {}
        self._categories: dict[tuple[str, ...], str] = {}
        self._functions: dict[str, str] = {}

    def label(self, choices: type[models.Choices], value: str) -> str:
        labels = self._labels.get(choices)
        if labels is None:
            labels = self._labels[choices] = {v: str(k) for v, k in choices.choices}
        return labels.get(value, value) if value else ""

    def country(self, code: str) -> str:
        name = self._country.get(code)
        if name is None:
            name = self._country[code] = str(country_names.name(code)) or code
        return name

    def countries(self, codes: Iterable[str]) -> str:
        key = tuple(codes)
        text = self._countries.get(key)
        if text is None:
            text = ", ".join(self.country(c) for c in sorted(set(key)) if c)
            self._countries[key] = text
        return text

    def party(self, slug: str) -> PartyRecord | None:
        return self.parties.get(slug)

    def name(self, slug: str | None) -> str:
        party = self.parties.get(slug or "")
        return party.name if party else (slug or "")

    def country_of(self, slug: str) -> str:
        party = self.parties.get(slug)
        return self.country(party.country) if party else ""

    def contact(self, slug: str) -> str:
        text = self._contact.get(slug)
        if text is None:
            party = self.parties.get(slug)
            if party is None:
                return slug
            parts = [party.legal_name or party.name, self.country(party.country)]
            if self.data.contacts.get(slug):
                parts.append(self.data.contacts[slug])
            text = self._contact[slug] = ", ".join(parts)
        return text

    def agreement(self, agreement: AgreementRecord) -> str:
        """An agreement as a reader names it: its title, then its reference and kind."""
        kind = self.label(AgreementKind, agreement.kind)
        title = self.data.agreement_titles.get(agreement.reference, "")
        named = (
            f"{title} ({agreement.reference}, {kind}"
            if title
            else (f"{agreement.reference} ({kind}")
        )
        return f"{named}, {agreement_status(agreement, self.as_of)})"

    def agreement_named(self, reference: str) -> str:
        title = self.data.agreement_titles.get(reference, "")
        return f"{title} ({reference})" if title else reference

    def contracts(self, flow: FlowRecord) -> str:
        found = [self.agreement(a) for a in self.agreements.get((flow.source, flow.target), ())]
        return "; ".join(found) or "None recorded"

    def category_names(self, keys: Iterable[str]) -> str:
        names = []
        for key in keys:
            record = self.data.register.categories.get(key)
            names.append(record.name if record and record.name else key)
        return "; ".join(names)

    def categories(self, flow: FlowRecord) -> str:
        text = self._categories.get(flow.categories)
        if text is None:
            text = self._categories[flow.categories] = self.category_names(flow.categories)
        return text

    def subjects(self, flow: FlowRecord) -> str:
        return "; ".join(self.data.subjects.get(flow.id, ())) or NOT_RECORDED

    def retention(self, flow: FlowRecord) -> str:
        return self.data.retention.get(flow.id, "") or NOT_RECORDED

    def security(self, slug: str) -> str:
        return self.data.security.get(slug, "")

    def purpose(self, flow: FlowRecord) -> str:
        record = self.data.register.purposes.get(flow.purpose)
        return record.name if record and record.name else flow.purpose

    def business_function(self, flow: FlowRecord) -> str:
        """The part of the business the processing serves: the top purpose's name
        ("Marketing", "Analytics"), or under "Essential" the purpose's own name without
        that word ("Essential for Payment Processing" -> "Payment Processing")."""
        text = self._functions.get(flow.purpose)
        if text is None:
            lineage = self.purposes.lineage(flow.purpose)
            top = lineage[-1]
            if top != _NO_FUNCTION:
                record = self.data.register.purposes.get(top)
                text = record.name if record and record.name else top
            elif len(lineage) > 1 and flow.purpose != "essential.service":
                text = self.purpose(flow)
                for stem in ("Essential for ", "Essential "):
                    if text.startswith(stem):
                        text = text[len(stem) :]
                        break
                text = text[:1].upper() + text[1:]
            else:
                text = "Service delivery"
            self._functions[flow.purpose] = text
        return text

    def locations(self, flow: FlowRecord) -> tuple[str, ...]:
        target = self.parties.get(flow.target)
        return flow.processing_countries or (target.countries if target else ())

    def transfers(self, flow: FlowRecord) -> list[Transfer]:
        """Each transfer out of the exporter's zone on the date: restricted ones need a
        mechanism, the others go to countries an adequacy decision covers (Art. 30(1)(e)
        lists both)."""
        source = self.parties.get(flow.source)
        if source is None:
            return []
        snapshot = self.snapshot
        restricted = {
            t.regime: set(t.countries)
            for t in snapshot.restricted_transfers(flow, source, self.parties.get(flow.target))
        }
        found = []
        for regime in snapshot.zone_regimes(source.country):
            outside = sorted({c for c in self.locations(flow) if not snapshot.in_zone(regime, c)})
            blocked = restricted.get(regime, set())
            name = REGIME_NAMES.get(regime, regime)
            if blocked:
                found.append((regime, name, tuple(sorted(blocked)), True))
            adequate = tuple(c for c in outside if c not in blocked)
            if adequate:
                found.append((regime, name, adequate, False))
        return found

    def third_countries(self, transfers: list[Transfer]) -> str:
        return "; ".join(
            f"{self.countries(codes)} ("
            + (
                f"restricted transfer under the {name}"
                if restricted
                else f"adequate for the {name}"
            )
            + ")"
            for _, name, codes, restricted in transfers
        )

    def safeguards(self, flow: FlowRecord, transfers: list[Transfer]) -> str:
        """The safeguard of each restricted transfer in words, with its agreement and
        transfer impact assessment, and whether it is a safeguard at all on the date."""
        restricted = [t for t in transfers if t[3]]
        if not flow.transfer_mechanism:
            return "None recorded" if restricted else ""
        mechanism = flow.transfer_mechanism
        named = SAFEGUARDS.get(mechanism) or self.label(TransferMechanism, mechanism)
        if mechanism in EU_INSTRUMENTS and any(r == Regime.EU for r, *_ in transfers):
            named = f"{named} ({EU_INSTRUMENTS[mechanism]})"
        parts = [named]
        if flow.transfer_agreement:
            parts.append(f"under {self.agreement_named(flow.transfer_agreement)}")
        if flow.tia_on:
            parts.append(f"transfer impact assessment of {flow.tia_on.isoformat()}")
        if mechanism == TransferMechanism.DPF:
            parts.extend(self.certifications(flow.target, [r for r, *_ in transfers]))
        if mechanism == TransferMechanism.DEROGATION:
            why = flow.derogation_justification.strip()
            parts.append(f"why it applies: {why}" if why else "why it applies: not recorded")
        for regime, name, _, _ in restricted:
            if not self.snapshot.mechanism_valid(regime, flow.transfer_mechanism):
                parts.append(f"not a valid safeguard under the {name} on {self.as_of.isoformat()}")
        return "; ".join(parts)

    def certifications(self, slug: str, regimes: Iterable[str]) -> list[str]:
        """The recipient's certification under the framework of each regime, in words."""
        party = self.parties.get(slug)
        said = []
        for regime in dict.fromkeys(regimes):
            if regime not in DPF_FRAMEWORKS:
                continue
            framework, field_name = DPF_FRAMEWORKS[regime]
            until = getattr(party, field_name, None) if party else None
            said.append(
                f"{framework} certified until {until.isoformat()}"
                if until
                else f"not certified under the {framework}"
            )
        return said

    def special(self, flow: FlowRecord) -> bool:
        """Special-category or criminal offence data, flagged on a category or an ancestor."""
        return any(
            not self.taxonomy.flags(key).isdisjoint(_SPECIAL_FLAGS) for key in flow.categories
        )

    def rights(self, flow: FlowRecord) -> str:
        rights = RIGHTS.get(flow.lawful_basis)
        if not rights:
            return "Not known: no lawful basis recorded"
        text = ", ".join(rights)
        return text[:1].upper() + text[1:]
