"""Reads of the onboarding, and the prediction of what approving one would add.

The prediction runs the same rules as the live register over the live register plus the
onboarding's proposed flows, parties (as approved) and agreements (as records, not yet in
the database), then keeps the findings the live register does not have.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from difflib import SequenceMatcher
from typing import Any

from django import forms
from django.db.models import QuerySet

from flows.engine.records import SEVERITIES, AgreementRecord, Finding, FlowRecord
from flows.engine.rules import evaluate
from flows.findings import findings_as_of
from registry.choices import PartyStatus, Relationship
from registry.models import Party
from registry.onboarding.forms import STEP_NAMES, STEP_TITLES
from registry.onboarding.models import Onboarding, OnboardingDocument
from registry.onboarding.proposal import bound_step, onboarding_proposal
from registry.onboarding.proposal import senders_of as senders_of


def onboarding_list() -> QuerySet[Onboarding]:
    return Onboarding.objects.select_related("party", "started_by").order_by("-created_at", "-id")


def onboarding_detail(*, pk: int) -> Onboarding | None:
    return (
        Onboarding.objects.select_related("party", "started_by")
        .prefetch_related(
            "senders",
            "intended_categories",
            "intended_purposes",
            "documents",
            "events__actor",
            "proposed_subprocessors",
            "proposed_flows__categories",
            "proposed_flows__source",
            "proposed_flows__target",
            "proposed_flows__purpose",
        )
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class SubprocessorChoice:
    """A sub-processor the vendor named (proposed as a new party), the existing parties it
    is likely to be, and the other parties a reviewer may match it to."""

    party: Party
    suggestions: list[Party] = field(default_factory=list)
    others: list[Party] = field(default_factory=list)


_LEGAL_FORMS = {"ltd", "limited", "inc", "llc", "gmbh", "ag", "sa", "sas", "bv", "plc", "pvt"}
MAX_SUGGESTIONS = 5


def _words(name: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", name.lower())
    return [w for w in words if w not in _LEGAL_FORMS]


def _likeness(named: str, vendor: str, candidate: str) -> float:
    """How alike two party names are, 0 to 1: the better of the name alone and the name
    prefixed with the vendor's ("Hosting" named by Nimbus is maybe "Nimbus Hosting")."""
    words, theirs = _words(named), _words(candidate)
    if not words or not theirs:
        return 0.0
    best = 0.0
    for mine in (words, _words(vendor) + words):
        ratio = SequenceMatcher(None, " ".join(mine), " ".join(theirs)).ratio()
        if set(mine) == set(theirs):
            ratio = 1.0
        best = max(best, ratio)
    if set(words) <= set(theirs):
        best = max(best, 0.75)
    return best


def subprocessor_choices(onboarding: Onboarding) -> list[SubprocessorChoice]:
    """For each sub-processor the onboarding proposes, the existing parties it may be: those
    alike by name first, then the other approved parties (one query for all of them)."""
    proposed = list(onboarding.proposed_subprocessors.order_by("name", "pk"))
    if not proposed:
        return []
    mine = {p.pk for p in proposed} | {onboarding.party_id}
    candidates = list(
        Party.objects.exclude(pk__in=mine)
        .exclude(relationship=Relationship.OWN)
        .only("pk", "slug", "name", "country", "status")
        .order_by("name", "pk")
    )
    choices = []
    for party in proposed:
        scored = sorted(
            ((_likeness(party.name, onboarding.party.name, c.name), c) for c in candidates),
            key=lambda pair: -pair[0],
        )
        suggestions = [c for score, c in scored[:MAX_SUGGESTIONS] if score >= 0.6]
        shown = {c.pk for c in suggestions}
        others = [c for c in candidates if c.pk not in shown and c.status == PartyStatus.APPROVED]
        choices.append(SubprocessorChoice(party, suggestions, others))
    return choices


def onboarding_document(*, pk: int) -> OnboardingDocument | None:
    return OnboardingDocument.objects.select_related("onboarding").filter(pk=pk).first()


