"""Legal review pages: the queue, one finding under review, and a reviewer's decision."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from flows import selectors
from flows.findings import party_names
from flows.reviews import selectors as review_selectors
from flows.reviews.forms import DecisionForm, ReviewQueueFilterForm
from flows.reviews.queue import review_queue as review_queue_page
from flows.reviews.services import review_decide
from registry.web.permissions import (
    CAN_REVIEW,
    AuthenticatedHttpRequest,
    reviewer_required,
    viewer_required,
)


@viewer_required
def review_queue(request: HttpRequest) -> HttpResponse:
    form = ReviewQueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    queue = review_queue_page(
        as_of=date.today(),
        rule=filters.get("rule", ""),
        party=filters.get("party", ""),
        category=filters.get("category", ""),
        state=filters.get("state", ""),
        page=request.GET.get("page"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    names = party_names(f for item in queue.items for f in item.findings)
    context = {"form": form, "queue": queue, "names": names, "querystring": query.urlencode()}
    return render(request, "flows/reviews/queue.html", context)


def _review_page_or_404(rule: str, flow_id: int) -> review_selectors.ReviewPage:
    page = review_selectors.review_page(rule=rule, flow_id=flow_id, as_of=date.today())
    if page is None:
        raise Http404(f"No {rule} finding on flow {flow_id} today.")
    return page


@viewer_required
def review_detail(request: HttpRequest, rule: str, flow_id: int) -> HttpResponse:
    page = _review_page_or_404(rule, flow_id)
    form = DecisionForm() if request.user.has_perm(CAN_REVIEW) else None
    return render(request, "flows/reviews/detail.html", {"page": page, "form": form})


@require_POST
@reviewer_required
def review_decide_view(request: AuthenticatedHttpRequest, rule: str, flow_id: int) -> HttpResponse:
    page = _review_page_or_404(rule, flow_id)
    form = DecisionForm(request.POST)
    flow = selectors.flow_detail(pk=flow_id)
    if form.is_valid() and flow is not None:
        try:
            review_decide(
                rule=rule,
                flow=flow,
                decided_by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, f"Decision recorded on {rule}.")
            return redirect(reverse("review_detail", args=[rule, flow_id]))
    context = {"page": page, "form": form}
    return render(request, "flows/reviews/detail.html", context, status=400)
