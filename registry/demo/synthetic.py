"""A large, realistic synthetic register for benchmarks and demos.

Groups with affiliates in several countries, processors with sub-processor chains, third
parties, agreements of the fitting kinds, and a share of deliberately broken flows (missing
or expired agreements, no lawful basis, transfers without a valid mechanism). Rows are
written with bulk_create in one transaction: 100,000 flows take seconds, not minutes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from flows.findings.refresh import findings_refresh_all
from flows.models import DataCategory, Flow, Purpose
from registry.models import Agreement, Engagement, Party, Publication
from registry.public.cache import public_list_changed

EEA = ("DE", "FR", "IE", "NL", "ES", "IT", "PL", "SE", "BE", "AT", "DK", "FI")
ADEQUATE = ("CH", "GB", "JP", "CA", "IL", "NZ", "KR")
THIRD = ("IN", "PH", "MX", "SG", "ZA", "CN", "AU", "AE")
CATEGORY_POOL = (
    "user.contact.email",
    "user.contact.address",
    "user.contact.phone_number",
    "user.contact.organization",
    "user.name",
    "user.financial.bank_account",
    "user.financial.credit_card",
    "user.behavior.browsing_history",
    "user.device.cookie_id",
    "user.account.account_number",
    "user.government_id.tax_id",
    "user.authorization.password",
    "user.biometric.voice",
    "user.childrens",
)
SENSITIVE_CATEGORIES = ("user.financial.credit_card", "user.biometric.voice", "user.childrens")
PURPOSE_POOL = (
    "essential.service",
    "essential.service.operations.support",
    "essential.service.payment_processing",
    "analytics.reporting",
    "marketing.communications.email",
    "essential.fraud_detection",
    "third_party_sharing",
)
BATCH = 5_000


@dataclass(frozen=True)
class SyntheticSummary:
    parties: int
    agreements: int
    flows: int


def _country(rng: random.Random) -> str:
    pool = rng.choices((EEA, ("US",), ADEQUATE, THIRD), weights=(35, 35, 12, 18))[0]
    return rng.choice(pool)


@transaction.atomic
def synthetic_register_create(
    *,
    parties: int,
    flows: int,
    seed: int = 1,
    broken_share: float = 0.15,
    prefix: str = "syn",
    today: date | None = None,
) -> SyntheticSummary:
    """Add `parties` parties and `flows` flows (with their agreements) to the register.

    Dates are counted from `today` (default: the real today), so that one seed and one
    `today` always give the same register. Creates an own company only when the register has
    none.
    """
    rng = random.Random(seed)
    today = today or date.today()
    own = Party.objects.filter(relationship="own").first()
    created: list[Party] = []
    if own is None:
        own = Party(
            slug=f"{prefix}-own",
            name="Synthetic Group Inc.",
            relationship="own",
            country="US",
            status="approved",
        )
        created.append(own)
    n_affiliates = max(2, parties // 50)
    n_processors = int(parties * 0.6)
    n_thirds = int(parties * 0.12)
    n_subs = max(0, parties - len(created) - n_affiliates - n_processors - n_thirds)

    def party(i: int, relationship: str, **extra: object) -> Party:
        country = _country(rng)
        certified = (
            today + timedelta(days=rng.randint(-400, 700))
            if country == "US" and rng.random() < 0.6
            else None
        )
        # Most who certify under the EU-US DPF add the UK Extension (which needs it), fewer
        # the Swiss-US DPF; chosen by number, so that the random draws stay as they were.
        return Party(
            slug=f"{prefix}-{relationship}-{i:05d}",
            name=f"{relationship.title()} {i:05d}",
            relationship=relationship,
            country=country,
            status="approved",
            dpf_certified_until=certified,
            dpf_uk_certified_until=certified if i % 3 else None,
            dpf_swiss_certified_until=certified if i % 2 == 0 else None,
            pci_attested_on=(
                today - timedelta(days=rng.randint(0, 700)) if rng.random() < 0.3 else None
            ),
            **extra,
        )

    affiliates = [party(i, "affiliate") for i in range(n_affiliates)]
    processors = [party(i, "processor") for i in range(n_processors)]
    thirds = [party(i, "third_party") for i in range(n_thirds)]
    Party.objects.bulk_create(created + affiliates + processors + thirds, batch_size=BATCH)
    # Parents and engaging processors need primary keys: set them after the first insert.
    Party.objects.filter(pk__in=[a.pk for a in affiliates]).update(parent=own)
    subs = []
    engagers: dict[int, list[Party]] = {}  # by the sub-processor's index in `subs`
    for i in range(n_subs):
        first = rng.choice(processors)
        subs.append(party(i, "subprocessor"))
        engagers[i] = [first]
        # Every fourth sub-processor (a cloud provider, say) serves a second processor too;
        # chosen by number, so that the random draws stay as they were.
        second = processors[(i * 7 + 3) % len(processors)]
        if i % 4 == 0 and second.pk != first.pk:
            engagers[i].append(second)
    Party.objects.bulk_create(subs, batch_size=BATCH)
    engaged_by = {subs[i].pk: chosen for i, chosen in engagers.items()}
    # Told long before the first flow (they start at most 4,000 days ago), each evidenced by
    # the processor's published statement but every tenth, which is not evidenced at all.
    noticed = today - timedelta(days=4100)
    Engagement.objects.bulk_create(
        [
            Engagement(
                processor=processor,
                subprocessor=subs[i],
                noticed_on=noticed,
                notice_source="Synthetic register: the processor's published list.",
                evidence="" if i % 10 == 9 else "statement",
                evidenced_on=None if i % 10 == 9 else noticed,
            )
            for i, chosen in engagers.items()
            for processor in chosen
        ],
        batch_size=BATCH,
    )
    # A synthetic register is one whose processors are all on the public list already: each
    # gets a publication in effect since a year ago (no randomness drawn, so one seed still
    # gives the same register).
    listed_since = today - timedelta(days=365)
    Publication.objects.bulk_create(
        [
            Publication(
                party=p,
                decided_at=timezone.now(),
                notice_on=listed_since,
                effective_on=listed_since,
                note="Synthetic register.",
            )  # fmt: skip
            for p in processors + subs
        ],
        batch_size=BATCH,
    )

    categories = list(DataCategory.objects.filter(key__in=CATEGORY_POOL).order_by("key"))
    sensitive = [c for c in categories if c.key in SENSITIVE_CATEGORIES]
    ordinary = [c for c in categories if c.key not in SENSITIVE_CATEGORIES]
    purposes = {p.key: p for p in Purpose.objects.filter(key__in=PURPOSE_POOL)}
    group = [own, *affiliates]
    agreements: dict[tuple[int, int], Agreement] = {}
    flow_rows: list[Flow] = []
    flow_categories: list[list[DataCategory]] = []
    for i in range(flows):
        broken = rng.random() < broken_share
        kind = rng.random()
        if kind < 0.62 or not subs:
            source, target, role = rng.choice(group), rng.choice(processors), "processor"
            purpose_key = rng.choice(PURPOSE_POOL[:6])
        elif kind < 0.9:
            target = rng.choice(subs)
            chosen = engaged_by[target.pk]
            source, role = chosen[i % len(chosen)], "subprocessor"
            purpose_key = rng.choice(PURPOSE_POOL[:3])
        else:
            source, target, role = rng.choice(group), rng.choice(thirds), "controller"
            purpose_key = rng.choice(PURPOSE_POOL)
        started = today - timedelta(days=rng.randint(30, 4000))
        pair = (source.pk, target.pk)
        if not broken and pair not in agreements:
            agreement_kind = "c2c_sharing" if role == "controller" else "dpa"
            signed = started - timedelta(days=rng.randint(0, 60))
            expires = None
            if rng.random() < 0.05:  # an agreement that lapsed while the flow went on
                expires = max(signed, today - timedelta(days=rng.randint(1, 300)))
            agreements[pair] = Agreement(
                reference=f"{prefix}-agr-{len(agreements):06d}",
                kind=agreement_kind,
                signed_on=signed,
                expires_on=expires,
                flowdown=rng.random() < 0.8,
                subprocessor_authorisation=rng.choice(("general", "general", "specific", "none")),
            )
        transfer = source.country in EEA and target.country not in EEA + ADEQUATE
        flow_rows.append(
            Flow(
                reference=f"{prefix}-flow-{i:06d}",
                source=source,
                target=target,
                purpose=purposes[purpose_key],
                role=role,
                started_on=started,
                ended_on=(
                    today - timedelta(days=rng.randint(1, 20)) if rng.random() < 0.05 else None
                ),
                lawful_basis=(
                    ""
                    if broken and rng.random() < 0.3 or role == "subprocessor"
                    else rng.choice(("contract", "consent", "legitimate_interests"))
                ),
                transfer_mechanism=(
                    rng.choice(("", "safe_harbor", "scc_2010", "scc_2021"))
                    if transfer and broken
                    else "scc_2021"
                    if transfer
                    else ""
                ),
                tia_on=started if transfer and not broken else None,
            )
        )
        # Sensitive categories (voice biometrics, children's and card data) are rare in real
        # registers; drawn as often as the rest, they would swamp the findings.
        picked = rng.sample(ordinary, k=2)
        if rng.random() < 0.03:
            picked[1] = rng.choice(sensitive)
        flow_categories.append(picked)

    Agreement.objects.bulk_create(agreements.values(), batch_size=BATCH)
    Through = Agreement.parties.through
    Through.objects.bulk_create(
        [
            Through(agreement_id=a.pk, party_id=p)
            for (s, t), a in agreements.items()
            for p in (s, t)
        ],
        batch_size=BATCH,
    )
    Flow.objects.bulk_create(flow_rows, batch_size=BATCH)
    FlowCategory = Flow.categories.through
    FlowCategory.objects.bulk_create(
        [
            FlowCategory(flow_id=flow.pk, datacategory_id=c.pk)
            for flow, cats in zip(flow_rows, flow_categories, strict=True)
            for c in cats
        ],
        batch_size=BATCH,
    )
    # bulk_create sends no signal: the stored findings are evaluated again, whole, and the
    # public list's cached pages are dropped.
    findings_refresh_all()
    public_list_changed()
    return SyntheticSummary(
        parties=len(created) + len(affiliates) + len(processors) + len(thirds) + len(subs),
        agreements=len(agreements),
        flows=len(flow_rows),
    )
