"""Small factories for the pure core's records: no database, no fixtures files.

`register()` builds a Register around a small demo group: the own company in the US, EEA,
Swiss and UK affiliates, a US hosting processor, an Indian sub-processor and an independent
partner, with a few data categories and purposes, and the jurisdiction tables as the project
seeds them (zones, adequacy decisions, mechanism validity). At the end, small helpers read
the findings the way a user does: by rule and by flow.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flows.engine.records import (
    AdequacyRecord,
    AgreementRecord,
    CategoryRecord,
    EngagementRecord,
    Finding,
    FlowRecord,
    MechanismRecord,
    PartyRecord,
    PurposeRecord,
    Register,
    ZoneRecord,
)
from flows.engine.rules import evaluate

AS_OF = date(2024, 6, 1)
LONG_AGO = date(2019, 1, 1)

EEA = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
)  # fmt: skip
EEA_TERRITORIES = ("AX", "GF", "GP", "MQ", "RE", "YT", "MF")

EMAIL = "user.contact.email"
PHONE = "user.contact.phone_number"
CONTACT = "user.contact"
USER = "user"
HEALTH = "user.health_and_medical"
GENETIC = "user.health_and_medical.genetic"
CHILDRENS = "user.childrens"
CARD = "user.financial.credit_card"
BANK = "user.financial.bank_account"
SERVICE = "essential.service"
AD_SALE = "marketing.advertising.third_party"
AD_SALE_TARGETED = "marketing.advertising.third_party.targeted"


def d(text: str) -> date:
    return date.fromisoformat(text)


# -- jurisdiction tables, as seeded ---------------------------------------------------------


def seeded_zones() -> tuple[ZoneRecord, ...]:
    zones = [ZoneRecord("EU", code) for code in EEA + EEA_TERRITORIES]
    zones.append(ZoneRecord("EU", "GB", valid_to=d("2020-12-31")))
    zones.append(ZoneRecord("UK", "GB", valid_from=d("2021-01-01")))
    zones.append(ZoneRecord("CH", "CH"))
    return tuple(zones)


def seeded_adequacy() -> tuple[AdequacyRecord, ...]:
    eu = [
        ("CH", "2000-07-26", "whole"),
        ("CA", "2001-12-20", "sectoral"),
        ("AR", "2003-06-30", "whole"),
        ("GG", "2003-11-21", "whole"),
        ("IM", "2004-04-28", "whole"),
        ("JE", "2008-05-08", "whole"),
        ("FO", "2010-03-05", "whole"),
        ("AD", "2010-10-19", "whole"),
        ("IL", "2011-01-31", "whole"),
        ("UY", "2012-08-21", "whole"),
        ("NZ", "2012-12-19", "whole"),
        ("JP", "2019-01-23", "sectoral"),
        ("KR", "2021-12-17", "sectoral"),
        ("US", "2023-07-10", "dpf"),
        ("BR", "2026-01-26", "whole"),
    ]
    rows = [AdequacyRecord("EU", c, d(start), scope=scope) for c, start, scope in eu]
    rows.append(AdequacyRecord("EU", "GB", d("2021-06-28"), d("2031-12-27")))
    # The EU-UK Trade and Cooperation Agreement bridge, as the project seeds it.
    rows.append(AdequacyRecord("EU", "GB", d("2021-01-01"), d("2021-06-27")))
    uk = ("CH", "AR", "GG", "IM", "JE", "AD", "IL", "UY", "NZ", "FO", "CA", "JP")
    rows += [AdequacyRecord("UK", c, d("2021-01-01")) for c in uk]
    rows.append(AdequacyRecord("UK", "KR", d("2022-12-19")))
    rows.append(AdequacyRecord("UK", "US", d("2023-10-12"), scope="dpf"))
    ch = ("GB", "AR", "GG", "IM", "JE", "AD", "IL", "UY", "NZ", "FO", "CA")
    rows += [AdequacyRecord("CH", c, d("2023-09-01")) for c in ch]
    rows.append(AdequacyRecord("CH", "US", d("2024-09-15"), scope="dpf"))
    return tuple(rows)


def seeded_mechanisms() -> tuple[MechanismRecord, ...]:
    def row(regime: str, mechanism: str, start: str | None, end: str | None) -> MechanismRecord:
        return MechanismRecord(
            regime, mechanism, d(start) if start else None, d(end) if end else None
        )

    common = [
        ("bcr", None, None),
        ("derogation", None, None),
        ("adequacy", None, None),
    ]
    rows = [
        row("EU", "safe_harbor", "2000-07-26", "2015-10-05"),
        row("EU", "privacy_shield", "2016-07-12", "2020-07-15"),
        row("EU", "scc_2001", "2001-06-15", "2022-12-27"),
        row("EU", "scc_2004", "2004-12-27", "2022-12-27"),
        row("EU", "scc_2010", "2010-02-05", "2022-12-27"),
        row("EU", "dpf", "2023-07-10", None),
        row("EU", "scc_2021", "2021-06-27", None),
        row("UK", "safe_harbor", "2000-07-26", "2015-10-05"),
        row("UK", "privacy_shield", "2016-07-12", "2020-07-15"),
        row("UK", "scc_2001", "2001-06-15", "2024-03-21"),
        row("UK", "scc_2004", "2004-12-27", "2024-03-21"),
        row("UK", "scc_2010", "2010-02-05", "2024-03-21"),
        row("UK", "uk_idta", "2022-03-21", None),
        row("UK", "uk_addendum", "2022-03-21", None),
        row("UK", "dpf", "2023-10-12", None),
        row("CH", "safe_harbor", None, "2015-10-21"),
        row("CH", "privacy_shield", "2017-01-12", "2020-09-07"),
        row("CH", "scc_2001", "2001-06-15", "2022-12-27"),
        row("CH", "scc_2004", "2004-12-27", "2022-12-27"),
        row("CH", "scc_2010", "2010-02-05", "2022-12-27"),
        row("CH", "dpf", "2024-09-15", None),
        row("CH", "scc_2021", "2021-08-27", None),
    ]
    for regime in ("EU", "UK", "CH"):
        rows += [row(regime, m, start, end) for m, start, end in common]
    return tuple(rows)


# -- taxonomy -------------------------------------------------------------------------------


def categories() -> dict[str, CategoryRecord]:
    records = [
        CategoryRecord(USER),
        CategoryRecord(CONTACT, parent=USER),
        CategoryRecord(EMAIL, parent=CONTACT),
        CategoryRecord(PHONE, parent=CONTACT),
        CategoryRecord(HEALTH, parent=USER, special_category=True),
        CategoryRecord(GENETIC, parent=HEALTH),
        CategoryRecord(CHILDRENS, parent=USER, children=True),
        CategoryRecord("user.financial", parent=USER),
        CategoryRecord(CARD, parent="user.financial", payment_card=True),
        CategoryRecord(BANK, parent="user.financial"),
        CategoryRecord("user.criminal_history", parent=USER, criminal=True),
    ]
    return {record.key: record for record in records}


def purposes() -> dict[str, PurposeRecord]:
    records = [
        PurposeRecord("essential"),
        PurposeRecord(SERVICE, parent="essential"),
        PurposeRecord("marketing"),
        PurposeRecord("marketing.advertising", parent="marketing"),
        PurposeRecord(AD_SALE, parent="marketing.advertising", sale_or_share=True),
        PurposeRecord(AD_SALE_TARGETED, parent=AD_SALE),
    ]
    return {record.key: record for record in records}


# -- parties, agreements, flows -------------------------------------------------------------


def party(slug: str, relationship: str = "processor", country: str = "US", **kw) -> PartyRecord:
    kw.setdefault("name", slug.replace("-", " ").title())
    return PartyRecord(slug=slug, relationship=relationship, country=country, **kw)


def base_parties() -> dict[str, PartyRecord]:
    records = [
        party("acme", "own", "US", name="Acme Voice"),
        party("acme-de", "affiliate", "DE", name="Acme GmbH", parent="acme"),
        party("acme-ch", "affiliate", "CH", name="Acme AG", parent="acme"),
        party("acme-uk", "affiliate", "GB", name="Acme Ltd", parent="acme"),
        party("cloudco", "processor", "US", name="CloudCo Hosting"),
        party("backupco", "subprocessor", "IN", name="BackupCo"),
        party("partner", "third_party", "US", name="Partner Inc"),
    ]
    return {record.slug: record for record in records}


def with_party(parties: dict[str, PartyRecord], record: PartyRecord) -> dict[str, PartyRecord]:
    """A copy of `parties` with `record` added or replaced."""
    return {**parties, record.slug: record}


def agreement(
    reference: str,
    kind: str,
    *members: str,
    signed_on: date | None = LONG_AGO,
    categories: Iterable[str] = (),
    **kw,
) -> AgreementRecord:
    return AgreementRecord(
        reference=reference,
        kind=kind,
        parties=frozenset(members),
        signed_on=signed_on,
        categories=frozenset(categories),
        **kw,
    )


def flow(
    id: int,
    source: str,
    target: str,
    *,
    categories: tuple[str, ...] = (EMAIL,),
    purpose: str = SERVICE,
    role: str = "processor",
    started_on: date = LONG_AGO,
    lawful_basis: str = "contract",
    **kw,
) -> FlowRecord:
    """A flow with a lawful basis by default, so tests of other rules stay quiet about it."""
    return FlowRecord(
        id=id,
        source=source,
        target=target,
        categories=categories,
        purpose=purpose,
        role=role,
        started_on=started_on,
        lawful_basis=lawful_basis,
        **kw,
    )


def engagement(
    processor: str = "cloudco",
    subprocessor: str = "backupco",
    *,
    noticed_on: date | None = LONG_AGO,
    evidence: str = "copy",
    evidenced_on: date | None = LONG_AGO,
    **kw,
) -> EngagementRecord:
    """An engagement noticed long ago (the objection period has run) whose sub-processing
    agreement is evidenced by a copy, unless a test says otherwise."""
    return EngagementRecord(
        processor,
        subprocessor,
        noticed_on=noticed_on,
        evidence=evidence,
        evidenced_on=evidenced_on,
        **kw,
    )


def register(
    flows: Iterable[FlowRecord] = (),
    agreements: Iterable[AgreementRecord] = (),
    parties: dict[str, PartyRecord] | None = None,
    engagements: Iterable[EngagementRecord] = (),
) -> Register:
    return Register(
        parties=base_parties() if parties is None else parties,
        flows=tuple(flows),
        agreements=tuple(agreements),
        categories=categories(),
        purposes=purposes(),
        zones=seeded_zones(),
        adequacy=seeded_adequacy(),
        mechanisms=seeded_mechanisms(),
        engagements=tuple(engagements),
    )


# -- reading the findings -------------------------------------------------------------------

DPA = agreement("dpa-cloudco", "dpa", "acme", "cloudco", flowdown=True)
"""Acme's DPA with CloudCo Hosting: covers every category, flows obligations down."""


def findings(reg: Register, as_of: date = AS_OF) -> list[Finding]:
    return evaluate(reg, as_of)


def rules_for(reg: Register, flow_id: int, as_of: date = AS_OF) -> set[str]:
    """The rules that flag one flow."""
    return {f.rule for f in findings(reg, as_of) if f.flow == flow_id}


def the(reg: Register, rule: str, as_of: date = AS_OF) -> Finding:
    """The one finding of `rule` (fails when there are none or several)."""
    [found] = [f for f in findings(reg, as_of) if f.rule == rule]
    return found


def none_of(reg: Register, rule: str, as_of: date = AS_OF) -> bool:
    return all(f.rule != rule for f in findings(reg, as_of))
