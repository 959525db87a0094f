"""Zones, adequacy and transfer-mechanism validity on a date, read from the register's tables.

The legal facts (who is in the EEA, which country is adequate, until when Safe Harbor could be
relied on) live in ZoneRecord, AdequacyRecord and MechanismRecord rows that a reviewer can
edit; this module only answers questions about them. `Jurisdictions` indexes the tables once;
`Jurisdictions.on(day)` returns a `JurisdictionSnapshot` that precomputes the sets valid on
that day, so that the restricted-transfer test of 100,000 flows is a few set look-ups each.

Definitions (GDPR Arts. 44-45, UK GDPR Arts. 44-45, FADP Art. 16):
- zone: EU regime = the EEA, UK regime = GB, CH regime = CH, each row valid from..to inclusive;
- adequate: an adequacy row valid on the day whose scope holds ("dpf" rows only for recipients
  whose DPF certification runs at least to that day); for the UK and CH regimes a country in
  the EU zone counts as adequate;
- restricted transfer under a regime: the regime is an origin regime of the flow's data at
  its source (the source is in the zone, or the data came to it from the zone: an onward
  transfer, GDPR Art. 44 "including for onward transfers") and some processing country of the
  flow is outside the zone and not adequate for the recipient.

Unverified: the EEA country list itself and GB's membership dates; they are table rows here,
so a reviewer can correct them without a code change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flows.engine.records import (
    AdequacyRecord,
    FlowRecord,
    MechanismRecord,
    PartyRecord,
    Register,
    ZoneRecord,
)

REGIMES: tuple[str, ...] = ("EU", "UK", "CH")

REGIME_NAMES: dict[str, str] = {"EU": "EU GDPR", "UK": "UK GDPR", "CH": "Swiss FADP"}
"""The law each regime code stands for, as a reviewer reads it."""

ZONE_NAMES: dict[str, str] = {"EU": "the EEA", "UK": "the United Kingdom", "CH": "Switzerland"}

ORIGIN_NAMES: dict[str, str] = {"EU": "EU-origin", "UK": "UK-origin", "CH": "Swiss-origin"}
"""Data whose origin regimes include the regime, in a sentence: "onward transfer of EU-origin
data"."""

# The EEA counts as adequate for UK and Swiss exporters: DPA 2018 Sch. 21 para. 5 (from
# 2021-01-01; known from secondary sources) and the Swiss DPO Annex 1 list (unverified past
# "Malta"). It holds for the whole zone on any day, not as a table row, so it stays in code.
EEA_ADEQUATE_FOR: frozenset[str] = frozenset({"UK", "CH"})

DPF_SCOPE = "dpf"

OLD_SCCS: frozenset[str] = frozenset({"scc_2001", "scc_2004", "scc_2010"})
"""The repealed SCCs (Decisions 2001/497/EC, 2004/915/EC, 2010/87/EU)."""

CONCLUDED_BY: dict[str, date] = {
    # Implementing Decision (EU) 2021/914 Art. 4(4): contracts concluded before 27 September
    # 2021 on the old SCCs keep providing safeguards (until 27 December 2022).
    "EU": date(2021, 9, 26),
    # UK transitional provisions (DPA 2018 s. 119A; the ICO's transitional document): contracts
    # concluded on or before 21 September 2022. Unverified against the text: known from
    # secondary sources (DLA Piper, Geldards).
    "UK": date(2022, 9, 21),
}
"""The last day on which a contract on the old SCCs could be concluded, by regime; besides
the end of the mechanism's period in the table. No Swiss cut-off is recorded."""


def concluded_by(regime: str, mechanism: str) -> date | None:
    """The last day a contract on `mechanism` could be concluded under `regime`, if limited."""
    return CONCLUDED_BY.get(regime) if mechanism in OLD_SCCS else None


def _within(day: date, start: date | None, end: date | None) -> bool:
    """Inclusive on both ends; None is open."""
    return (start is None or start <= day) and (end is None or day <= end)


