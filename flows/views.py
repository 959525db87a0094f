from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from flows import selectors
from flows.forms import FlowFilterForm
from flows.models import Flow
from registry.listing import list_page


def _get_flow_or_404(pk: int) -> Flow:
    flow = selectors.flow_detail(pk=pk)
    if flow is None:
        raise Http404("No flow with this number.")
    return flow


@login_required
def flow_list(request: HttpRequest) -> HttpResponse:
    listing = list_page(request, FlowFilterForm, selectors.flow_list)
    return render(request, "flows/flow_list.html", {"listing": listing})


@login_required
def flow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    flow = _get_flow_or_404(pk)
    return render(request, "flows/flow_detail.html", {"flow": flow})
