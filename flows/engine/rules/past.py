"""The look-back rule: the days of the past six years on which an active flow was not
covered, for the assessment of past reliance that accountability asks for.

Each past day is judged as the rules judge the evaluation date, from the register as it is
recorded now: an agreement of a fitting kind, naming both parties and covering the flow's
categories, in force that day (context.RuleContext, records.agreement_state); and, for a
restricted transfer that day (the zone, adequacy and mechanism tables' rows of that day),
the flow's mechanism in its period under the regime. Everything is computed on periods
(flows.engine.periods), never day by day: the in-force period of each agreement, their
union, the periods of the tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flows.engine.context import RuleContext, flow_finding
from flows.engine.facts import FlowFacts
from flows.engine.jurisdictions import (
    DPF_SCOPE,
    EEA_ADEQUATE_FOR,
    REGIME_NAMES,
    REGIMES,
    RestrictedTransfer,
)
from flows.engine.mechanisms import ADEQUACY_MECHANISMS
from flows.engine.periods import (
    NEVER,
    ONE_DAY,
    Days,
    Period,
    add_months,
    complement,
    intersection,
    period,
    union,
)
from flows.engine.records import AgreementRecord, Finding, PartyRecord
from flows.engine.wording import MECHANISM_LABELS, ROLE_CITATIONS, TRANSFER_CITATIONS, listing

LOOKBACK_MONTHS = 72
"""Six years, in calendar months: the look-back starts on the same day six years before the
date (from 29 February: the 28th)."""

SHOWN_PERIODS = 6
NO_AGREEMENT = "no agreement in force"


@dataclass(frozen=True, slots=True)
class Gap:
    """Days on which a flow was not covered, and why, in words."""

    start: date
    end: date
    what: str
    regime: str = ""
    """The transfer regime of a mechanism gap; empty for an agreement gap."""


def in_force_days(agreement: AgreementRecord) -> Days:
    """The days on which records.agreement_state says the agreement is in force: from its
    start through its expiry, and before the day it was terminated."""
    start = agreement.starts_on
    if start is None:
        return NEVER
    ends = [agreement.expires_on] if agreement.expires_on is not None else []
    if agreement.terminated_on is not None:
        ends.append(agreement.terminated_on - ONE_DAY)
    return period(start, min(ends) if ends else None)


def certified_through(target: PartyRecord | None, regime: str) -> date | None:
    """The last day of the recipient's certification under the US framework that serves the
    regime, as jurisdictions.certified_for reads them (the UK Extension needs the EU-US
    certification too); None when it has none."""
    if target is None:
        return None
    if regime == "EU":
        return target.dpf_certified_until
    if regime == "UK":
        uk, eu = target.dpf_uk_certified_until, target.dpf_certified_until
        return min(uk, eu) if uk is not None and eu is not None else None
    if regime == "CH":
        return target.dpf_swiss_certified_until
    return None


def _bare(label: str) -> str:
    """A mechanism's label without its article: "Data Privacy Framework", "SCCs 2021"."""
    for article in ("The ", "An ", "A "):
        if label.startswith(article):
            return label.removeprefix(article)
    return label


