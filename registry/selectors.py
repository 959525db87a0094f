"""Reads of the catalog, with the joins done here so that templates never query."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

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


def agreement_list(*, search: str = "", kind: str = "", party: str = "") -> QuerySet[Agreement]:
    agreements = Agreement.objects.prefetch_related("parties", "categories")
    if search:
        agreements = agreements.filter(Q(reference__icontains=search) | Q(title__icontains=search))
    if kind:
        agreements = agreements.filter(kind=kind)
    if party:
        agreements = agreements.filter(parties__slug=party)
    return agreements.distinct()
