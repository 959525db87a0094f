"""The registers page: the Art. 30 records and the review pack, for people who may export.

A register of 100,000 flows takes a while to write, so the answer is streamed: the CSV as its
rows are generated, the XLSX from a temporary file once openpyxl has finished it (a zip file
is complete only at its end).
"""

import tempfile
from datetime import date

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from flows.reports.selectors import build_register
from flows.reports.tasks import register_export_job, register_filename
from flows.reports.writing import csv_chunks, write_xlsx
from registry.jobs.services import job_start
from registry.web.arguments import SupportedDateField
from registry.web.permissions import exporter_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_CHOICES = [
    ("controller", "Controller record (GDPR Art. 30(1), a sheet for each controller)"),
    ("processor", "Processor record (GDPR Art. 30(2))"),
    (
        "pack",
        "Review pack (diagram, findings and decisions, flows, agreements, transfers, parties)",
    ),
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
def register_exports(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The form's values download the register at once (GET, or POST from the page's form);
    POST with action=background hands it to the task worker and shows the job's page, for
    registers too large to write within a request."""
    form = RegisterForm(request.POST if request.method == "POST" else request.GET or None)
    if not (form.is_bound and form.is_valid()):
        return render(request, "flows/reports/registers.html", {"form": form})
    kind, fmt = form.cleaned_data["kind"], form.cleaned_data["format"]
    as_of = form.cleaned_data["as_of"] or date.today()
    if request.method == "POST" and request.POST.get("action") == "background":
        label = dict(KIND_CHOICES)[kind].split(" (")[0]
        job = job_start(
            title=f"{label} as of {as_of.isoformat()}, {fmt.upper()}",
            task=register_export_job,
            user=request.user,
            kind=kind,
            fmt=fmt,
            as_of=as_of.isoformat(),
        )
        return redirect("job_detail", job.pk)
    report = build_register(kind=kind, as_of=as_of)
    filename = register_filename(kind, fmt, as_of)
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_chunks(report.table), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    # Removed by the system once FileResponse closes it after the last byte.
    spool = tempfile.TemporaryFile()
    write_xlsx(report, spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)
