"""The jurisdiction tables' pages: every role reads them, reviewers add, change and delete
rows. Each change is a service call with its history, and refreshes the findings."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from flows.tables import selectors, services
from flows.tables.forms import TableFilterForm
from flows.tables.tables import TABLES, Table, table_named
from registry.web.listing import list_page
from registry.web.permissions import CAN_REVIEW, reviewer_required, viewer_required


def _table_or_404(slug: str) -> Table:
    table = table_named(slug)
    if table is None:
        raise Http404("There is no such table.")
    return table


def _entry_or_404(table: Table, pk: int) -> Any:
    entry = selectors.table_entry(table, pk)
    if entry is None:
        raise Http404(f"There is no such {table.noun}; it may have been deleted.")
    return entry


def _list_url(table: Table) -> str:
    return reverse("table_list", args=[table.slug])


@viewer_required
def table_index(request: HttpRequest) -> HttpResponse:
    context = {"tables": selectors.table_sizes(TABLES.values())}
    return render(request, "flows/tables/index.html", context)


@viewer_required
def table_list(request: HttpRequest, table: str) -> HttpResponse:
    spec = _table_or_404(table)
    listing = list_page(request, TableFilterForm, partial(selectors.table_entries, spec))
    context = {
        "table": spec,
        "listing": listing,
        "headings": [spec.label(name) for name in spec.columns],
        "cells": [
            (row, spec.name_of(row), [_cell(row, name) for name in spec.columns])
            for row in listing.page
        ],
        "can_edit": request.user.has_perm(CAN_REVIEW),
    }
    return render(request, "flows/tables/list.html", context)


def _cell(row: Any, name: str) -> str:
    return selectors.shown_value(row._meta.get_field(name), getattr(row, name))


@reviewer_required
def table_add(request: HttpRequest, table: str) -> HttpResponse:
    spec = _table_or_404(table)
    form = spec.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = _saved(request, form)
        if entry is not None:
            messages.success(request, f"Added: {spec.name_of(entry)}. The findings are refreshed.")
            return redirect(_list_url(spec))
    context = {"table": spec, "form": form, "entry": None}
    return render(request, "flows/tables/entry.html", context, status=400 if form.errors else 200)


@viewer_required
def table_entry(request: HttpRequest, table: str, pk: int) -> HttpResponse:
    """A row: its form for reviewers (read-only for others) and its history."""
    spec = _table_or_404(table)
    entry = _entry_or_404(spec, pk)
    can_edit = request.user.has_perm(CAN_REVIEW)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(
            "Your account may not change the jurisdiction tables. Ask an administrator for "
            "the role you need."
        )
    form = spec.form(request.POST or None, instance=entry)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        saved = _saved(request, form)
        if saved is not None:
            messages.success(request, f"Saved: {spec.name_of(saved)}. The findings are refreshed.")
            return redirect(_list_url(spec))
    context = {
        "table": spec,
        "form": form,
        "entry": entry,
        "name": spec.name_of(entry),
        "can_edit": can_edit,
        "history": selectors.table_entry_history(spec, entry, request.GET.get("page")),
    }
    return render(request, "flows/tables/entry.html", context, status=400 if form.errors else 200)


def _saved(request: HttpRequest, form: Any) -> Any:
    """The form's row through the service; a rule it breaks shows on the form."""
    try:
        return services.table_entry_save(entry=form.save(commit=False), user=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return None


@require_POST
@reviewer_required
def table_delete(request: HttpRequest, table: str, pk: int) -> HttpResponse:
    spec = _table_or_404(table)
    entry = _entry_or_404(spec, pk)
    if request.POST.get("confirm") != "yes":
        context = {"table": spec, "entry": entry, "name": spec.name_of(entry)}
        return render(request, "flows/tables/delete.html", context)
    name = spec.name_of(entry)
    services.table_entry_delete(entry=entry, user=request.user)
    messages.success(request, f"Deleted: {name}. The findings are refreshed.")
    return redirect(_list_url(spec))
