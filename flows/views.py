"""The flows pages: the list of flows and "where data goes". A flow's page and the findings
pages show review states and live in flows/reviews/finding_views.py."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from flows import findings as finding_selectors
from flows import selectors
from flows.forms import FlowFilterForm, ReachForm
from registry.web.listing import list_page
from registry.web.permissions import viewer_required


@viewer_required
def flow_list(request: HttpRequest) -> HttpResponse:
    listing = list_page(request, FlowFilterForm, selectors.flow_list)
    return render(request, "flows/flow_list.html", {"listing": listing})


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
