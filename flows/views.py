from datetime import date

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from flows import findings as finding_selectors
from flows import selectors
from flows.forms import FindingFilterForm, FlowFilterForm, ReachForm
from flows.models import Flow
from registry.web.arguments import iso_date_or_none
from registry.web.listing import PAGE_SIZE, list_page
from registry.web.permissions import viewer_required


def _get_flow_or_404(pk: int) -> Flow:
    flow = selectors.flow_detail(pk=pk)
    if flow is None:
        raise Http404("No flow with this number.")
    return flow


@viewer_required
def flow_list(request: HttpRequest) -> HttpResponse:
    listing = list_page(request, FlowFilterForm, selectors.flow_list)
    return render(request, "flows/flow_list.html", {"listing": listing})


@viewer_required
def flow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    flow = _get_flow_or_404(pk)
    today = date.today()
    context = {
        "flow": flow,
        "findings": finding_selectors.flow_findings(flow.pk, today),
        "as_of": today,
    }
    return render(request, "flows/flow_detail.html", context)


@viewer_required
def finding_list(request: HttpRequest) -> HttpResponse:
    form = FindingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    as_of = filters.get("as_of") or date.today()
    result = finding_selectors.finding_list(
        as_of=as_of,
        rule=filters.get("rule", ""),
        severity=filters.get("severity", ""),
        party=filters.get("party", ""),
        category=filters.get("category", ""),
    )
    page = Paginator(result.findings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    severity_query = query.copy()
    severity_query.pop("severity", None)
    context = {
        "form": form,
        "result": result,
        "page": page,
        "querystring": query.urlencode(),
        "severity_querystring": severity_query.urlencode(),
        "names": finding_selectors.party_names(page.object_list),
    }
    return render(request, "flows/finding_list.html", context)


@viewer_required
def finding_detail(request: HttpRequest, rule: str, flow_id: int) -> HttpResponse:
    as_of = iso_date_or_none(request.GET.get("as_of", "")) or date.today()
    facts = finding_selectors.finding_facts(rule=rule, flow_id=flow_id, as_of=as_of)
    if facts is None:
        raise Http404(f"No {rule} finding on flow {flow_id} as of {as_of.isoformat()}.")
    return render(request, "flows/finding_detail.html", {"facts": facts})


@viewer_required
def where_data_goes(request: HttpRequest) -> HttpResponse:
    form = ReachForm(request.GET or None)
    reach = None
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data["as_of"] or date.today()
        reach = finding_selectors.category_reach_as_of(
            category=form.cleaned_data["category"], as_of=as_of
        )
        if reach is None:
            form.add_error("category", "No data category has this key.")
    context = {"form": form, "reach": reach, "keys": finding_selectors.category_keys()}
    return render(request, "flows/where_data_goes.html", context)
