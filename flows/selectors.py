"""Reads of flows for the pages, and of the parties and agreements with their flows, with the
joins done here so that templates never query."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, When

from flows.engine.context import FITTING_KINDS, INTRA_GROUP, RuleContext
from flows.engine.coverage import flow_coverage as engine_coverage
from flows.engine.coverage import uncovered_reason
from flows.engine.graph import Taxonomy
from flows.engine.records import CategoryRecord
from flows.loading import Part, register_load
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
    """The party with its group; its agreements, flows and engagements, thousands for the
    own company or a cloud provider, are read a page at a time (party_agreements,
    party_flows, registry.selectors.party_engagements)."""
    return (
        Party.objects.select_related("parent")
        .prefetch_related(Prefetch("subsidiaries", queryset=Party.objects.order_by("name")))
        .filter(slug=slug)
        .first()
    )


def party_agreements(*, party: Party) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(parties=party)
        .prefetch_related("parties")
        .order_by("reference", "id")
    )


def party_flows(*, party: Party, direction: str) -> QuerySet[Flow]:
    """The live flows the party sends ("outgoing") or receives ("incoming")."""
    end = "source" if direction == "outgoing" else "target"
    return flow_queryset().filter(**{end: party}).order_by("reference", "id")


def agreement_detail(*, reference: str) -> Agreement | None:
    return (
        Agreement.objects.select_related("amends")
        .prefetch_related(
            "parties", "categories", "amended_by", Prefetch("transfers", queryset=flow_queryset())
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


def agreement_flows(*, agreement: Agreement) -> QuerySet[Flow]:
    """The live flows between two of the agreement's parties: those it could govern, the
    flows of a role its kind fits first (context.FITTING_KINDS), then by reference."""
    party_ids = [p.pk for p in agreement.parties.all()]
    roles = [role for role, kinds in FITTING_KINDS.items() if agreement.kind in kinds]
    if agreement.kind == INTRA_GROUP:
        roles.append("controller")
    return (
        flow_queryset()
        .filter(source_id__in=party_ids, target_id__in=party_ids)
        .exclude(source_id=F("target_id"))
        .annotate(other_role=Case(When(role__in=roles, then=0), default=1))
        .order_by("other_role", "reference", "id")
    )


@dataclass(frozen=True)
class AgreementFit:
    """An agreement naming both parties of a flow, with how it stands to the flow that day."""

    agreement: Agreement
    covers: bool
    fitting_kind: bool
    reason: str


@dataclass(frozen=True)
class Coverage:
    """Which agreements cover a flow on a day, and why the others do not."""

    as_of: date
    fits: list[AgreementFit]
    """Covering ones first, then those of a fitting kind, then the rest (coverage.flow_coverage)."""
    uncovered: str
    """Why none covers the flow, in one sentence; empty when one does."""

    @property
    def covering(self) -> list[AgreementFit]:
        return [f for f in self.fits if f.covers]


def coverage_of(*, flow_ids: Collection[int], as_of: date) -> dict[int, Coverage]:
    """The coverage of each flow on `as_of`, judged by the rules' own test on the part of the
    register those flows read (flows.loading.Part): a fixed number of queries for any number
    of flows."""
    if not flow_ids:
        return {}
    register = register_load(Part(flow_ids))
    context = RuleContext(register, as_of)
    records = {flow.id: flow for flow in register.flows}
    fits = {flow_id: engine_coverage(context, flow) for flow_id, flow in records.items()}
    ids = {fit.agreement.id for found in fits.values() for fit in found}
    agreements = Agreement.objects.prefetch_related("parties", "categories").in_bulk(ids)
    return {
        flow_id: Coverage(
            as_of=as_of,
            fits=[
                AgreementFit(agreements[f.agreement.id], f.covers, f.fitting_kind, f.reason)
                for f in found
                if f.agreement.id in agreements
            ],
            uncovered=uncovered_reason(context, records[flow_id], found),
        )
        for flow_id, found in fits.items()
    }
