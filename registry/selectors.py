"""Reads of the catalog, with the joins done here so that templates never query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from registry.choices import Relationship, SubprocessorAuthorisation
from registry.models import Agreement, AgreementParty, Engagement, Party

#: What pages and e-mails call the organisation when the register has no own company yet.
UNNAMED_ORGANISATION = "Data-flow register"


def organisation_name() -> str:
    """The name of the organisation the register is kept for: the own company's. Vendor
    pages, e-mails and the public list carry it, so that no one takes them for phishing."""
    name = Party.objects.filter(relationship=Relationship.OWN).values_list("name", flat=True)
    return name.first() or UNNAMED_ORGANISATION


def party_list(
    *, search: str = "", relationship: str = "", status: str = "", country: str = ""
) -> QuerySet[Party]:
    engagers = Engagement.objects.filter(ended_on__isnull=True).select_related("processor")
    parties = Party.objects.select_related("parent").prefetch_related(
        Prefetch(
            "engagements", queryset=engagers.order_by("processor__name"), to_attr="open_engagements"
        )
    )
    if search:
        parties = parties.filter(
            Q(name__icontains=search) | Q(slug__icontains=search) | Q(legal_name__icontains=search)
        )
    if relationship:
        parties = parties.filter(relationship=relationship)
    if status:
        parties = parties.filter(status=status)
    if country:
        parties = parties.filter(country=country)
    # Counted by a subquery each, for the rows of the page only: two joined counts multiply
    # the rows (a party's outgoing times its incoming flows) before they are grouped, which
    # took seconds at 100,000 flows.
    return parties.annotate(
        outgoing_count=_flow_count("source"), incoming_count=_flow_count("target")
    ).order_by("name", "slug")


def _flow_count(end: str) -> Coalesce:
    """How many flows the party is the `end` of (source or target), as a subquery. The flow
    model is reached through the relation: the catalog imports nothing of flows."""
    flow = Party._meta.get_field("outgoing_flows").related_model
    flows = flow._default_manager.filter(**{end: OuterRef("pk")}).order_by()
    counted = flows.values(end).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def agreement_list(*, search: str = "", kind: str = "", party: str = "") -> QuerySet[Agreement]:
    agreements = Agreement.objects.prefetch_related("parties", "categories")
    if search:
        agreements = agreements.filter(Q(reference__icontains=search) | Q(title__icontains=search))
    if kind:
        agreements = agreements.filter(kind=kind)
    if party:
        agreements = agreements.filter(parties__slug=party)
    return agreements.distinct()


def names_by_slug(slugs: Iterable[str]) -> dict[str, str]:
    """Slug -> name of these parties, in one query: pages show names, never slugs."""
    wanted = {s for s in slugs if s}
    return dict(Party.objects.filter(slug__in=wanted).values_list("slug", "name")) if wanted else {}


# --- engagements ------------------------------------------------------------------------

DEFAULT_OBJECTION_DAYS = 30
"""The objection period when no agreement of the group with the root processor gives one."""
_GROUP = (Relationship.OWN, Relationship.AFFILIATE)
_CHAIN_STEPS = 5
"""How far back a chain of engagements is followed to its root processor."""


def party_engagements(*, party: Party, side: str) -> QuerySet[Engagement]:
    """The engagements of `party` as the sub-processor ("engaged_by") or as the processor
    ("engages"), open ones first, with both parties joined."""
    field = "subprocessor" if side == "engaged_by" else "processor"
    other = "processor__name" if side == "engaged_by" else "subprocessor__name"
    return (
        Engagement.objects.filter(**{field: party})
        .select_related("processor", "subprocessor")
        .order_by(F("ended_on").desc(nulls_first=True), other, "id")
    )


def objection_days_by_processor(processors: Iterable[int]) -> dict[int, int]:
    """Processor id -> the objection period (days) of the group's agreement giving general
    authorisation that binds it; for a processor engaged by another, that of the root
    processor of the chain (GDPR Art. 28(2) and 28(4)); DEFAULT_OBJECTION_DAYS when none.
    A query or two a step back the chain, whatever the number of processors."""
    wanted = set(processors)
    found: dict[int, int] = {}
    # current processor id -> the processors it is asked for
    asking: dict[int, set[int]] = {pk: {pk} for pk in wanted}
    for _ in range(_CHAIN_STEPS):
        if not asking:
            break
        general = Agreement.objects.filter(
            parties__relationship__in=_GROUP,
            subprocessor_authorisation=SubprocessorAuthorisation.GENERAL,
        )
        rows = AgreementParty.objects.filter(
            agreement__in=general, party_id__in=list(asking)
        ).values_list("party_id", "agreement__objection_days")
        days: dict[int, int] = {}
        for party_id, objection_days in rows:
            days[party_id] = max(days.get(party_id, 0), objection_days)
        for party_id, value in days.items():
            for origin in asking.pop(party_id):
                found.setdefault(origin, value)
        if not asking:
            break
        engagers = Engagement.objects.filter(
            subprocessor_id__in=list(asking), ended_on__isnull=True
        ).values_list("subprocessor_id", "processor_id")
        following: dict[int, set[int]] = {}
        for subprocessor, processor in engagers:
            following.setdefault(processor, set()).update(asking[subprocessor])
        asking = following
    return {pk: found.get(pk, DEFAULT_OBJECTION_DAYS) for pk in wanted}


def objection_deadline(engagement: Engagement, days: int) -> date | None:
    """The last day to object: the notice date plus the objection period."""
    return engagement.noticed_on + timedelta(days=days) if engagement.noticed_on else None


def with_objection_deadlines(engagements: Sequence[Engagement]) -> list[Engagement]:
    """The engagements, each with `objection_days` and `objection_deadline` set."""
    rows = list(engagements)
    days = objection_days_by_processor(e.processor_id for e in rows)
    for e in rows:
        e.objection_days = days[e.processor_id]  # type: ignore[attr-defined]
        e.objection_deadline = objection_deadline(e, days[e.processor_id])  # type: ignore[attr-defined]
    return rows
