"""One day both ways (its findings, and the register as recorded by then), and the full
change history of one object."""

from datetime import date

from django import forms
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from flows.history.changes import history_page, history_subject
from flows.history.day import SECTIONS, as_of_day
from registry.web.arguments import SupportedDateField
from registry.web.permissions import viewer_required


class AsOfForm(forms.Form):
    date = SupportedDateField(label="As of")


@viewer_required
def register_as_of_view(request: HttpRequest) -> HttpResponse:
    form = AsOfForm(request.GET or None)
    day = form.cleaned_data["date"] if form.is_bound and form.is_valid() else date.today()
    pages = {s: request.GET.get(f"{s}_page") for s in SECTIONS}
    day_state = as_of_day(day=day, pages=pages)
    # Each section's pager keeps the date and the other sections' pages.
    links = {}
    for section in SECTIONS:
        query = request.GET.copy()
        query.pop(f"{section}_page", None)
        links[section] = query.urlencode()
    context = {
        "form": form,
        "day": day_state,
        "state": day_state.register,
        "found": day_state.findings,
        "links": links,
    }
    return render(request, "flows/history/register_as_of.html", context)


def _subject_or_404(kind: str, key: str | int) -> models.Model:
    subject = history_subject(kind=kind, key=key)
    if subject is None:
        raise Http404(f"No {kind} with this {'number' if kind == 'flow' else 'name'}.")
    return subject


def _full_history(request: HttpRequest, kind: str, key: str | int) -> HttpResponse:
    subject = _subject_or_404(kind, key)
    context = {
        "subject": subject,
        "kind": kind,
        "page": history_page(subject, request.GET.get("page")),
    }
    return render(request, "flows/history/object_history.html", context)


@viewer_required
def party_history(request: HttpRequest, slug: str) -> HttpResponse:
    return _full_history(request, "party", slug)


@viewer_required
def agreement_history(request: HttpRequest, reference: str) -> HttpResponse:
    return _full_history(request, "agreement", reference)


@viewer_required
def flow_history(request: HttpRequest, pk: int) -> HttpResponse:
    return _full_history(request, "flow", pk)