@dataclass(frozen=True, slots=True)
class RestrictedTransfer:
    """A flow is a restricted transfer under `regime`: `countries` are the offending ones;
    `onward` when the source is outside the regime's zone and sends on data that came to it
    from the zone (an onward transfer)."""

    regime: str
    source_country: str
    countries: tuple[str, ...]
    onward: bool = False

    @property
    def regime_name(self) -> str:
        return REGIME_NAMES.get(self.regime, self.regime)

    @property
    def zone_name(self) -> str:
        return ZONE_NAMES.get(self.regime, self.regime)

    @property
    def origin_name(self) -> str:
        """The origin in words: "EU-origin", "UK-origin", "Swiss-origin"."""
        return ORIGIN_NAMES.get(self.regime, f"{self.regime}-origin")


def _runs_to(until: date | None, day: date) -> bool:
    return until is not None and until >= day


def certified_for(target: PartyRecord | None, regime: str, day: date) -> bool:
    """The recipient is certified on `day` under the US framework that serves `regime`.

    EU regime: the EU-US Data Privacy Framework (`dpf_certified_until`); UK regime: the UK
    Extension to it (`dpf_uk_certified_until`), which a US organisation can join only while
    it holds the EU-US certification, so both must run to the day; CH regime: the Swiss-US
    Data Privacy Framework (`dpf_swiss_certified_until`). Any other regime has no framework.
    Basis: Commission Implementing Decision (EU) 2023/1795; the UK Data Protection (Adequacy)
    (United States of America) Regulations 2023; the Federal Council's amendment of Annex 1
    of the Data Protection Ordinance (DPO) of 14 August 2024.
    """
    if target is None:
        return False
    if regime == "EU":
        return _runs_to(target.dpf_certified_until, day)
    if regime == "UK":
        return _runs_to(target.dpf_uk_certified_until, day) and _runs_to(
            target.dpf_certified_until, day
        )
    if regime == "CH":
        return _runs_to(target.dpf_swiss_certified_until, day)
    return False


def dpf_active(target: PartyRecord | None, day: date) -> bool:
    """The EU-US certification (`dpf_certified_until`) runs on `day`: what the diagrams show
    beside that date. The transfer tests ask `certified_for` with the regime."""
    return certified_for(target, "EU", day)


