"""Pages of the onboarding: the analyst's and reviewer's (logged in, under /onboardings/) and
the vendor's (no account: its signed link, /onboarding/<link>/, is exchanged for a session
and the steps are under /onboarding/vendor/, with no token in the address)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from flows.choices import LawfulBasis
from registry.onboarding import links, selectors, services
from registry.onboarding.forms import (
    STEP_NAMES,
    STEP_TITLES,
    SUBPROCESSOR_PREFIX,
    AttestationForm,
    DocumentForm,
    OnboardingStartForm,
    SubprocessorFormSetWithNewRow,
)
from registry.onboarding.models import Onboarding, OnboardingState
from registry.web.permissions import (
    CAN_EDIT,
    CAN_REVIEW,
    AuthenticatedHttpRequest,
    editor_required,
    reviewer_required,
    viewer_required,
)

# --- Analysts and reviewers ---------------------------------------------------------------


def _get_onboarding_or_404(pk: int) -> Onboarding:
    onboarding = selectors.onboarding_detail(pk=pk)
    if onboarding is None:
        raise Http404("No onboarding with this number.")
    return onboarding


def _vendor_url(request: HttpRequest, onboarding: Onboarding) -> str:
    token = links.onboarding_token(onboarding)
    return request.build_absolute_uri(reverse("onboarding_vendor_link", args=[token]))


@viewer_required
def onboarding_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "registry/onboarding/list.html",
        {"onboardings": selectors.onboarding_list()},
    )


@editor_required
def onboarding_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OnboardingStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            onboarding = services.onboarding_start(
                started_by=request.user,
                name=data["name"],
                country=data["country"],
                contact_email=data["contact_email"],
                service=data["service"],
                categories=data["categories"],
                purposes=data["purposes"],
                lawful_basis=data["lawful_basis"],
                valid_days=data["valid_days"],
                senders=data["senders"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            url = _vendor_url(request, onboarding)
            services.onboarding_send_link(onboarding=onboarding, url=url, actor=request.user)
            messages.success(
                request, f"Onboarding started; the link was e-mailed to {onboarding.contact_email}."
            )
            return redirect(onboarding)
    return render(request, "registry/onboarding/start.html", {"form": form})


@viewer_required
def onboarding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    onboarding = _get_onboarding_or_404(pk)
    today = date.today()
    link_usable = onboarding.state in links.EDITABLE_STATES and onboarding.revoked_at is None
    context: dict[str, Any] = {
        "onboarding": onboarding,
        "can_edit": request.user.has_perm(CAN_EDIT),
        "can_review": request.user.has_perm(CAN_REVIEW),
        "link_usable": link_usable,
        "vendor_url": _vendor_url(request, onboarding)
        if link_usable and request.user.has_perm(CAN_EDIT)
        else "",
        "can_reissue": request.user.has_perm(CAN_EDIT) and services.link_reissuable(onboarding),
        "link_expired": onboarding.link_expires_at <= timezone.now(),
        "senders": selectors.senders_of(onboarding),
        "lawful_basis": dict(LawfulBasis.choices).get(onboarding.lawful_basis, ""),
        "answers": selectors.answer_sections(onboarding),
        "flows": services.proposed_flows(onboarding),
        "subprocessor_choices": selectors.subprocessor_choices(onboarding)
        if onboarding.state == OnboardingState.SUBMITTED
        else [],
        "as_of": today,
    }
    if onboarding.state == OnboardingState.SUBMITTED:
        try:
            context["prediction"] = selectors.onboarding_prediction(onboarding, as_of=today)
        except ValidationError as error:  # e.g. a category was removed from the taxonomy
            context["prediction_error"] = " ".join(error.messages)
    return render(request, "registry/onboarding/detail.html", context)


@require_POST
@editor_required
def onboarding_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    onboarding = _get_onboarding_or_404(pk)
    services.onboarding_revoke(onboarding=onboarding, actor=request.user)
    messages.success(request, "The vendor's link is revoked: it no longer opens the form.")
    return redirect(onboarding)


@require_POST
@editor_required
def onboarding_reissue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    onboarding = _get_onboarding_or_404(pk)
    try:
        valid_days = int(request.POST.get("valid_days", "14"))
    except ValueError:
        messages.error(request, "Give the number of days the new link lasts, from 1 to 90.")
        return redirect(onboarding)
    try:
        services.onboarding_reissue_link(
            onboarding=onboarding, actor=request.user, valid_days=valid_days
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect(onboarding)
    services.onboarding_send_link(
        onboarding=onboarding, url=_vendor_url(request, onboarding), actor=request.user
    )
    messages.success(
        request,
        f"A new link was e-mailed to {onboarding.contact_email}; the earlier link no longer works.",
    )
    return redirect(onboarding)


@require_POST
@reviewer_required
def onboarding_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    onboarding = _get_onboarding_or_404(pk)
    try:
        decided = services.onboarding_decide(
            onboarding=onboarding,
            reviewer=request.user,
            decision=request.POST.get("decision", ""),
            comment=request.POST.get("comment", ""),
            matches=_matches(request.POST),
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect(onboarding)
    decision = request.POST["decision"]
    if decision == "request_changes":
        services.onboarding_send_link(
            onboarding=decided,
            url=_vendor_url(request, decided),
            actor=request.user,
            note=f"Our reviewer asks for changes:\n{request.POST.get('comment', '').strip()}",
        )
    messages.success(request, f"Decision recorded: {services.DECISION_WORDS[decision]}.")
    return redirect(onboarding)


def _matches(data: QueryDict) -> dict[int, int]:
    """The reviewer's choice for each proposed sub-processor (`match-<pk>`: an existing
    party's pk, or empty for a new party)."""
    matches = {}
    for key in data:
        value = data.get(key, "")
        if key.startswith("match-") and value:
            try:
                matches[int(key.removeprefix("match-"))] = int(value)
            except ValueError:
                raise ValidationError(
                    "Choose the sub-processors' parties from the lists."
                ) from None
    return matches


