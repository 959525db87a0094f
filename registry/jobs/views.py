"""The pages of background jobs: one job's progress and result, and a person's own list."""

from __future__ import annotations

from functools import partial

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from registry.jobs import selectors
from registry.web.listing import list_page
from registry.web.permissions import viewer_required


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
    response = HttpResponse(bytes(job.result), content_type=job.result_type)
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    return response