@dataclass(frozen=True)
class Prediction:
    as_of: date
    added: list[Finding]
    """Findings the register would have after approval and does not have now, worst first."""
    names: dict[str, str]
    countries: dict[str, str]
    """Where each party processes data, e.g. 'IN' or 'DE, US'."""

    @property
    def counts(self) -> list[tuple[str, int]]:
        counted = Counter(f.severity for f in self.added)
        return [(severity, counted[severity]) for severity in SEVERITIES if counted[severity]]

    @property
    def summary(self) -> str:
        """'approving adds 2 critical: NO_TRANSFER_MECHANISM to IN, ...; 1 high: ...'"""
        if not self.added:
            return "approving adds no finding"
        parts = []
        for severity, count in self.counts:
            items = [f"{f.rule} to {self._where(f)}" for f in self.added if f.severity == severity]
            parts.append(f"{count} {severity}: {', '.join(items)}")
        return "approving adds " + "; ".join(parts)

    def _where(self, finding: Finding) -> str:
        target = finding.target or ""
        where = self.countries.get(target, "")
        name = self.names.get(target, target or "the register")
        return f"{name} ({where})" if where else name


def _finding_key(finding: Finding) -> tuple[object, ...]:
    return (finding.rule, finding.flow, finding.source, finding.target, finding.categories)


def onboarding_prediction(onboarding: Onboarding, *, as_of: date) -> Prediction:
    """Which findings approving the onboarding would add on `as_of`."""
    live, live_findings = findings_as_of(as_of)
    proposal = onboarding_proposal(onboarding)
    flow_ids = dict(onboarding.proposed_flows.values_list("reference", "id"))
    records = tuple(
        FlowRecord(
            id=flow_ids[spec.reference],
            source=spec.source,
            target=spec.target,
            categories=spec.categories,
            purpose=spec.purpose,
            role=spec.role,
            started_on=min(as_of, date.today()),
            lawful_basis=spec.lawful_basis,
            processing_countries=spec.processing_countries,
            transfer_mechanism=spec.transfer_mechanism,
            transfer_agreement=spec.transfer_agreement,
            reference=spec.reference,
        )
        for spec in proposal.flows
        if spec.reference in flow_ids
    )
    vendor = onboarding.party
    slugs = {vendor.slug, *(s.slug for s in proposal.subprocessors)}
    parties = dict(live.parties)
    for slug in slugs & parties.keys():
        parties[slug] = replace(parties[slug], status="approved")
    agreements = tuple(
        AgreementRecord(
            reference=a.reference,
            kind=a.kind,
            parties=frozenset(a.parties),
            signed_on=a.signed_on,
            flowdown=a.flowdown,
        )
        for a in (*proposal.agreements, *proposal.subprocessor_agreements)
    )
    after = evaluate(
        replace(
            live,
            parties=parties,
            flows=live.flows + records,
            agreements=live.agreements + agreements,
        ),
        as_of,
    )
    before = {_finding_key(f) for f in live_findings}
    added = [f for f in after if _finding_key(f) not in before]
    names = {slug: p.name for slug, p in parties.items()}
    countries = {slug: ", ".join(p.countries) for slug, p in parties.items()}
    return Prediction(as_of=as_of, added=added, names=names, countries=countries)


# --- The vendor's answers, as a person reads them -----------------------------------------


@dataclass(frozen=True)
class AnswerSection:
    """One step's answers: each question's label and the answer in words (choice labels,
    country names, dates), and for the sub-processors one section a row."""

    step: str
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    parts: list[AnswerSection] = field(default_factory=list)
    complete: bool = True


def _in_words(field_: forms.Field, value: object) -> str:
    if value in (None, "", [], ()):
        return "—"
    if isinstance(field_, forms.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field_, forms.ChoiceField):
        choices: Any = field_.choices  # set as a list of pairs by every form of the steps
        labels = {str(key): str(label) for key, label in choices}
        values = value if isinstance(value, list | tuple) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _rows(form: forms.Form) -> list[tuple[str, str]]:
    data = form.cleaned_data
    return [
        (str(f.label), _in_words(f, data.get(name)))
        for name, f in form.fields.items()
        if name != "DELETE"
    ]


def answer_sections(onboarding: Onboarding) -> list[AnswerSection]:
    """Every step's answers in words, in the order of the steps; a step not (validly)
    answered yet says so."""
    sections = []
    for step in STEP_NAMES:
        title = STEP_TITLES[step]
        if step not in onboarding.answers and step != "subprocessors":
            sections.append(AnswerSection(step, title, complete=False))
            continue
        bound = bound_step(onboarding, step)
        if not bound.is_valid():
            sections.append(AnswerSection(step, title, complete=False))
            continue
        if step == "subprocessors":
            rows = [f for f in bound.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            parts = [
                AnswerSection(step, f"Sub-processor {i}: {f.cleaned_data['name']}", _rows(f))
                for i, f in enumerate(rows, start=1)
            ]
            sections.append(AnswerSection(step, title, parts=parts))
            continue
        sections.append(AnswerSection(step, title, _rows(bound)))
    return sections
