from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from flows import selectors as flow_selectors
from flows.findings import finding_list, findings_citing, party_names
from flows.reviews.marks import marked
from flows.reviews.queue import review_counts
from registry import selectors
from registry.forms import AgreementFilterForm, PartyFilterForm
from registry.models import Agreement, Party
from registry.web.listing import list_page
from registry.web.permissions import viewer_required

PARTY_FINDINGS = 20
"""Findings shown on a party's page; the rest are a link to the filtered findings list."""


def _get_party_or_404(slug: str) -> Party:
    party = flow_selectors.party_detail(slug=slug)
    if party is None:
        raise Http404("No party with this slug.")
    return party


def _get_agreement_or_404(reference: str) -> Agreement:
    agreement = flow_selectors.agreement_detail(reference=reference)
    if agreement is None:
        raise Http404("No agreement with this reference.")
    return agreement


@viewer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = date.today()
    summary = flow_selectors.dashboard(
        today=today, expiring_within_days=settings.EXPIRING_SOON_DAYS
    )
    # The counts by severity leave the severity out: one list gives them and the critical.
    findings = finding_list(as_of=today, severity="critical")
    critical = marked(findings.findings[:10], today)
    context = {
        "summary": summary,
        "findings": findings,
        "critical": critical,
        "names": party_names(m.finding for m in critical),
        "as_of": today,
        "reviews": review_counts(as_of=today),
    }
    return render(request, "registry/dashboard.html", context)


@viewer_required
def party_list(request: HttpRequest) -> HttpResponse:
    listing = list_page(request, PartyFilterForm, selectors.party_list)
    return render(request, "registry/party_list.html", {"listing": listing})


@viewer_required
def party_detail(request: HttpRequest, slug: str) -> HttpResponse:
    party = _get_party_or_404(slug)
    today = date.today()
    findings = finding_list(as_of=today, party=party.slug).findings
    shown = marked(findings[:PARTY_FINDINGS], today)
    context = {
        "party": party,
        "findings": shown,
        "findings_count": len(findings),
        "names": party_names(m.finding for m in shown),
        "as_of": today,
        "agreements": _page(request, "agreements", flow_selectors.party_agreements(party=party)),
        "outgoing": _page(
            request, "sends", flow_selectors.party_flows(party=party, direction="outgoing")
        ),
        "incoming": _page(
            request, "receives", flow_selectors.party_flows(party=party, direction="incoming")
        ),
        "engaged_by": _engagement_page(request, "engaged-by", party, "engaged_by"),
        "engages": _engagement_page(request, "engages", party, "engages"),
    }
    return render(request, "registry/party_detail.html", context)


def _engagement_page(request: HttpRequest, parameter: str, party: Party, side: str) -> "_SubList":
    """A page of the party's engagements, each with its objection deadline (two queries
    or so, whatever the rows)."""
    listed = _page(request, parameter, selectors.party_engagements(party=party, side=side))
    listed.page.object_list = selectors.with_objection_deadlines(list(listed.page.object_list))
    return listed


PARTY_LIST_ROWS = 25
"""Rows of each list on a party's or an agreement's page at a time."""


@dataclass(frozen=True)
class _SubList:
    """One of several paged lists on a page, with its own page parameter."""

    page: Page
    parameter: str
    querystring: str
    """The page's query string without this list's parameter, for its pager."""


def _page(request: HttpRequest, parameter: str, rows: QuerySet[Any]) -> _SubList:
    page = Paginator(rows, PARTY_LIST_ROWS).get_page(request.GET.get(parameter))
    return _SubList(page, parameter, _without(request, parameter))


@viewer_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    listing = list_page(request, AgreementFilterForm, selectors.agreement_list)
    return render(request, "registry/agreement_list.html", {"listing": listing})


@viewer_required
def agreement_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The agreement, the flows between its parties with whether it covers each today (the
    rules' own test), and the findings that name it, each with its review state."""
    agreement = _get_agreement_or_404(reference)
    today = date.today()
    flows = _page(request, "flows", flow_selectors.agreement_flows(agreement=agreement))
    coverage = flow_selectors.coverage_of(flow_ids=[f.pk for f in flows.page], as_of=today)
    fits = {
        flow_id: next((fit for fit in found.fits if fit.agreement.pk == agreement.pk), None)
        for flow_id, found in coverage.items()
    }
    citing = Paginator(findings_citing(agreement.reference, today), PARTY_LIST_ROWS)
    citing_page = citing.get_page(request.GET.get("findings"))
    shown = marked(list(citing_page), today)
    context = {
        "agreement": agreement,
        "today": today,
        "flows": flows,
        "flow_rows": [(flow, fits.get(flow.pk)) for flow in flows.page],
        "findings_page": citing_page,
        "findings": shown,
        "names": party_names(m.finding for m in shown),
        "as_of": today,
        "findings_query": _without(request, "findings"),
    }
    return render(request, "registry/agreement_detail.html", context)


@viewer_required
def agreement_document(request: HttpRequest, reference: str) -> HttpResponseBase:
    """The signed document, as a download: every role may read the register's contracts. It
    is served as an attachment of type PDF (the only kind the edit page accepts), so that a
    browser never renders it as a page of the site."""
    agreement = _get_agreement_or_404(reference)
    if not agreement.document:
        raise Http404("No signed document was uploaded for this agreement.")
    try:
        handle = agreement.document.open("rb")
    except FileNotFoundError:
        raise Http404("The signed document's file is missing from the storage.") from None
    name = f"{agreement.reference}.pdf"
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["Content-Type"] = "application/pdf"
    return response


def _without(request: HttpRequest, parameter: str) -> str:
    """The page's query string without one pager's parameter, for that pager's links."""
    query = request.GET.copy()
    query.pop(parameter, None)
    return query.urlencode()


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 400 page. A BadRequest raised by the project's parsing helpers says what is
    wrong (a date out of range, a filter the admin refuses); any other bad request (a
    forged host, a malformed upload) gets a plain sentence, never the raw input."""
    reason = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"reason": reason}, status=400)
