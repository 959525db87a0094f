"""The pages of background jobs: one job's progress and result, and a person's own list;
the import pages (upload, row-by-row preview, confirm) and the export page, whose work runs
as jobs."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from registry.jobs import imports, records, selectors
from registry.jobs.forms import ExportForm, ImportForm, PreviewFilterForm
from registry.jobs.models import Job
from registry.jobs.services import JobFailed
from registry.web.listing import PAGE_SIZE, list_page
from registry.web.permissions import exporter_required, importer_required, viewer_required


class JobListForm(forms.Form):
    """The job list has no filters; the form is what `list_page` reads them from."""


@viewer_required
def job_list(request: HttpRequest) -> HttpResponse:
    listing = list_page(request, JobListForm, partial(selectors.job_list, user=request.user))
    return render(request, "jobs/job_list.html", {"listing": listing})


@viewer_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_visible(user=request.user, job_id=pk)
    if job is None:
        raise Http404("No such job.")
    return render(request, "jobs/job_detail.html", {"job": job})


@viewer_required
def job_result(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_result(user=request.user, job_id=pk)
    if job is None or job.result is None:
        raise Http404("This job has no file to download.")
    return _download(bytes(job.result), job.result_type, job.result_name)


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- imports -------------------------------------------------------------------------------


@importer_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending = imports.import_upload(
                user=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except imports.ImportRefused as error:
            form.add_error("file", str(error))
        else:
            return redirect("import_preview", token=pending.token)
    return render(
        request, "jobs/import_upload.html", {"form": form}, status=400 if form.errors else 200
    )


def _pending_or_404(request: HttpRequest, token: str) -> imports.PendingImport:
    pending = imports.import_pending(user=request.user, token=token)
    if pending is None:
        raise Http404("This import is no longer waiting for you: upload the file again.")
    return pending


@importer_required
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the file would do, row by row, a page at a time; POST: import it."""
    pending = _pending_or_404(request, token)
    if request.method == "POST":
        try:
            job = imports.import_confirm(user=request.user, pending=pending)
        except imports.ImportRefused as error:
            messages.error(request, str(error))
            return redirect("import_upload")
        return redirect(job)
    try:
        preview = imports.import_preview(pending=pending)
    except imports.ImportRefused as error:
        imports.import_discard(pending=pending)
        form = ImportForm(initial={"kind": pending.kind})
        form.errors["file"] = form.error_class([str(error)])
        return render(request, "jobs/import_upload.html", {"form": form}, status=400)
    filters = PreviewFilterForm(request.GET or None)
    show = (filters.cleaned_data["show"] or None) if filters.is_valid() else None
    page = Paginator(preview.shown(show), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "pending": pending,
        "preview": preview,
        "page": page,
        "querystring": query.urlencode(),
        "show": show or "",
        "outcomes": [(k, v, preview.counts[k]) for k, v in imports.OUTCOMES.items()],
    }
    return render(request, "jobs/import_preview.html", context)


@require_POST
@importer_required
def import_discard(request: HttpRequest, token: str) -> HttpResponse:
    imports.import_discard(pending=_pending_or_404(request, token))
    messages.info(request, "The file was discarded; nothing was imported.")
    return redirect("import_upload")


# --- exports -------------------------------------------------------------------------------


@exporter_required
def export_records(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = records.records_export(
                user=request.user, kind=form.cleaned_data["kind"], fmt=form.cleaned_data["format"]
            )
        except JobFailed as error:
            form.add_error(None, error.message)
        else:
            if isinstance(result, Job):
                return redirect(result)
            assert result.result is not None  # an export's outcome is its file
            return _download(result.result, result.result_type, result.result_name)
    context = {"form": form, "now_rows": records.EXPORT_NOW_ROWS}
    return render(request, "jobs/export.html", context, status=400 if form.errors else 200)
