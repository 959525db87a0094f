"""The pages that list findings with their review state: the findings list, a finding's
page and a flow's page.

They moved here from flows/views.py because the flows layer sits below legal review and
may not import it; each finding's state (open, accepted until when by whom, waived...) is
read from the decisions, so the pages that show it live with them. Their addresses and URL
names are unchanged (flows/reviews/urls.py).
"""

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from flows import findings as finding_selectors
from flows import selectors
from flows.models import Flow
from flows.reviews.forms import FindingStateFilterForm
from flows.reviews.marks import marked, marked_finding_list
from registry.web.arguments import iso_date_or_none
from registry.web.permissions import viewer_required


def _get_flow_or_404(pk: int) -> Flow:
    flow = selectors.flow_detail(pk=pk)
    if flow is None:
        raise Http404("No flow with this number.")
    return flow


@viewer_required
def flow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    flow = _get_flow_or_404(pk)
    today = date.today()
    findings = marked(finding_selectors.flow_findings(flow.pk, today), today)
    context = {
        "flow": flow,
        "findings": findings,
        "names": finding_selectors.party_names(m.finding for m in findings),
        "coverage": selectors.coverage_of(flow_ids=[flow.pk], as_of=today).get(flow.pk),
        "as_of": today,
    }
    return render(request, "flows/flow_detail.html", context)


@viewer_required
def finding_list(request: HttpRequest) -> HttpResponse:
    form = FindingStateFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    as_of = filters.get("as_of") or date.today()
    result = marked_finding_list(
        as_of=as_of,
        rule=filters.get("rule", ""),
        severity=filters.get("severity", ""),
        party=filters.get("party", ""),
        category=filters.get("category", ""),
        state=filters.get("state", ""),
        page=request.GET.get("page"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    severity_query = query.copy()
    severity_query.pop("severity", None)
    state_query = query.copy()
    state_query.pop("state", None)
    context = {
        "form": form,
        "result": result,
        "page": result.page,
        "querystring": query.urlencode(),
        "severity_querystring": severity_query.urlencode(),
        "state_querystring": state_query.urlencode(),
        "names": finding_selectors.party_names(m.finding for m in result.page.object_list),
    }
    return render(request, "flows/finding_list.html", context)


@viewer_required
def finding_detail(request: HttpRequest, rule: str, flow_id: int) -> HttpResponse:
    as_of = iso_date_or_none(request.GET.get("as_of", "")) or date.today()
    facts = finding_selectors.finding_facts(rule=rule, flow_id=flow_id, as_of=as_of)
    if facts is None:
        raise Http404(f"No {rule} finding on flow {flow_id} as of {as_of.isoformat()}.")
    [state, *_] = marked(facts.findings[:1], as_of)
    context = {
        "facts": facts,
        "state": state,
        "names": finding_selectors.party_names(facts.findings),
        "category_names": finding_selectors.category_names(facts.findings),
    }
    return render(request, "flows/finding_detail.html", context)
