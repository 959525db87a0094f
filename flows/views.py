"""The flows pages: the list of flows and "where data goes". A flow's page and the findings
pages show review states and live in flows/reviews/finding_views.py."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from flows import findings as finding_selectors
from flows import selectors
from flows.forms import FlowFilterForm, ReachForm
from registry import selectors as registry_selectors
from registry.choices import Relationship
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
    names: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data["as_of"] or date.today()
        key = finding_selectors.category_named(form.cleaned_data["category"])
        if key is not None:
            reach = finding_selectors.category_reach_as_of(category=key, as_of=as_of)
        if reach is None:
            form.add_error("category", "No data category has this name or key.")
        else:
            slugs = {s for p in reach.parties for path in p.paths for s in path}
            names = registry_selectors.names_by_slug(slugs | {reach.origin or ""})
    choices = finding_selectors.category_choices()
    context = {
        "form": form,
        "reach": reach,
        "choices": choices,
        "category_name": dict(choices).get(reach.category, "") if reach else "",
        "names": names,
        "relationships": dict(Relationship.choices),
    }
    return render(request, "flows/where_data_goes.html", context)
