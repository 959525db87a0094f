"""Reads of flows for the pages, and of the parties and agreements with their flows, with the
joins done here so that templates never query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet

from flows.engine.graph import Taxonomy
from flows.engine.records import CategoryRecord
from flows.models import DataCategory, Flow, active_on
from registry.choices import Relationship
from registry.models import Agreement, Party


def flow_queryset() -> QuerySet[Flow]:
    """Live flows (not proposed ones) with everything a list or a detail page shows, in a
    fixed number of queries."""
    return (
        Flow.objects.filter(proposed=False)
        .select_related("source", "target", "purpose", "transfer_agreement")
        .prefetch_related("categories")
    )


def flow_list(
    *,
    search: str = "",
    party: str = "",
    role: str = "",
    transfer_mechanism: str = "",
    category: str = "",
) -> QuerySet[Flow]:
    flows = flow_queryset()
    if search:
        flows = flows.filter(
            Q(reference__icontains=search)
            | Q(source__name__icontains=search)
            | Q(target__name__icontains=search)
            | Q(description__icontains=search)
        )
    if party:
        flows = flows.filter(Q(source__slug=party) | Q(target__slug=party))
    if role:
        flows = flows.filter(role=role)
    if transfer_mechanism:
        flows = flows.filter(transfer_mechanism=transfer_mechanism)
    if category:
        # A category filter matches the category and everything below it.
        flows = flows.filter(categories__key__in=_category_and_below(category)).distinct()
    return flows


def _category_and_below(key: str) -> list[str]:
    """The category and its descendants, by the taxonomy's parent links (engine.graph)."""
    parents = list(DataCategory.objects.values_list("key", "parent__key"))
    taxonomy = Taxonomy({k: CategoryRecord(k, parent=parent) for k, parent in parents})
    return [k for k, _ in parents if key in taxonomy.lineage(k)]


def flow_detail(*, pk: int) -> Flow | None:
    return flow_queryset().prefetch_related("data_subjects").filter(pk=pk).first()


def party_detail(*, slug: str) -> Party | None:
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


def agreement_detail(*, reference: str) -> Agreement | None:
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

    # Proposed flows (an onboarding not yet approved) are not part of the live register.
    flow_counts = Flow.objects.filter(proposed=False).aggregate(
        total=Count("id"),
        active=Count("id", filter=active_on(today)),
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
