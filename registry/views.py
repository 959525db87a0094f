from datetime import date

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from flows import selectors as flow_selectors
from flows.findings import finding_list, party_names
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
    }
    return render(request, "registry/party_detail.html", context)


@viewer_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    listing = list_page(request, AgreementFilterForm, selectors.agreement_list)
    return render(request, "registry/agreement_list.html", {"listing": listing})


@viewer_required
def agreement_detail(request: HttpRequest, reference: str) -> HttpResponse:
    agreement = _get_agreement_or_404(reference)
    return render(
        request,
        "registry/agreement_detail.html",
        {"agreement": agreement, "today": date.today()},
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 400 page. A BadRequest raised by the project's parsing helpers says what is
    wrong (a date out of range, a filter the admin refuses); any other bad request (a
    forged host, a malformed upload) gets a plain sentence, never the raw input."""
    reason = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"reason": reason}, status=400)
