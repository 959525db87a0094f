"""Time the pure rules engine on a synthetic register held in memory (no database).

    .venv/bin/python benchmarks/engine_core.py [--parties 5000] [--flows 100000] [--seed 1]

Prints JSON: the build time of the records, and the evaluate() time at 10% and 100% of the
flows, with their ratio (growth should be no faster than linear). The register mimics
the demo company: a group of affiliates across the EEA, Switzerland, the UK and the US,
processors with sub-processor chains, independent third parties, many countries, a share of
broken flows (no agreement, expired agreements, invalid mechanisms, missing TIAs).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.engine.records import (  # noqa: E402
    AgreementRecord,
    CategoryRecord,
    EngagementRecord,
    FlowRecord,
    PartyRecord,
    PurposeRecord,
    Register,
)
from flows.engine.rules import evaluate  # noqa: E402
from tests.flows.engine.record_builders import (  # noqa: E402
    seeded_adequacy,
    seeded_mechanisms,
    seeded_zones,
)

AS_OF = date(2024, 6, 1)
COUNTRIES = ("US", "DE", "FR", "IE", "NL", "GB", "CH", "IN", "JP", "BR", "CA", "SG", "PL", "ES")


def _taxonomy() -> tuple[dict[str, CategoryRecord], list[str]]:
    records: dict[str, CategoryRecord] = {"user": CategoryRecord("user")}
    groups = {
        "contact": 6,
        "financial": 4,
        "health_and_medical": 3,
        "device": 5,
        "behavior": 5,
        "account": 3,
        "demographic": 6,
        "childrens": 1,
        "location": 3,
        "authorization": 3,
    }
    leaves: list[str] = []
    for group, count in groups.items():
        parent = f"user.{group}"
        records[parent] = CategoryRecord(
            parent,
            parent="user",
            special_category=group == "health_and_medical",
            children=group == "childrens",
        )
        for i in range(count):
            key = f"{parent}.item{i}"
            card = group == "financial" and i == 0
            records[key] = CategoryRecord(key, parent=parent, payment_card=card)
            leaves.append(key)
    return records, leaves


def build(parties_n: int, flows_n: int, seed: int, broken: float = 0.15) -> Register:
    """A register whose flows are broken in one way or another with probability about
    `broken` per defect kind checked (agreements, mechanisms, authorisations, bases)."""
    rng = random.Random(seed)

    def chance(p: float) -> bool:
        return rng.random() < p

    categories, leaves = _taxonomy()
    purposes = {
        "essential.service": PurposeRecord("essential.service"),
        "analytics": PurposeRecord("analytics"),
        "marketing.sale": PurposeRecord("marketing.sale", sale_or_share=True),
    }
    parties: dict[str, PartyRecord] = {"own": PartyRecord("own", "Own Co", "own", "US")}
    affiliates = [f"aff-{i}" for i in range(max(1, parties_n // 100))]
    for slug in affiliates:
        country = rng.choice(("DE", "FR", "IE", "GB", "CH", "US"))
        parties[slug] = PartyRecord(slug, slug, "affiliate", country, parent="own")
    rest = parties_n - len(parties)
    processors = [f"proc-{i}" for i in range(rest * 3 // 10)]
    subs = [f"sub-{i}" for i in range(rest * 5 // 10)]
    thirds = [f"third-{i}" for i in range(rest - len(processors) - len(subs))]
    for slug in processors:
        us = chance(0.5)
        parties[slug] = PartyRecord(
            slug,
            slug,
            "processor",
            "US" if us else rng.choice(COUNTRIES),
            processing_countries=tuple(rng.sample(COUNTRIES, rng.randint(0, 2))),
            dpf_certified_until=AS_OF + timedelta(days=rng.randint(-60, 700))
            if us and chance(0.7)
            else None,
            pci_attested_on=AS_OF - timedelta(days=rng.randint(0, 400 if chance(broken) else 300)),
        )
    engaged_by: dict[str, str] = {}
    for slug in subs:
        country = rng.choice(COUNTRIES)
        engaged_by[slug] = rng.choice(processors)
        parties[slug] = PartyRecord(
            slug,
            slug,
            "subprocessor",
            country,
            status="under_review" if chance(broken / 2) else "approved",
        )
    notice = AS_OF - timedelta(days=4000)
    engagements = tuple(
        EngagementRecord(
            processor, sub, noticed_on=notice, evidence="statement", evidenced_on=notice
        )
        for sub, processor in engaged_by.items()
    )
    for slug in thirds:
        parties[slug] = PartyRecord(slug, slug, "third_party", rng.choice(COUNTRIES))

    # Pairs first, each with its agreement (or a defect), then about two flows per pair.
    senders = ["own", *affiliates]
    pairs: dict[tuple[str, str], str] = {}
    possible = len(senders) * (len(processors) + len(thirds)) + len(subs) + len(affiliates)
    if flows_n // 2 > possible:  # the loop below could never find enough distinct pairs
        raise SystemExit(
            f"{parties_n} parties allow at most {possible * 2} flows here; "
            "ask for more parties or fewer flows"
        )
    while len(pairs) < flows_n // 2:
        roll = rng.random()
        if roll < 0.45:
            pair, role = (rng.choice(senders), rng.choice(processors)), "processor"
        elif roll < 0.85:
            sub = rng.choice(subs)
            pair, role = (engaged_by.get(sub, processors[0]), sub), "subprocessor"
        elif roll < 0.95:
            pair, role = (rng.choice(senders), rng.choice(thirds)), "controller"
        else:
            pair, role = ("own", rng.choice(affiliates)), "controller"
        pairs.setdefault(pair, role)
    kinds = {
        "processor": ("dpa", "scc_2021_m2"),
        "subprocessor": ("dpa", "scc_2021_m3"),
        "controller": ("c2c_sharing", "scc_2021_m1"),
    }
    agreements: list[AgreementRecord] = []
    transfer_kind: dict[tuple[str, str], str] = {}
    for (source, target), role in sorted(pairs.items()):
        if chance(broken / 3):
            continue
        kind = "nda" if chance(broken / 3) else rng.choice(kinds[role])
        if role == "controller" and target in affiliates:
            kind = "intra_group"
        signed = AS_OF - timedelta(days=rng.randint(30, 3000))
        expires = None
        if chance(0.3):
            expires = AS_OF + timedelta(days=rng.randint(-400 if chance(broken) else 1, 1500))
        reference = f"agr-{source}-{target}"
        transfer_kind[(source, target)] = kind
        agreements.append(
            AgreementRecord(
                reference=reference,
                kind=kind,
                parties=frozenset((source, target)),
                signed_on=signed,
                expires_on=expires,
                flowdown=not chance(broken),
                subprocessor_authorisation=rng.choice(("none", "specific"))
                if chance(broken)
                else "general",
            )
        )
    pair_list = sorted(pairs.items())
    flows: list[FlowRecord] = []
    for i in range(flows_n):
        (source, target), role = (
            pair_list[i % len(pair_list)] if i < 2 * len(pair_list) else (rng.choice(pair_list))
        )
        kind = transfer_kind.get((source, target), "")
        mechanism, agreement = "", None
        if kind.startswith("scc_2021"):
            mechanism, agreement = "scc_2021", f"agr-{source}-{target}"
        elif parties[target].dpf_certified_until:
            mechanism = "dpf"
        if chance(broken / 3):
            mechanism = rng.choice(("", "safe_harbor", "scc_2010", "privacy_shield"))
        started = AS_OF - timedelta(days=rng.randint(-30, 3000))
        ended = started + timedelta(days=rng.randint(100, 4000)) if chance(0.1) else None
        cats = tuple(rng.sample(leaves, rng.randint(1, 3)))
        purpose = (
            "marketing.sale" if chance(0.05) else rng.choice(("essential.service", "analytics"))
        )
        flows.append(
            FlowRecord(
                id=i + 1,
                source=source,
                target=target,
                categories=cats,
                purpose=purpose,
                role=role,
                started_on=started,
                ended_on=ended,
                lawful_basis=""
                if chance(broken / 10)
                else ("consent" if chance(0.5) else "contract"),
                art9_condition="" if chance(broken) else "explicit_consent",
                transfer_mechanism=mechanism,
                transfer_agreement=agreement,
                tia_on=None if chance(broken / 3) else AS_OF - timedelta(days=100),
            )
        )
    return Register(
        parties=parties,
        flows=tuple(flows),
        agreements=tuple(agreements),
        categories=categories,
        purposes=purposes,
        zones=seeded_zones(),
        adequacy=seeded_adequacy(),
        mechanisms=seeded_mechanisms(),
        engagements=engagements,
    )


def _timed_evaluate(register: Register, repeat: int) -> tuple[float, int]:
    best = float("inf")
    count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = len(evaluate(register, AS_OF))
        best = min(best, time.perf_counter() - started)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=5000)
    parser.add_argument("--flows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--broken", type=float, default=0.15, help="share of defects per kind (0 to 1)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    large = build(args.parties, args.flows, args.seed, args.broken)
    build_seconds = time.perf_counter() - started
    small = Register(
        parties=large.parties,
        flows=large.flows[: args.flows // 10],
        agreements=large.agreements,
        categories=large.categories,
        purposes=large.purposes,
        zones=large.zones,
        adequacy=large.adequacy,
        mechanisms=large.mechanisms,
    )
    small_seconds, small_count = _timed_evaluate(small, args.repeat)
    large_seconds, large_count = _timed_evaluate(large, args.repeat)
    print(
        json.dumps(
            {
                "parties": len(large.parties),
                "agreements": len(large.agreements),
                "build_records_s": round(build_seconds, 3),
                "evaluate": {
                    str(len(small.flows)): {
                        "seconds": round(small_seconds, 3),
                        "findings": small_count,
                    },
                    str(len(large.flows)): {
                        "seconds": round(large_seconds, 3),
                        "findings": large_count,
                    },
                },
                "ratio_large_to_small": round(large_seconds / small_seconds, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
