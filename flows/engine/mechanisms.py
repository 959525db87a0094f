"""Whether the mechanism of a restricted transfer can be relied on on the evaluation date, and
if not, why, in words: its window in the mechanism table (flows.engine.jurisdictions), the
transfer agreement it needs (of its family, in force, naming both parties, concluded before a
cut-off where the law sets one), and for a UK Addendum the SCCs 2021 it amends.

The rule context (flows.engine.context) holds one `Mechanisms` per evaluation and asks it
for each restricted flow with a mechanism; answers are kept, since chain rules ask again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta

from flows.engine.facts import FlowFacts, MechanismProblem
from flows.engine.jurisdictions import (
    REGIME_NAMES,
    JurisdictionSnapshot,
    RestrictedTransfer,
    certified_for,
    concluded_by,
)
from flows.engine.records import AgreementRecord
from flows.engine.wording import (
    END_REASONS,
    FRAMEWORK_NAMES,
    INVALIDATED,
    KIND_LABELS,
    MECHANISM_LABELS,
    not_yet_in_force,
    plural,
    why_not_effective,
)

AGREEMENT_FAMILIES: dict[str, tuple[str, ...]] = {
    "scc_2021": ("scc_2021_m1", "scc_2021_m2", "scc_2021_m3", "scc_2021_m4"),
    "scc_2010": ("scc_2010_c2p",),
    "scc_2004": ("scc_2004_c2c",),
    "scc_2001": ("scc_2001_c2c",),
    "uk_idta": ("uk_idta",),
    "uk_addendum": ("uk_addendum",),
    "bcr": ("bcr",),
}
"""Mechanisms that need a transfer agreement of their family, effective and naming both."""

ADEQUACY_MECHANISMS = frozenset({"adequacy", "dpf"})
UK_ADDENDUM = "uk_addendum"
INVALIDATED_ELSEWHERE = frozenset(mechanism for _, mechanism in INVALIDATED)


class Mechanisms:
    """The mechanism checks for one evaluation date."""

    def __init__(
        self,
        jurisdictions: JurisdictionSnapshot,
        agreements_by_ref: Mapping[str, AgreementRecord],
        is_effective: Callable[[AgreementRecord], bool],
    ) -> None:
        self.jurisdictions = jurisdictions
        self.as_of = jurisdictions.day
        self.agreements_by_ref = agreements_by_ref
        self.is_effective = is_effective
        self._mechanism_problems: dict[int, tuple[MechanismProblem, ...]] = {}
        self._windows: dict[tuple[str, str], str | None] = {}

    def problems(self, facts: FlowFacts) -> tuple[MechanismProblem, ...]:
        """For a restricted transfer with a mechanism: the regimes under which the mechanism
        is not valid on the date, each with the reason in plain words."""
        flow = facts.flow
        if not facts.restricted or not flow.transfer_mechanism:
            return ()
        cached = self._mechanism_problems.get(flow.id)
        if cached is None:
            problems = []
            for transfer in facts.restricted:
                reason = self._mechanism_reason(facts, transfer)
                if reason is not None:
                    problems.append(MechanismProblem(transfer.regime, reason))
            cached = tuple(problems)
            self._mechanism_problems[flow.id] = cached
        return cached

    def _mechanism_reason(self, facts: FlowFacts, transfer: RestrictedTransfer) -> str | None:
        mechanism = facts.flow.transfer_mechanism
        regime = transfer.regime
        label = MECHANISM_LABELS.get(mechanism, mechanism)
        if mechanism in ADEQUACY_MECHANISMS:
            # By definition a restricted transfer goes where no adequacy covers it.
            countries = ", ".join(transfer.countries)
            verb = plural(transfer.countries, "is", "are")
            reason = (
                f"{label} cannot cover this transfer: {countries} {verb} not adequate for the "
                f"{transfer.regime_name} on {self.as_of.isoformat()}"
            )
            if any(self.jurisdictions.dpf_only(regime, c) for c in transfer.countries):
                reason += f" ({self.dpf_status(facts, regime)})"
            return reason
        key = (regime, mechanism)
        if key not in self._windows:
            self._windows[key] = self._window_reason(regime, mechanism, label)
        if self._windows[key] is not None:
            return self._windows[key]
        family = AGREEMENT_FAMILIES.get(mechanism)
        if family is not None:
            return self._agreement_reason(facts, regime, mechanism, label, family)
        return None

    def _window_reason(self, regime: str, mechanism: str, label: str) -> str | None:
        """Why the mechanism cannot be relied on under the regime on the date, if so."""
        rows = self.jurisdictions.mechanism_rows(regime, mechanism)
        if not rows:
            return (
                f"{label} is not a transfer mechanism under the {REGIME_NAMES.get(regime, regime)}"
            )
        if self.jurisdictions.mechanism_valid(regime, mechanism):
            return None
        day = self.as_of
        key = (regime, mechanism)
        ended = [row.valid_to for row in rows if row.valid_to is not None and row.valid_to < day]
        if ended:
            last = max(ended)
            why = END_REASONS.get((regime, mechanism))
            suffix = f" ({why})" if why else ""
            ended_on = (last + timedelta(days=1)).isoformat()
            if key in INVALIDATED:
                return f"{label} was invalidated on {ended_on}{suffix}"
            if mechanism in INVALIDATED_ELSEWHERE:
                return f"{label} stopped being a valid basis on {ended_on}{suffix}"
            return f"{label} could be relied on only until {last.isoformat()}{suffix}"
        starts = [row.valid_from for row in rows if row.valid_from is not None]
        first = min(starts) if starts else day
        return not_yet_in_force(label, day, first)

    def _agreement_reason(
        self, facts: FlowFacts, regime: str, mechanism: str, label: str, family: tuple[str, ...]
    ) -> str | None:
        flow = facts.flow
        reference = flow.transfer_agreement
        if not reference:
            return f"{label} needs a transfer agreement, and none is recorded for this flow"
        agreement = self.agreements_by_ref.get(reference)
        if agreement is None:
            return f"transfer agreement {reference} is not in the register"
        if agreement.kind not in family:
            kind = KIND_LABELS.get(agreement.kind, agreement.kind)
            return f"transfer agreement {reference} is a {kind}, not {label}"
        if flow.source not in agreement.parties or flow.target not in agreement.parties:
            return (
                f"transfer agreement {reference} does not name both {facts.source_name} "
                f"and {facts.target_name}"
            )
        if not self.is_effective(agreement):
            return f"transfer {why_not_effective(agreement, self.as_of)}"
        last = concluded_by(regime, mechanism)
        concluded = agreement.signed_on or agreement.starts_on
        if last is not None and concluded is not None and concluded > last:
            return (
                f"transfer agreement {reference} was concluded on {concluded.isoformat()}, "
                f"but under the {REGIME_NAMES.get(regime, regime)} {label} cover only "
                f"contracts concluded on or before {last.isoformat()}"
            )
        if mechanism == UK_ADDENDUM:
            return self._addendum_reason(facts, agreement)
        return None

    def _addendum_reason(self, facts: FlowFacts, addendum: AgreementRecord) -> str | None:
        """A UK Addendum amends SCCs 2021: it stands only on an effective SCCs 2021 agreement
        between the same parties, the one its `amends` names (ICO International Data Transfer
        Addendum, Part 1 Table 2 and Part 2)."""
        flow, reference = facts.flow, addendum.reference
        if not addendum.amends:
            return f"UK Addendum {reference} does not say which SCCs 2021 agreement it amends"
        amended = self.agreements_by_ref.get(addendum.amends)
        if amended is None:
            return f"UK Addendum {reference} amends {addendum.amends}, which is not in the register"
        if amended.kind not in AGREEMENT_FAMILIES["scc_2021"]:
            kind = KIND_LABELS.get(amended.kind, amended.kind)
            return f"UK Addendum {reference} amends {amended.reference}, a {kind}, not SCCs 2021"
        if flow.source not in amended.parties or flow.target not in amended.parties:
            return (
                f"UK Addendum {reference} amends SCCs 2021 {amended.reference}, which do not "
                f"name both {facts.source_name} and {facts.target_name}"
            )
        if not self.is_effective(amended):
            return (
                f"UK Addendum {reference} amends SCCs 2021 that are not in force: "
                f"{why_not_effective(amended, self.as_of)}"
            )
        return None

    def dpf_status(self, facts: FlowFacts, regime: str = "EU") -> str:
        """Why the recipient is not certified under the US framework serving `regime` on the
        date (jurisdictions.certified_for): not certified, or since when it is not."""
        name, target = facts.target_name, facts.target
        framework = FRAMEWORK_NAMES.get(regime, "the Data Privacy Framework")
        eu_until = target.dpf_certified_until if target else None
        until = {
            "UK": target.dpf_uk_certified_until if target else None,
            "CH": target.dpf_swiss_certified_until if target else None,
        }.get(regime, eu_until)
        if until is None:
            return f"{name} is not certified under {framework}"
        if until < self.as_of:
            return f"{name}'s certification under {framework} ended on {until.isoformat()}"
        if regime == "UK" and not certified_for(target, "EU", self.as_of):
            # The UK Extension stands only on an EU-US certification.
            why = f"ended on {eu_until.isoformat()}" if eu_until else "is not recorded"
            return (
                f"{name}'s certification under {framework} needs its EU-US Data Privacy "
                f"Framework certification, which {why}"
            )
        return f"{name} is certified under {framework} until {until.isoformat()}"
