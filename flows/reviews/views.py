"""Legal review pages: the queue (filtered, with decisions over many findings), one finding
under review, a reviewer's decision and a second reviewer's answer."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from flows import selectors
from flows.engine.rules import rule_title
from flows.findings import party_names
from flows.reviews import selectors as review_selectors
from flows.reviews.forms import (
    ME,
    BulkDecisionForm,
    ConfirmForm,
    DecisionForm,
    ReviewQueueFilterForm,
)
from flows.reviews.models import Review
from flows.reviews.queue import review_queue as review_queue_page
from flows.reviews.services import review_confirm, review_decide, review_decide_many
from flows.reviews.states import AWAITING
from registry.web.permissions import (
    CAN_REVIEW,
    AuthenticatedHttpRequest,
    reviewer_required,
    viewer_required,
)


def _base_url(request: HttpRequest) -> str:
    """The site's address as the request reached it, for the e-mails' links."""
    return request.build_absolute_uri("/").rstrip("/")


def _queue_context(request: HttpRequest, bulk: BulkDecisionForm | None = None) -> dict:
    form = ReviewQueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    assignee = filters.get("assignee", "")
    if assignee == ME:
        assignee = request.user.get_username()
    queue = review_queue_page(
        as_of=date.today(),
        rule=filters.get("rule", ""),
        party=filters.get("party", ""),
        category=filters.get("category", ""),
        state=filters.get("state", ""),
        severity=filters.get("severity", ""),
        assignee=assignee,
        waiting_days=filters.get("waiting_days"),
        page=request.GET.get("page"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    names = party_names(f for item in queue.items for f in item.findings)
    can_decide = request.user.has_perm(CAN_REVIEW)
    return {
        "form": form,
        "queue": queue,
        "names": names,
        "querystring": query.urlencode(),
        "mine": filters.get("assignee") == ME,
        "bulk": bulk or (BulkDecisionForm() if can_decide else None),
        "ticked": set(),
    }


@viewer_required
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "flows/reviews/queue.html", _queue_context(request))


@require_POST
@reviewer_required
def review_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Accept or waive every ticked finding with one reason: all of them or none, the
    queue shown again with each refused row and the ticks kept."""
    form = BulkDecisionForm(request.POST)
    if form.is_valid():
        try:
            reviews = review_decide_many(
                keys=form.ticked,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                review_by=form.cleaned_data.get("review_by"),
                decided_by=request.user,
                base_url=_base_url(request),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error)
        else:
            waiting = sum(r.needs_second_reviewer for r in reviews)
            note = f" {waiting} await a second reviewer." if waiting else ""
            messages.success(request, f"Decision recorded on {len(reviews)} findings.{note}")
            return redirect(f"{reverse('review_queue')}?{request.GET.urlencode()}")
    context = _queue_context(request, bulk=form)
    context["ticked"] = {f"{rule}:{flow}" for rule, flow in form.ticked}
    return render(request, "flows/reviews/queue.html", context, status=400)


def _review_page_or_404(rule: str, flow_id: int) -> review_selectors.ReviewPage:
    page = review_selectors.review_page(rule=rule, flow_id=flow_id, as_of=date.today())
    if page is None:
        raise Http404(f"No {rule} finding on flow {flow_id} today.")
    return page


def _detail_context(
    request: HttpRequest,
    page: review_selectors.ReviewPage,
    form: DecisionForm | None = None,
    confirm: ConfirmForm | None = None,
) -> dict:
    reviewer = request.user.has_perm(CAN_REVIEW)
    decision = page.item.decision
    awaiting = page.item.state == AWAITING and decision is not None
    own = awaiting and decision is not None and decision.decided_by == request.user.get_username()
    return {
        "page": page,
        "form": form or (DecisionForm() if reviewer else None),
        "confirm": confirm or (ConfirmForm() if reviewer and awaiting and not own else None),
        "own_acceptance": reviewer and own,
    }


@viewer_required
def review_detail(request: HttpRequest, rule: str, flow_id: int) -> HttpResponse:
    page = _review_page_or_404(rule, flow_id)
    return render(request, "flows/reviews/detail.html", _detail_context(request, page))


def _errors_into(form: DecisionForm | ConfirmForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


@require_POST
@reviewer_required
def review_decide_view(request: AuthenticatedHttpRequest, rule: str, flow_id: int) -> HttpResponse:
    page = _review_page_or_404(rule, flow_id)
    form = DecisionForm(request.POST)
    flow = selectors.flow_detail(pk=flow_id)
    if form.is_valid() and flow is not None:
        try:
            review = review_decide(
                rule=rule,
                flow=flow,
                decided_by=request.user,
                base_url=_base_url(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            note = " It awaits a second reviewer." if review.needs_second_reviewer else ""
            messages.success(request, f"Decision recorded on “{rule_title(rule)}”.{note}")
            return redirect(reverse("review_detail", args=[rule, flow_id]))
    context = _detail_context(request, page, form=form)
    return render(request, "flows/reviews/detail.html", context, status=400)


@require_POST
@reviewer_required
def review_confirm_view(request: AuthenticatedHttpRequest, rule: str, flow_id: int) -> HttpResponse:
    """A second reviewer confirms or refuses the latest decision, an accepted risk."""
    page = _review_page_or_404(rule, flow_id)
    form = ConfirmForm(request.POST)
    decision = page.item.decision
    if decision is None:
        raise Http404("No decision on this finding waits for a second reviewer.")
    if form.is_valid():
        try:
            review_confirm(
                review=Review.objects.get(pk=decision.id),
                confirmed=form.cleaned_data["answer"] == "confirm",
                reason=form.cleaned_data["reason"],
                decided_by=request.user,
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            done = "confirmed" if form.cleaned_data["answer"] == "confirm" else "refused"
            messages.success(request, f"Accepted risk {done} on {rule}.")
            return redirect(reverse("review_detail", args=[rule, flow_id]))
    context = _detail_context(request, page, confirm=form)
    context["confirm"] = form
    return render(request, "flows/reviews/detail.html", context, status=400)