class History:
    """The register's tables and agreements as periods, for one evaluation."""

    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self.day = ctx.as_of
        register = ctx.register
        zones: dict[tuple[str, str], list[Period]] = defaultdict(list)
        for zone in register.zones:
            zones[(zone.regime, zone.country)] += period(zone.valid_from, zone.valid_to)
        self.zones = {key: union(rows) for key, rows in zones.items()}
        found = {regime for regime, _ in zones}
        self.regimes = tuple(r for r in REGIMES if r in found) + tuple(
            sorted(found.difference(REGIMES))
        )
        self.zone_exists = {
            regime: union(p for (r, _), days in self.zones.items() if r == regime for p in days)
            for regime in self.regimes
        }
        """The days on which each regime's zone held some country: the only days on which
        data could have that regime's origin."""
        self.whole: dict[tuple[str, str], list[Period]] = defaultdict(list)
        self.dpf: dict[tuple[str, str], list[Period]] = defaultdict(list)
        self.dpf_countries: dict[str, set[str]] = defaultdict(set)
        for row in register.adequacy:
            if row.scope == DPF_SCOPE:
                self.dpf[(row.regime, row.country)] += period(row.valid_from, row.valid_to)
                self.dpf_countries[row.regime].add(row.country)
            else:
                self.whole[(row.regime, row.country)] += period(row.valid_from, row.valid_to)
        rows: dict[tuple[str, str], list[Period]] = defaultdict(list)
        for mechanism in register.mechanisms:
            key = (mechanism.regime, mechanism.mechanism)
            rows[key] += period(mechanism.valid_from, mechanism.valid_to)
        self.valid = {key: union(days) for key, days in rows.items()}
        # For a tool judged by its period alone, the days after its first valid day on which
        # it was invalid; most tools (SCCs 2021, BCRs, the IDTA) have none, and their flows
        # need no look at the past at all.
        self.lapses: dict[tuple[str, str], Days] = {}
        for key, days in self.valid.items():
            if days:
                lapses = complement(days)
                self.lapses[key] = tuple((s, e) for s, e in lapses if days[0][0] < s < self.day)
        self.quiet = frozenset(
            mechanism
            for mechanism in {m for _, m in self.valid}
            if mechanism not in ADEQUACY_MECHANISMS
            and not any(self.lapses.get((regime, mechanism)) for regime in self.regimes)
        )
        """Mechanisms whose period leaves no invalid day after its first valid one, under
        any regime, before the date: no past transfer gap is possible on them."""
        self._uncertified: tuple[date | None, ...] = (None,) * len(self.regimes)
        self._in_force: dict[int, Days] = {}
        self._covered: dict[tuple[str, str, date | None], Days] = {}
        self._transfers: dict[tuple[object, ...], tuple[Gap, ...]] = {}
        self._by_recipient: dict[
            tuple[str, str, tuple[str, ...], str],
            tuple[tuple[RestrictedTransfer, ...], tuple[Gap, ...]],
        ] = {}

    def in_force(self, agreement: AgreementRecord) -> Days:
        cached = self._in_force.get(id(agreement))
        if cached is None:
            cached = self._in_force[id(agreement)] = in_force_days(agreement)
        return cached

    # -- agreements ---------------------------------------------------------------------------

    def agreement_gaps(self, facts: FlowFacts, first: date) -> list[Gap]:
        """The days from `first` to the day before the date on which no agreement qualified
        for the flow, in periods that ended before the date. The agreements of a fitting kind
        naming both parties and covering the categories are the context's: those in force on
        the date (FlowFacts.qualifying) and the others (FlowFacts.lapsed)."""
        day = self.day
        in_force = self.in_force
        covered = [days for a in facts.qualifying + facts.lapsed for days in in_force(a)]
        if len(covered) > 1:
            covered.sort()
        gaps = []
        cursor = first
        for start, end in covered:
            if start > day:
                break
            if start > cursor:
                gaps.append(Gap(cursor, start - ONE_DAY, NO_AGREEMENT))
            if end >= day:
                break
            if end >= cursor:
                cursor = end + ONE_DAY
        return gaps

    # -- transfers ----------------------------------------------------------------------------

    def covered(self, regime: str, country: str, certified: date | None) -> Days:
        """The days on which data may go to `country` under `regime` with no mechanism: the
        country in the zone, or adequate (a "dpf" decision while the recipient is certified;
        for the UK and Swiss regimes, the EEA)."""
        key = (regime, country, certified)
        cached = self._covered.get(key)
        if cached is not None:
            return cached
        days = list(self.zones.get((regime, country), ()))
        days += self.whole.get((regime, country), ())
        if certified is not None:
            days += (
                (start, min(end, certified))
                for start, end in self.dpf.get((regime, country), ())
                if start <= certified
            )
        if regime in EEA_ADEQUATE_FOR:
            days += self.zones.get(("EU", country), ())
        cached = self._covered[key] = union(days)
        return cached

    def transfer_gaps(self, facts: FlowFacts) -> tuple[Gap, ...]:
        """The days on which the flow was a restricted transfer whose mechanism could not be
        relied on, by regime, over all time. Cached: flows share a few combinations."""
        flow, source, target = facts.flow, facts.source, facts.target
        mechanism = flow.transfer_mechanism
        if source is None or not mechanism or mechanism in self.quiet:
            return ()
        # Flows from one country to one recipient mostly share their facts: look them up
        # before working out the key of what the gaps depend on.
        first_key = (source.country, flow.target, flow.processing_countries, mechanism)
        seen = self._by_recipient.get(first_key)
        if seen is not None and seen[0] == facts.restricted:
            return seen[1]
        countries = flow.processing_countries or (target.countries if target else ())
        # A regime under which the flow is an onward transfer on the date (the data came from
        # its zone): assumed so on every past day the zone existed, as the register records no
        # earlier origin.
        in_zone = self.ctx.jurisdictions.in_zone
        onward = frozenset(
            t.regime for t in facts.restricted if not in_zone(t.regime, source.country)
        )
        certified = self._uncertified
        if target is not None and (
            target.dpf_certified_until
            or target.dpf_uk_certified_until
            or target.dpf_swiss_certified_until
        ):
            # Only days before the date matter: certifications that run past it are one.
            day = self.day
            certified = tuple(
                None if until is None else min(until, day)
                for until in (
                    certified_through(target, regime)
                    if not self.dpf_countries[regime].isdisjoint(countries)
                    else None
                    for regime in self.regimes
                )
            )
        key = (source.country, countries, mechanism, onward, certified)
        cached = self._transfers.get(key)
        if cached is None:
            cached = self._transfers[key] = self._compute_transfer_gaps(
                source.country, countries, mechanism, onward, certified
            )
        self._by_recipient[first_key] = (facts.restricted, cached)
        return cached

    def _compute_transfer_gaps(
        self,
        source_country: str,
        countries: tuple[str, ...],
        mechanism: str,
        onward: frozenset[str],
        certified: tuple[date | None, ...],
    ) -> tuple[Gap, ...]:
        label = MECHANISM_LABELS.get(mechanism, mechanism)
        gaps: list[Gap] = []
        for regime, until in zip(self.regimes, certified, strict=True):
            if regime in onward:
                origin = self.zone_exists.get(regime, NEVER)
            else:
                origin = self.zones.get((regime, source_country), NEVER)
            if not origin:
                continue
            not_covered = union(
                day
                for country in countries
                if country
                for day in complement(self.covered(regime, country, until))
            )
            restricted = intersection(origin, not_covered)
            if not restricted:
                continue
            if mechanism in ADEQUACY_MECHANISMS:
                # Adequacy, or the framework, relied on while the data went where neither
                # reached; counted from the first day on which it did reach, before which the
                # flow must have rested on another tool that the register no longer records.
                reached = intersection(origin, complement(not_covered))
                lapses = tuple((s, e) for s, e in restricted if reached and s > reached[0][0])
                what = f"{label[0].lower()}{label[1:]} did not cover the transfer"
                valid = self.valid.get((regime, mechanism), NEVER)
                if valid:
                    lapses = tuple((s, e) for s, e in lapses if s > valid[0][0])
            else:
                lapses = intersection(restricted, self.lapses.get((regime, mechanism), NEVER))
                what = f"{_bare(label)} invalid"
            gaps += (Gap(s, e, what, regime) for s, e in lapses if e < self.day)
        return tuple(gaps)