class Jurisdictions:
    """The zone, adequacy and mechanism tables of a register, indexed for look-ups by date."""

    def __init__(
        self,
        zones: Iterable[ZoneRecord] = (),
        adequacy: Iterable[AdequacyRecord] = (),
        mechanisms: Iterable[MechanismRecord] = (),
    ) -> None:
        self._zones: dict[tuple[str, str], list[ZoneRecord]] = defaultdict(list)
        for zone in zones:
            self._zones[(zone.regime, zone.country)].append(zone)
        self._adequacy: dict[tuple[str, str], list[AdequacyRecord]] = defaultdict(list)
        for decision in adequacy:
            self._adequacy[(decision.regime, decision.country)].append(decision)
        self._mechanisms: dict[tuple[str, str], list[MechanismRecord]] = defaultdict(list)
        for mechanism in mechanisms:
            self._mechanisms[(mechanism.regime, mechanism.mechanism)].append(mechanism)
        for rows in self._mechanisms.values():
            rows.sort(key=lambda row: (row.valid_from or date.min, row.valid_to or date.max))

    @classmethod
    def from_register(cls, register: Register) -> Jurisdictions:
        return cls(register.zones, register.adequacy, register.mechanisms)

    def regimes(self) -> tuple[str, ...]:
        """The known regimes first in their usual order, then any other found in the tables."""
        found = {regime for regime, _ in self._zones}
        return tuple(r for r in REGIMES if r in found) + tuple(sorted(found.difference(REGIMES)))

    def in_zone(self, regime: str, country: str, day: date) -> bool:
        return any(
            _within(day, row.valid_from, row.valid_to)
            for row in self._zones.get((regime, country), ())
        )

    def adequate(
        self, regime: str, country: str, day: date, target: PartyRecord | None = None
    ) -> bool:
        """Adequate for `regime` on `day`, for this recipient (DPF rows need its certification)."""
        if regime in EEA_ADEQUATE_FOR and self.in_zone("EU", country, day):
            return True
        for row in self._adequacy.get((regime, country), ()):
            if not _within(day, row.valid_from, row.valid_to):
                continue
            if row.scope == DPF_SCOPE and not certified_for(target, regime, day):
                continue
            # Sectoral scopes (Canada: PIPEDA, Japan: APPI, Korea: PIPA) cannot be tested:
            # the register does not record whether a recipient falls under those laws.
            return True
        return False

    def mechanism_rows(self, regime: str, mechanism: str) -> tuple[MechanismRecord, ...]:
        """The validity periods of `mechanism` under `regime`, earliest first."""
        return tuple(self._mechanisms.get((regime, mechanism), ()))

    def mechanism_valid(self, regime: str, mechanism: str, day: date) -> bool:
        """No row for (regime, mechanism) means the mechanism does not exist under it."""
        return any(
            _within(day, row.valid_from, row.valid_to)
            for row in self._mechanisms.get((regime, mechanism), ())
        )

    def restricted_transfers(
        self,
        flow: FlowRecord,
        source: PartyRecord | None,
        target: PartyRecord | None,
        day: date,
    ) -> tuple[RestrictedTransfer, ...]:
        return self.on(day).restricted_transfers(flow, source, target)

    def on(self, day: date) -> JurisdictionSnapshot:
        """The tables as they stand on `day`, flattened into sets."""
        return JurisdictionSnapshot(self, day)


