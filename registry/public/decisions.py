"""The reviewer's page of publication decisions (/subprocessors/decisions/): the processors
and sub-processors waiting for one, paginated and filtered, and one decision on those ticked:
approve them for the public list with one notice date and note, or reject them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from registry.public.forms import APPROVE, DecisionFilterForm, DecisionForm
from registry.publication import (
    parties_publish,
    parties_reject,
    publication_effective_on,
    publication_notice_days,
    publication_pending,
)
from registry.web.listing import list_page
from registry.web.permissions import AuthenticatedHttpRequest, reviewer_required

TEMPLATE = "registry/public/decisions.html"


@reviewer_required
def subprocessor_decisions(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _decide(request, form)
        if done:
            messages.success(request, done)
            return redirect(request.get_full_path())
    listing = list_page(request, DecisionFilterForm, publication_pending)
    if not form.is_bound:
        form = DecisionForm(initial={"notice_on": timezone.localdate()})
    context = {
        "listing": listing,
        "form": form,
        "days": publication_notice_days(),
        "chosen": set(form.cleaned_data.get("parties", ())) if form.is_bound else set(),
    }
    return render(request, TEMPLATE, context)


def _decide(request: AuthenticatedHttpRequest, form: DecisionForm) -> str:
    """Record the decision; the message to show, or "" with the form's error added."""
    ids = form.cleaned_data["parties"]
    parties = list(publication_pending().filter(pk__in=ids))
    if len(parties) != len(ids):
        form.add_error(
            "parties",
            f"{len(ids) - len(parties)} of the ticked parties no longer wait for a decision "
            "(decided meanwhile?); nothing was changed. Tick them again from the list.",
        )
        return ""
    note = form.cleaned_data["note"]
    names = _names(parties)
    try:
        if form.cleaned_data["action"] == APPROVE:
            notice_on = form.cleaned_data["notice_on"]
            published = parties_publish(
                parties=parties, decided_by=request.user, notice_on=notice_on, note=note
            )
        else:
            parties_reject(parties=parties, decided_by=request.user, note=note)
            return f"Rejected {names}: they stay off the public list."
    except ValidationError as error:
        form.add_error(None, " ".join(error.messages))
        return ""
    effective = publication_effective_on(notice_on)
    return (
        f"Approved {names} for the public list: announced on {notice_on.isoformat()}, "
        f"listed from {effective.isoformat()} ({len(published)} publication"
        f"{'s' if len(published) != 1 else ''} recorded)."
    )


def _names(parties: list) -> str:
    shown = [p.name for p in parties[:5]]
    more = len(parties) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")
