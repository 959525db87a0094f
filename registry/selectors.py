"""Reads of the catalog, with the joins done here so that templates never query."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from registry.choices import Relationship
from registry.models import Agreement, Party

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