def _periods(gaps: list[Gap]) -> str:
    """The periods in date order, the regimes of one period and cause named together:
    "from 2020-07-16 to 2023-07-09: Privacy Shield invalid under the EU GDPR and the UK GDPR"."""
    laws: dict[tuple[date, date, str], list[str]] = {}
    for gap in gaps:
        laws.setdefault((gap.start, gap.end, gap.what), []).append(gap.regime)
    texts = []
    for (start, end, what), regimes in sorted(laws.items()):
        named = [REGIME_NAMES.get(r, r) for r in regimes if r]
        under = f" under the {' and the '.join(named)}" if named else ""
        texts.append(f"from {start.isoformat()} to {end.isoformat()}: {what}{under}")
    return listing(texts, SHOWN_PERIODS)


def past_coverage_gap(ctx: RuleContext) -> Iterator[Finding]:
    """An active flow that, on some day of the six years before the date and since it
    started, had no qualifying agreement (as NO_AGREEMENT and EXPIRED_AGREEMENT judge a day;
    not asked of sub-processor hops), or was a restricted transfer on a mechanism that could
    not be relied on that day under the regime (outside its period in the mechanism table;
    for adequacy or the Data Privacy Framework, any restricted transfer). Lists the periods.

    Only periods that ended before the date: a gap that still runs on the date is flagged by
    today's rules. The look-back starts on the same day six years before the date. A
    mechanism is judged only from the first day on which it could have covered the flow:
    the register records the tool a flow rests on now, not the ones it replaced (a transfer
    moved onto the SCCs 2021 is not said to have lacked them before they existed), while
    the agreements it records, ended ones included, are judged on every day.

    Basis: GDPR Art. 5(2) (accountability: the controller is responsible for, and must be
    able to demonstrate, compliance) and Art. 24 (measures to ensure and to demonstrate that
    processing is performed in accordance with the Regulation), applied to Art. 28(3) and
    28(9) for the agreements and Arts. 44-46 for the transfers (UK GDPR the same; FADP
    Arts. 16-17). Unverified: the wording of Art. 5(2) and 24 as summarised; that supervisory
    authorities expect controllers to assess past reliance on a tool that fell away (as
    after CJEU C-311/18); the six years are product policy, not a period taken from the law.
    """
    day = ctx.as_of
    window = add_months(day, -LOOKBACK_MONTHS)
    history = History(ctx)
    quiet = history.quiet
    before = f" was not covered on days of the six years before {day.isoformat()}: "
    citations: dict[tuple[str, bool, tuple[str, ...]], str] = {}
    for facts in ctx.flows:
        flow = facts.flow
        started = flow.started_on
        first = started if started > window else window
        if first >= day:
            continue
        # The agreement rules judge the flow (FlowFacts.agreement_gap), unless it is a
        # sub-processor hop, judged by its engagement rather than the customer's agreements;
        # an agreement in force on the date that started by `first` covers every day since.
        judged = flow.role != "subprocessor" and (
            facts.agreement_gap is not None or bool(facts.qualifying)
        )
        if judged:
            for agreement in facts.qualifying:
                start = agreement.effective_on or agreement.signed_on
                if start is not None and start <= first:
                    judged = False
                    break
        mechanism = flow.transfer_mechanism
        transferred = bool(mechanism) and mechanism not in quiet
        if not judged and not transferred:
            continue
        gaps = history.agreement_gaps(facts, first) if judged else []
        agreements_only = True
        if transferred:
            for gap in history.transfer_gaps(facts):
                if gap.end >= first:
                    agreements_only = False
                    gaps.append(
                        gap if gap.start >= first else Gap(first, gap.end, gap.what, gap.regime)
                    )
        if not gaps:
            continue
        if agreements_only and len(gaps) == 1:  # the usual case
            periods = (
                f"from {gaps[0].start.isoformat()} to {gaps[0].end.isoformat()}: {NO_AGREEMENT}"
            )
            regimes: tuple[str, ...] = ()
        elif agreements_only:  # already in date order, one cause
            periods = listing(
                (
                    f"from {g.start.isoformat()} to {g.end.isoformat()}: {NO_AGREEMENT}"
                    for g in gaps
                ),
                SHOWN_PERIODS,
            )
            regimes = ()
        else:
            periods = _periods(gaps)
            regimes = tuple(sorted({gap.regime for gap in gaps if gap.regime}))
        key = (flow.role, any(not gap.regime for gap in gaps), regimes)
        citation = citations.get(key)
        if citation is None:
            parts = ["GDPR Art. 5(2) and 24 (accountability)"]
            if key[1]:
                parts.append(ROLE_CITATIONS.get(flow.role, "GDPR Art. 28(3)"))
            parts += (TRANSFER_CITATIONS.get(regime, regime) for regime in regimes)
            citation = citations[key] = "; ".join(parts)
        words = ctx.words(facts)
        yield flow_finding(
            "PAST_COVERAGE_GAP",
            "medium",
            facts,
            f"{words[0].upper()}{words[1:]} from {facts.source_name}{before}{periods}.",
            citation,
            "For each period, find the agreement or transfer tool that covered it and record "
            "it; where none did, assess the processing in that period (what was disclosed, "
            "what must be remedied or notified) and keep the assessment.",
        )
