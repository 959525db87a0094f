"""What every list page does: read its filter form, fetch one page, keep the query string."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 50


@dataclass(frozen=True)
class Listing:
    form: forms.Form
    page: Page
    querystring: str
    """The filters as a query string without the page number, for the pager's links."""


def list_page(
    request: HttpRequest,
    form_class: type[forms.Form],
    select: Callable[..., QuerySet[Any]],
) -> Listing:
    """Filter with the form's valid values (the form shows its errors), then paginate.

    The form's `q` field is passed to the selector as `search`; other fields by their names.
    """
    form = form_class(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {("search" if k == "q" else k): v for k, v in form.cleaned_data.items() if v}
    paginator = Paginator(select(**filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return Listing(form=form, page=page, querystring=query.urlencode())