@viewer_required
def onboarding_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = selectors.onboarding_document(pk=pk)
    if document is None:
        raise Http404("No such document.")
    try:
        handle = document.file.open("rb")
    except OSError:  # the row outlived its file (a restore, a cleaned volume)
        context = {"document": document, "onboarding": document.onboarding}
        return render(request, "registry/onboarding/document_missing.html", context, status=404)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The vendor, through its link ---------------------------------------------------------

VENDOR_SESSION_KEY = "onboarding_vendor"


# A page holding a form cannot say `no-referrer`: browsers then send `Origin: null` with the
# form's POST, which the CSRF check rightly refuses. Its address holds no token, so
# `same-origin` leaks nothing to other sites; every other vendor response (the link itself,
# its redirect, the refusals, the thank-you page) sends no Referer at all.
FORM_PAGE_REFERRER_POLICY = "same-origin"


def _vendor_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Vendor pages are never cached (a shared computer's back button) and send no Referer
    onwards (GDPR Art. 32(1)); the onboarding comes from the session, never the address."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    return wrapped


def _form_page(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = FORM_PAGE_REFERRER_POLICY
    return response


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    status = 403 if reason in ("altered", "revoked", "no_session") else 410
    context = {"reason": reason, "text": links.LINK_REASONS[reason]}
    return render(request, "registry/onboarding/link_refused.html", context, status=status)


def _session_onboarding(request: HttpRequest) -> Onboarding:
    """The one onboarding this browser's session was opened for, checked again."""
    scope: Any = request.session.get(VENDOR_SESSION_KEY)
    try:
        pk, nonce = int(scope["o"]), str(scope["n"])
    except (KeyError, TypeError, ValueError):
        raise links.LinkRefused("no_session") from None
    return links.onboarding_for_vendor(pk=pk, nonce=nonce)


@_vendor_page
def vendor_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: exchanged, on every visit, for a session scoped to its onboarding,
    then off to an address without the token."""
    try:
        onboarding = links.onboarding_from_token(token)
    except links.LinkRefused as refused:
        return _refused(request, refused.reason)
    request.session.cycle_key()  # a session planted before the link is not the one we trust
    request.session[VENDOR_SESSION_KEY] = {"o": onboarding.pk, "n": onboarding.link_nonce}
    return redirect("onboarding_vendor_home")


def _vendor_context(onboarding: Onboarding, **extra: Any) -> dict[str, Any]:
    saved = onboarding.answers
    steps = [
        {"name": name, "title": STEP_TITLES[name], "saved": name in saved} for name in STEP_NAMES
    ]
    return {"onboarding": onboarding, "steps": steps, **extra}


@_vendor_page
def vendor_home(request: HttpRequest) -> HttpResponse:
    try:
        onboarding = _session_onboarding(request)
    except links.LinkRefused as refused:
        return _refused(request, refused.reason)
    incomplete = services.incomplete_steps(onboarding)
    context = _vendor_context(onboarding, incomplete=[(s, STEP_TITLES[s]) for s in incomplete])
    return _form_page(render(request, "registry/onboarding/vendor_home.html", context))


def _subprocessor_rows(data: QueryDict) -> list[dict[str, Any]]:
    """The rows as typed, without those ticked for removal, to render with one more."""
    try:
        total = int(data.get(f"{SUBPROCESSOR_PREFIX}-TOTAL_FORMS", "0"))
    except ValueError:
        total = 0
    rows = []
    for i in range(min(total, 50)):
        prefix = f"{SUBPROCESSOR_PREFIX}-{i}-"
        if data.get(prefix + "DELETE"):
            continue
        rows.append(
            {
                "name": data.get(prefix + "name", ""),
                "country": data.get(prefix + "country", ""),
                "processing_countries": data.getlist(prefix + "processing_countries"),
                "service": data.get(prefix + "service", ""),
                "categories": data.getlist(prefix + "categories"),
                "agreement": data.get(prefix + "agreement", ""),
                "agreement_signed_on": data.get(prefix + "agreement_signed_on", ""),
            }
        )
    return rows


@_vendor_page
def vendor_step(request: HttpRequest, step: str) -> HttpResponse:
    try:
        onboarding = _session_onboarding(request)
    except links.LinkRefused as refused:
        return _refused(request, refused.reason)
    if step not in STEP_NAMES:
        raise Http404("No such step.")
    document_form = DocumentForm(prefix="doc") if step == "agreements" else None
    if request.method != "POST":
        form = services.bound_step(onboarding, step)
        return _render_step(request, onboarding, step, form, document_form)

    action = request.POST.get("action", "next")
    if step == "subprocessors" and action == "add_row":
        services.onboarding_save_step(
            onboarding=onboarding, step=step, data=request.POST, valid=False
        )
        rows = _subprocessor_rows(request.POST)
        form = SubprocessorFormSetWithNewRow(initial=rows, prefix=SUBPROCESSOR_PREFIX)
        return _render_step(request, onboarding, step, form, document_form)

    form = services.bound_step(onboarding, step, request.POST)
    valid = form.is_valid()
    upload_refused = False
    if document_form is not None and request.FILES.get("doc-file"):
        document_form = DocumentForm(request.POST, request.FILES, prefix="doc")
        upload_refused = not _upload(request, onboarding, document_form)
        if not upload_refused:
            document_form = DocumentForm(prefix="doc")
    services.onboarding_save_step(onboarding=onboarding, step=step, data=request.POST, valid=valid)
    if upload_refused:  # shown whichever button was pressed: the draft is kept, the file not
        return _render_step(
            request, onboarding, step, form, document_form, has_errors=True, saved=True
        )
    if action == "save":
        messages.success(request, "Draft saved. You can come back later through the same link.")
        return redirect("onboarding_vendor_step", step=step)
    if not valid:
        return _render_step(request, onboarding, step, form, document_form, has_errors=True)
    position = STEP_NAMES.index(step)
    if position + 1 < len(STEP_NAMES):
        return redirect("onboarding_vendor_step", step=STEP_NAMES[position + 1])
    return redirect("onboarding_vendor_review")


def _upload(request: HttpRequest, onboarding: Onboarding, document_form: DocumentForm) -> bool:
    """Keep the uploaded document, or put on the form why not."""
    if not document_form.is_valid():
        return False
    try:
        services.onboarding_add_document(
            onboarding=onboarding,
            kind=document_form.cleaned_data["kind"],
            upload=document_form.cleaned_data["file"],
        )
    except ValidationError as error:
        document_form.add_error("file", error)
        return False
    messages.success(request, f"Uploaded {document_form.cleaned_data['file'].name}.")
    return True


def _render_step(
    request: HttpRequest,
    onboarding: Onboarding,
    step: str,
    form: Any,
    document_form: DocumentForm | None,
    has_errors: bool = False,
    saved: bool = False,
) -> HttpResponse:
    position = STEP_NAMES.index(step)
    context = _vendor_context(
        onboarding,
        step=step,
        step_title=STEP_TITLES[step],
        step_number=position + 1,
        step_count=len(STEP_NAMES) + 1,  # the review page is the last
        previous=STEP_NAMES[position - 1] if position else "",
        form=form,
        document_form=document_form,
        documents=list(onboarding.documents.all()) if step == "agreements" else [],
        has_errors=has_errors,
        saved=saved,
        is_formset=step == "subprocessors",
    )
    return _form_page(render(request, "registry/onboarding/vendor_step.html", context))


def _render_review(
    request: HttpRequest, onboarding: Onboarding, form: AttestationForm, status: int = 200
) -> HttpResponse:
    incomplete = services.incomplete_steps(onboarding)
    context = _vendor_context(
        onboarding,
        review=True,
        form=form,
        answers=selectors.answer_sections(onboarding),
        documents=list(onboarding.documents.all()),
        incomplete=[(s, STEP_TITLES[s]) for s in incomplete],
        today=date.today(),
    )
    page = render(request, "registry/onboarding/vendor_review.html", context, status=status)
    return _form_page(page)


@_vendor_page
def vendor_review(request: HttpRequest) -> HttpResponse:
    """Every answer on one page, and the attestation that submits them."""
    try:
        onboarding = _session_onboarding(request)
    except links.LinkRefused as refused:
        return _refused(request, refused.reason)
    return _render_review(request, onboarding, AttestationForm())


@_vendor_page
@require_POST
def vendor_submit(request: HttpRequest) -> HttpResponse:
    try:
        onboarding = _session_onboarding(request)
    except links.LinkRefused as refused:
        return _refused(request, refused.reason)
    form = AttestationForm(request.POST)
    if not form.is_valid():
        return _render_review(request, onboarding, form)
    attestation = services.Attestation(
        name=form.cleaned_data["name"], role=form.cleaned_data["role"]
    )
    try:
        services.onboarding_submit(onboarding=onboarding, attestation=attestation)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("onboarding_vendor_review")
    onboarding.refresh_from_db()
    services.onboarding_notify_reviewers(
        onboarding=onboarding, url=request.build_absolute_uri(onboarding.get_absolute_url())
    )
    return render(request, "registry/onboarding/vendor_submitted.html", {"onboarding": onboarding})
