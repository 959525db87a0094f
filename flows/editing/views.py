"""The edit pages: parties, agreements and flows created, changed and ended in the product.

Every save goes twice through the page: the first POST runs the service in a savepoint
that is rolled back and shows what it would add to and clear from today's findings
(flows.editing.prediction); the second, with the same data and the token of that check,
saves. A form carries the version it was based on: a save over a newer one is refused
with what the other person changed, and the form comes back with the user's input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import Any, Protocol, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Model, Q, Value, When
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify

from flows.editing.forms import (
    AgreementForm,
    DocumentForm,
    EndForm,
    EngagementForm,
    FlowForm,
    PartyForm,
    VersionedForm,
    agreement_initial,
    engagement_initial,
    flow_initial,
    party_initial,
)
from flows.editing.prediction import Prediction, predict
from flows.models import Flow
from flows.services import flow_create, flow_end, flow_update, party_offboard
from registry.choices import PartyStatus
from registry.engagements import engagement_create, engagement_end, engagement_update
from registry.models import Agreement, Engagement, Party
from registry.services import (
    VersionConflict,
    agreement_create,
    agreement_document_attach,
    agreement_terminate,
    agreement_update,
    party_create,
    party_update,
    record_version,
)
from registry.web.permissions import editor_required, viewer_required

M = TypeVar("M", bound=Model)


class _Record(Protocol):
    def get_absolute_url(self) -> str: ...


_NOT_DATA = frozenset({"csrfmiddlewaretoken", "confirm", "check", "upload"})


def check_token(data: Any) -> str:
    """A digest of what the form holds (its version included): the confirming POST must
    carry the token of the check it confirms, so that what is saved is what was predicted."""
    items = sorted(
        (key, value) for key in data for value in data.getlist(key) if key not in _NOT_DATA
    )
    return hashlib.sha256(repr(items).encode()).hexdigest()[:32]


def _add_errors(form: VersionedForm, error: ValidationError) -> None:
    """A service's refusal beside the field it is about, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _fresh(instance: M) -> M:
    """The record as stored: a dry run must not leave its changes on the page's instance."""
    return type(instance)._default_manager.get(pk=instance.pk)


def _save_page(
    request: HttpRequest,
    *,
    form: VersionedForm,
    write: Callable[[], _Record],
    template: str,
    context: dict[str, Any],
    verb: str = "saving",
    done: Callable[[Any], str],
) -> HttpResponse:
    """Check, then save on confirmation; the refusals shown on the form."""
    prediction: Prediction | None = None
    conflict: VersionConflict | None = None
    token = ""
    if request.method == "POST" and form.is_valid():
        token = check_token(request.POST)
        try:
            if request.POST.get("confirm") == token:
                saved = write()
                messages.success(request, done(saved))
                return redirect(saved.get_absolute_url())
            prediction = predict(write, verb=verb)
        except VersionConflict as error:
            conflict = error
            form.rebase(error.current)
            token = ""
        except ValidationError as error:
            _add_errors(form, error)
            token = ""
    return render(
        request,
        template,
        {**context, "form": form, "prediction": prediction, "conflict": conflict, "token": token},
    )


def _post(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# --- parties -------------------------------------------------------------------------------


@editor_required
def party_new(request: HttpRequest) -> HttpResponse:
    form = PartyForm(_post(request))

    def write() -> Party:
        values = form.service_values()
        slug = form.cleaned_data.get("slug") or slugify(values["name"])[:100]
        if not slug:
            raise ValidationError({"slug": "Give a slug: the name has no letters to make one."})
        return party_create(slug=slug, **values)

    return _save_page(
        request,
        form=form,
        write=write,
        template="flows/editing/party_form.html",
        context={"party": None},
        done=lambda party: f"{party} added to the register.",
    )


@editor_required
def party_edit(request: HttpRequest, slug: str) -> HttpResponse:
    party = get_object_or_404(Party.objects.select_related("parent"), slug=slug)
    initial = {**party_initial(party), "version": record_version(party)}
    form = PartyForm(_post(request), initial=initial, party=party)
    return _save_page(
        request,
        form=form,
        write=lambda: party_update(
            party=_fresh(party), version=form.based_on(), **form.service_values()
        ),
        template="flows/editing/party_form.html",
        context={"party": party},
        done=lambda saved: f"{saved} saved.",
    )


@editor_required
def party_offboard_page(request: HttpRequest, slug: str) -> HttpResponse:
    party = get_object_or_404(Party, slug=slug)
    live = (
        Flow.objects.filter(Q(source=party) | Q(target=party), proposed=False)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=date.today()))
        .count()
    )
    form = EndForm(
        _post(request),
        initial={"on": date.today(), "version": record_version(party)},
        label="Offboarded on (the last day of its flows)",
    )
    return _save_page(
        request,
        form=form,
        write=lambda: party_offboard(
            party=_fresh(party), on=form.cleaned_data["on"], version=form.based_on()
        ),
        template="flows/editing/end.html",
        context={
            "record": party,
            "list": ("party_list", "Parties"),
            "title": f"Offboard {party.name}",
            "explained": f"Offboarding sets the status of {party.name} to offboarded and ends "
            f"its {live} live flow{'s' if live != 1 else ''} on the day you give, all together.",
            "already": f"{party.name} is offboarded already."
            if party.status == PartyStatus.OFFBOARDED
            else "",
            "action": "Offboard",
        },
        verb="offboarding",
        done=lambda saved: f"{saved} offboarded.",
    )