class JurisdictionSnapshot:
    """Zones, adequacy and mechanisms valid on one day; cheap to query many times."""

    def __init__(self, jurisdictions: Jurisdictions, day: date) -> None:
        self.day = day
        self._jurisdictions = jurisdictions
        self.regimes: tuple[str, ...] = jurisdictions.regimes()
        zones: dict[str, set[str]] = defaultdict(set)
        for (regime, country), rows in jurisdictions._zones.items():
            if any(_within(day, row.valid_from, row.valid_to) for row in rows):
                zones[regime].add(country)
        self._zones: dict[str, frozenset[str]] = {r: frozenset(c) for r, c in zones.items()}
        self.exporters: frozenset[str] = frozenset(c for cs in zones.values() for c in cs)
        """Countries inside some zone on the day: the only possible sources of a transfer."""
        whole: dict[str, set[str]] = defaultdict(set)
        dpf: dict[str, set[str]] = defaultdict(set)
        for (regime, country), decisions in jurisdictions._adequacy.items():
            for row in decisions:
                if _within(day, row.valid_from, row.valid_to):
                    (dpf if row.scope == DPF_SCOPE else whole)[regime].add(country)
        eea = self._zones.get("EU", frozenset())
        for regime in EEA_ADEQUATE_FOR:
            whole[regime].update(eea)
        self._whole: dict[str, frozenset[str]] = {r: frozenset(c) for r, c in whole.items()}
        self._dpf: dict[str, frozenset[str]] = {
            r: frozenset(c.difference(self._whole.get(r, ()))) for r, c in dpf.items()
        }
        self._cache: dict[
            tuple[str, tuple[str, ...], frozenset[str], tuple[str, ...]],
            tuple[RestrictedTransfer, ...],
        ] = {}
        self._usable: dict[str, tuple[str, ...]] = {}

    def zone(self, regime: str) -> frozenset[str]:
        return self._zones.get(regime, frozenset())

    def in_zone(self, regime: str, country: str) -> bool:
        return country in self._zones.get(regime, ())

    def zone_regimes(self, country: str) -> tuple[str, ...]:
        """The regimes whose zone holds `country` on the day (usually one, or none)."""
        return tuple(r for r in self.regimes if country in self._zones.get(r, ()))

    def adequate(self, regime: str, country: str, target: PartyRecord | None = None) -> bool:
        if country in self._whole.get(regime, ()):
            return True
        return country in self._dpf.get(regime, ()) and certified_for(target, regime, self.day)

    def dpf_only(self, regime: str, country: str) -> bool:
        """True when `country` is adequate for `regime` on the day only for DPF-certified
        recipients: the reason to mention a missing or lapsed certification."""
        return country in self._dpf.get(regime, ())

    def mechanism_valid(self, regime: str, mechanism: str) -> bool:
        return self._jurisdictions.mechanism_valid(regime, mechanism, self.day)

    def usable_mechanisms(self, regime: str) -> tuple[str, ...]:
        """The mechanisms a transfer under `regime` could be put on, on the day: valid in the
        table that day and, for the old SCCs, still open to new contracts (concluded_by)."""
        cached = self._usable.get(regime)
        if cached is None:
            day = self.day
            cached = tuple(
                sorted(
                    mechanism
                    for (r, mechanism), rows in self._jurisdictions._mechanisms.items()
                    if r == regime
                    and any(_within(day, row.valid_from, row.valid_to) for row in rows)
                    and (concluded_by(regime, mechanism) or day) >= day
                )
            )
            self._usable[regime] = cached
        return cached

    def mechanism_rows(self, regime: str, mechanism: str) -> tuple[MechanismRecord, ...]:
        return self._jurisdictions.mechanism_rows(regime, mechanism)

    def restricted_transfers(
        self,
        flow: FlowRecord,
        source: PartyRecord | None,
        target: PartyRecord | None,
        origins: tuple[str, ...] | None = None,
    ) -> tuple[RestrictedTransfer, ...]:
        """The regimes under which `flow` is a restricted transfer on the day.

        `origins` are the origin regimes of the flow's data at its source (RuleContext
        propagates them along the flows); without them, the regimes whose zone holds the
        source, as for a first transfer. An unknown source or an empty country code is no
        evidence of a transfer, so it gives none when no origin is known.
        """
        if source is None:
            return ()
        if origins is None:
            origins = self.zone_regimes(source.country)
        if not origins:
            return ()
        # Where the data is processed: the flow's own list, else the target's countries.
        countries = flow.processing_countries or (target.countries if target else ())
        certified = self.certified_regimes(target)
        return self.transfers_from(source.country, countries, certified, origins)

    def certified_regimes(self, target: PartyRecord | None) -> frozenset[str]:
        """The regimes under whose US framework the recipient is certified on the day."""
        return frozenset(r for r in self.regimes if certified_for(target, r, self.day))

    def transfers_from(
        self,
        source_country: str,
        countries: tuple[str, ...],
        certified: frozenset[str],
        origins: tuple[str, ...],
    ) -> tuple[RestrictedTransfer, ...]:
        """restricted_transfers() once the countries are known: the regimes among `origins`
        under which data sent from `source_country` and processed in `countries` is a
        restricted transfer, for a recipient certified under the US frameworks of the
        `certified` regimes. Cached: flows share a few combinations."""
        key = (source_country, countries, certified, origins)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._compute(source_country, countries, certified, origins)
            self._cache[key] = cached
        return cached

    def _compute(
        self,
        source_country: str,
        countries: tuple[str, ...],
        certified: frozenset[str],
        origins: tuple[str, ...],
    ) -> tuple[RestrictedTransfer, ...]:
        found: list[RestrictedTransfer] = []
        for regime in origins:
            zone = self._zones.get(regime, frozenset())
            whole = self._whole.get(regime, frozenset())
            dpf = self._dpf.get(regime, frozenset()) if regime in certified else frozenset()
            offending = tuple(
                sorted(
                    {
                        c
                        for c in countries
                        if c and c not in zone and c not in whole and c not in dpf
                    }
                )
            )
            if offending:
                onward = source_country not in zone
                found.append(RestrictedTransfer(regime, source_country, offending, onward))
        return tuple(found)
