"""Reads of the catalog, with the joins done here so that templates never query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet

from registry.choices import Relationship
from registry.models import Agreement, Party


def party_list(
    *, search: str = "", relationship: str = "", status: str = "", country: str = ""
) -> QuerySet[Party]:
    parties = Party.objects.select_related("parent", "engaged_by")
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
    # An aggregate drops Meta.ordering, which the pager needs: order explicitly.
    return parties.annotate(
        outgoing_count=Count("outgoing_flows", distinct=True),
        incoming_count=Count("incoming_flows", distinct=True),
    ).order_by("name", "slug")


def party_detail(*, slug: str) -> Party | None:
    from flows.selectors import flow_queryset

    flows = flow_queryset()
    return (
        Party.objects.select_related("parent", "engaged_by")
        .prefetch_related(
            Prefetch("subsidiaries", queryset=Party.objects.order_by("name")),
            Prefetch("engaged_subprocessors", queryset=Party.objects.order_by("name")),
            Prefetch("agreements", queryset=Agreement.objects.prefetch_related("parties")),
            Prefetch("outgoing_flows", queryset=flows),
            Prefetch("incoming_flows", queryset=flows),
        )
        .filter(slug=slug)
        .first()
    )


def agreement_list(*, search: str = "", kind: str = "", party: str = "") -> QuerySet[Agreement]:
    agreements = Agreement.objects.prefetch_related("parties", "categories")
    if search:
        agreements = agreements.filter(Q(reference__icontains=search) | Q(title__icontains=search))
    if kind:
        agreements = agreements.filter(kind=kind)
    if party:
        agreements = agreements.filter(parties__slug=party)
    return agreements.distinct()


def agreement_detail(*, reference: str) -> Agreement | None:
    from flows.selectors import flow_queryset

    return (
        Agreement.objects.prefetch_related(
            "parties", "categories", Prefetch("transfers", queryset=flow_queryset())
        )
        .filter(reference=reference)
        .first()
    )


@dataclass(frozen=True)
class Dashboard:
    parties_by_relationship: list[tuple[str, int]]
    party_count: int
    agreement_count: int
    active_flow_count: int
    flow_count: int
    expiring_soon: list[Agreement]
    expiring_within_days: int


def dashboard(*, today: date, expiring_within_days: int) -> Dashboard:
    counts = dict(Party.objects.values_list("relationship").annotate(n=Count("id")).order_by())
    from flows.models import Flow

    # Proposed flows (an onboarding not yet approved) are not part of the live register.
    flow_counts = Flow.objects.filter(proposed=False).aggregate(
        total=Count("id"),
        active=Count(
            "id",
            filter=Q(started_on__lte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gte=today)),
        ),
    )
    horizon = today + timedelta(days=expiring_within_days)
    expiring = list(
        Agreement.objects.filter(
            expires_on__gte=today, expires_on__lte=horizon, terminated_on__isnull=True
        )
        .prefetch_related("parties")
        .order_by("expires_on", "reference")
    )
    return Dashboard(
        parties_by_relationship=[(r.label, counts.get(r.value, 0)) for r in Relationship],
        party_count=sum(counts.values()),
        agreement_count=Agreement.objects.count(),
        active_flow_count=flow_counts["active"],
        flow_count=flow_counts["total"],
        expiring_soon=expiring,
        expiring_within_days=expiring_within_days,
    )
