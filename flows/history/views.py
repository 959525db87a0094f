"""The register as it stood on a past date, from the change history."""

from datetime import date

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from flows.history.changes import register_as_of
from registry.web.arguments import SupportedDateField
from registry.web.permissions import viewer_required


class AsOfForm(forms.Form):
    date = SupportedDateField(label="As it stood on")


@viewer_required
def register_as_of_view(request: HttpRequest) -> HttpResponse:
    form = AsOfForm(request.GET or None)
    day = form.cleaned_data["date"] if form.is_bound and form.is_valid() else date.today()
    context = {"form": form, "state": register_as_of(day=day)}
    return render(request, "flows/history/register_as_of.html", context)