# --- agreements ----------------------------------------------------------------------------


@editor_required
def agreement_new(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(_post(request))
    return _save_page(
        request,
        form=form,
        write=lambda: agreement_create(
            reference=form.cleaned_data["reference"], **form.service_values()
        ),
        template="flows/editing/agreement_form.html",
        context={"agreement": None},
        done=lambda saved: f"Agreement {saved} added to the register.",
    )


@editor_required
def agreement_edit(request: HttpRequest, reference: str) -> HttpResponse:
    agreement = get_object_or_404(
        Agreement.objects.prefetch_related("parties", "categories"), reference=reference
    )
    version = record_version(agreement)
    if request.method == "POST" and "upload" in request.POST:
        return _document_upload(request, agreement, version)
    form = AgreementForm(
        _post(request),
        initial={**agreement_initial(agreement), "version": version},
        agreement=agreement,
    )
    return _save_page(
        request,
        form=form,
        write=lambda: agreement_update(
            agreement=_fresh(agreement), version=form.based_on(), **form.service_values()
        ),
        template="flows/editing/agreement_form.html",
        context={
            "agreement": agreement,
            "document_form": DocumentForm(initial={"version": version}),
        },
        done=lambda saved: f"Agreement {saved} saved.",
    )


def _document_upload(
    request: HttpRequest, agreement: Agreement, version: int | None
) -> HttpResponse:
    """The signed document changes no finding: it is stored at once, without a check."""
    document_form = DocumentForm(request.POST, request.FILES)
    conflict = None
    if document_form.is_valid():
        try:
            agreement_document_attach(
                agreement=_fresh(agreement),
                document=document_form.cleaned_data["document"],
                version=document_form.based_on(),
            )
        except VersionConflict as error:
            conflict = error
            document_form.rebase(error.current)
        except ValidationError as error:
            _add_errors(document_form, error)
        else:
            messages.success(request, f"The signed document of {agreement} is stored.")
            return redirect(agreement)
    form = AgreementForm(
        initial={**agreement_initial(agreement), "version": version}, agreement=agreement
    )
    context = {
        "agreement": agreement,
        "form": form,
        "document_form": document_form,
        "conflict": conflict,
        "prediction": None,
        "token": "",
    }
    return render(request, "flows/editing/agreement_form.html", context)


@editor_required
def agreement_terminate_page(request: HttpRequest, reference: str) -> HttpResponse:
    agreement = get_object_or_404(Agreement, reference=reference)
    form = EndForm(
        _post(request),
        initial={"on": date.today(), "version": record_version(agreement)},
        label="Terminated on (its last day)",
    )
    return _save_page(
        request,
        form=form,
        write=lambda: agreement_terminate(
            agreement=_fresh(agreement), on=form.cleaned_data["on"], version=form.based_on()
        ),
        template="flows/editing/end.html",
        context={
            "record": agreement,
            "list": ("agreement_list", "Agreements"),
            "title": f"Terminate {agreement}",
            "explained": "After the day you give, the agreement no longer binds its parties: "
            "flows that relied on it may need another one.",
            "already": f"It was terminated on {agreement.terminated_on}: only an earlier day "
            "can be given."
            if agreement.terminated_on
            else "",
            "action": "Terminate",
        },
        verb="terminating",
        done=lambda saved: f"Agreement {saved} terminated.",
    )


# --- engagements ---------------------------------------------------------------------------


def _engagement_context(engagement: Engagement | None, party: Party | None) -> dict[str, Any]:
    return {"engagement": engagement, "party": party}


@editor_required
def engagement_new(request: HttpRequest) -> HttpResponse:
    """A processor engaging a sub-processor; `?processor=` or `?subprocessor=` (slugs) fill
    in the side the page was opened from."""
    initial: dict[str, Any] = {}
    party = None
    for side in ("processor", "subprocessor"):
        slug = request.GET.get(side, "")
        found = Party.objects.filter(slug=slug).first() if slug else None
        if found is not None:
            initial[side] = found
            party = party or found
    form = EngagementForm(_post(request), initial=initial)
    return _save_page(
        request,
        form=form,
        write=lambda: engagement_create(user=request.user, **form.service_values()),
        template="flows/editing/engagement_form.html",
        context=_engagement_context(None, party),
        done=lambda saved: f"{saved} recorded.",
    )


@editor_required
def engagement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = get_object_or_404(
        Engagement.objects.select_related("processor", "subprocessor"), pk=pk
    )
    initial = {**engagement_initial(engagement), "version": record_version(engagement)}
    form = EngagementForm(_post(request), initial=initial, engagement=engagement)
    return _save_page(
        request,
        form=form,
        write=lambda: engagement_update(
            engagement=_fresh(engagement),
            version=form.based_on(),
            user=request.user,
            **form.service_values(),
        ),
        template="flows/editing/engagement_form.html",
        context=_engagement_context(engagement, engagement.subprocessor),
        done=lambda saved: f"{saved}: saved.",
    )


@editor_required
def engagement_end_page(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = get_object_or_404(
        Engagement.objects.select_related("processor", "subprocessor"), pk=pk
    )
    form = EndForm(
        _post(request),
        initial={"on": date.today(), "version": record_version(engagement)},
        label="Ended on (the last day the processor used it)",
    )
    processor, subprocessor = engagement.processor.name, engagement.subprocessor.name
    return _save_page(
        request,
        form=form,
        write=lambda: engagement_end(
            engagement=_fresh(engagement),
            on=form.cleaned_data["on"],
            version=form.based_on(),
            user=request.user,
        ),
        template="flows/editing/end.html",
        context={
            "record": engagement,
            "list": ("party_list", "Parties"),
            "title": f"End the engagement of {subprocessor} by {processor}",
            "explained": f"After the day you give, {processor} no longer uses {subprocessor} "
            "for our data; flows that still run between them will be flagged.",
            "already": f"It ended on {engagement.ended_on}: only an earlier day can be given."
            if engagement.ended_on
            else "",
            "action": "End",
        },
        verb="ending",
        done=lambda saved: f"{saved}: ended.",
    )


# --- flows ---------------------------------------------------------------------------------


@editor_required
def flow_new(request: HttpRequest) -> HttpResponse:
    form = FlowForm(_post(request), initial={"started_on": date.today()})
    return _save_page(
        request,
        form=form,
        write=lambda: flow_create(**form.service_values()),
        template="flows/editing/flow_form.html",
        context={"flow": None},
        done=lambda saved: f"Flow {saved} added to the register.",
    )


def _live_flow_or_404(pk: int) -> Flow:
    # A proposed flow belongs to its onboarding: it is decided there, not edited here.
    return get_object_or_404(
        Flow.objects.filter(proposed=False)
        .select_related("source", "target", "purpose", "transfer_agreement")
        .prefetch_related("categories"),
        pk=pk,
    )


@editor_required
def flow_edit(request: HttpRequest, pk: int) -> HttpResponse:
    flow = _live_flow_or_404(pk)
    form = FlowForm(
        _post(request), initial={**flow_initial(flow), "version": record_version(flow)}, flow=flow
    )
    return _save_page(
        request,
        form=form,
        write=lambda: flow_update(
            flow=_fresh(flow), version=form.based_on(), **form.service_values()
        ),
        template="flows/editing/flow_form.html",
        context={"flow": flow},
        done=lambda saved: f"Flow {saved} saved.",
    )


@editor_required
def flow_end_page(request: HttpRequest, pk: int) -> HttpResponse:
    flow = _live_flow_or_404(pk)
    form = EndForm(
        _post(request),
        initial={"on": date.today(), "version": record_version(flow)},
        label="Last day of the flow",
    )
    return _save_page(
        request,
        form=form,
        write=lambda: flow_end(
            flow=_fresh(flow), on=form.cleaned_data["on"], version=form.based_on()
        ),
        template="flows/editing/end.html",
        context={
            "record": flow,
            "list": ("flow_list", "Flows"),
            "title": f"End the flow {flow.source.name} → {flow.target.name}",
            "explained": "The day you give is the flow's last: from the next day the rules "
            "leave it out and its findings clear.",
            "already": f"It ends on {flow.ended_on}: only an earlier day can be given."
            if flow.ended_on
            else "",
            "action": "End the flow",
        },
        verb="ending the flow",
        done=lambda saved: f"Flow {saved} ended.",
    )


# --- the party picker's search -------------------------------------------------------------

SEARCH_PAGE = 20


@viewer_required
def party_search(request: HttpRequest) -> JsonResponse:
    """Parties whose name, legal name or slug holds `q`: names that start with it first,
    then other name matches, then the rest; 20 a page (`page`, from 1)."""
    query = request.GET.get("q", "").strip()[:100]
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    parties = Party.objects.all()
    if query:
        parties = parties.filter(
            Q(name__icontains=query) | Q(legal_name__icontains=query) | Q(slug__icontains=query)
        ).annotate(
            rank=Case(
                When(name__istartswith=query, then=Value(0)),
                When(name__icontains=query, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        parties = parties.order_by("rank", "name", "slug")
    else:
        parties = parties.order_by("name", "slug")
    start = (page - 1) * SEARCH_PAGE
    rows = list(
        parties.values("slug", "name", "country", "relationship", "status")[
            start : start + SEARCH_PAGE + 1
        ]
    )
    labels = dict(Party._meta.get_field("relationship").flatchoices)
    results = [
        {
            "slug": row["slug"],
            "name": row["name"],
            "country": row["country"],
            "relationship": str(labels.get(row["relationship"], row["relationship"])),
        }
        for row in rows[:SEARCH_PAGE]
    ]
    return JsonResponse({"results": results, "more": len(rows) > SEARCH_PAGE, "page": page})
