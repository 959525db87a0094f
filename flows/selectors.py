"""Reads of flows for the pages, with the joins done here so that templates never query."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from flows.models import Flow


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
        flows = flows.filter(
            Q(categories__key=category) | Q(categories__key__startswith=category + ".")
        ).distinct()
    return flows


def flow_detail(*, pk: int) -> Flow | None:
    return flow_queryset().prefetch_related("data_subjects").filter(pk=pk).first()
