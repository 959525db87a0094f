"""The registers page: the Art. 30 records and the review pack, for people who may export."""

from datetime import date

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from flows.reports import registers as reports
from flows.reports.selectors import build_register
from registry.web.arguments import SupportedDateField
from registry.web.permissions import exporter_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_CHOICES = [
    ("controller", "Controller record (GDPR Art. 30(1), ICO template columns)"),
    ("processor", "Processor record (GDPR Art. 30(2))"),
    ("pack", "Review pack (findings and decisions, flows, agreements, transfers, parties)"),
]


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(label="Register", choices=KIND_CHOICES)
    format = forms.ChoiceField(label="Format", choices=[("xlsx", "XLSX"), ("csv", "CSV")])
    as_of = SupportedDateField(label="As of", required=False, help_text="Empty means today.")

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("kind") == "pack" and data.get("format") == "csv":
            self.add_error("format", "The review pack has several sheets: choose XLSX.")
        return data


@exporter_required
def register_exports(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.GET or None)
    if not (form.is_bound and form.is_valid()):
        return render(request, "flows/reports/registers.html", {"form": form})
    kind, fmt = form.cleaned_data["kind"], form.cleaned_data["format"]
    as_of = form.cleaned_data["as_of"] or date.today()
    sheets, preambles = build_register(kind=kind, as_of=as_of)
    if fmt == "csv":
        content, mime = reports.to_csv(next(iter(sheets.values()))), "text/csv; charset=utf-8"
    else:
        content, mime = reports.to_xlsx(sheets, preambles), XLSX
    response = HttpResponse(content, content_type=mime)
    filename = f"{'review-pack' if kind == 'pack' else 'ropa-' + kind}-{as_of.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
