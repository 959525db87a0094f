"""Background jobs as the person who started one sees them: the admin's import and export
send them to the job's page, which shows progress, then the file or the error in words."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.jobs.models import Job
from registry.jobs.services import job_progress, job_start
from registry.jobs.tasks import records_import_job
from registry.models import Party
from registry.resources import PartyResource
from tests.factories import make_party, make_user
from tests.registry.jobs.failing import breaking_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = make_user("editor", role="editor", is_staff=True)
    client.force_login(user)
    return user


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _export(client, query: str = ""):
    selected = {f"partyresource_{name}": "on" for name in ("slug", "name", "relationship")}
    return client.post(
        reverse("admin:registry_party_export") + query,
        {"format": "0", "resource": "0", **selected},
    )


def test_an_admin_export_runs_as_a_job_whose_page_offers_the_file(
    client, editor, django_capture_on_commit_callbacks
):
    make_party("acme", name="=1+1", relationship="own", country="DE")
    make_party("beta", name="Beta Mail")
    with django_capture_on_commit_callbacks(execute=True):
        response = _export(client)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()

    page = client.get(response["Location"]).content.decode()
    assert "Export of 2 parties" in page and "<strong>Done</strong>" in page
    assert "2 parties rows exported." in page
    assert f'href="{reverse("job_result", args=[job.pk])}"' in page

    download = client.get(reverse("job_result", args=[job.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="parties-')
    assert _rows(download.content) == [
        ["slug", "name", "relationship"],
        ["acme", "'=1+1", "own"],
        ["beta", "Beta Mail", "processor"],
    ]


def test_a_filtered_admin_export_writes_only_the_change_lists_rows(
    client, editor, django_capture_on_commit_callbacks
):
    make_party("acme", relationship="own", country="DE")
    make_party("beta")
    make_party("gamma")
    with django_capture_on_commit_callbacks(execute=True):
        response = _export(client, "?relationship__exact=processor")
    assert "Export of 2 parties" in client.get(response["Location"]).content.decode()
    job = Job.objects.get()
    rows = _rows(client.get(reverse("job_result", args=[job.pk])).content)
    assert [row[0] for row in rows] == ["slug", "beta", "gamma"]


def test_a_confirmed_admin_import_runs_as_a_job_and_shows_its_report(
    client, editor, django_capture_on_commit_callbacks
):
    data = b"slug,name,relationship,country\nacme,Acme,own,germany\n"
    preview = client.post(
        reverse("admin:registry_party_import"),
        {"format": "0", "import_file": SimpleUploadedFile("vendors.csv", data)},
    )
    assert not Party.objects.exists()  # the preview is a dry run, in the request
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:registry_party_process_import"), preview.context["confirm_form"].initial
        )
    page = client.get(response["Location"]).content.decode()
    assert "Import of 1 parties" in page and "<strong>Done</strong>" in page
    assert "1 parties rows: 1 new, 0 updated, 0 unchanged, 0 deleted; changes were written." in page
    assert "1 of 1 (100%)" in page
    assert Party.objects.get().country.code == "DE"


def test_an_import_with_bad_rows_fails_with_its_errors_and_writes_nothing(
    client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            title="Import of 1 parties",
            task=records_import_job,
            user=editor,
            kind="parties",
            header=["slug", "name", "relationship", "country"],
            rows=[(2, ["beta", "Beta", "vendor", "US"])],
        )
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<strong>Failed</strong>" in page
    assert "1 error(s) in the parties file; nothing was written." in page
    assert "line 2, column relationship: &#x27;vendor&#x27; is not a known relationship" in page
    assert not Party.objects.exists()


def test_a_task_that_breaks_shows_the_error_in_words_and_no_traceback(
    client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(title="Something that breaks", task=breaking_job, user=editor)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<strong>Failed</strong>" in page
    assert "The job stopped on an unexpected error (KeyError); nothing more was done." in page
    assert "Traceback" not in page and "SECRET_PATH" not in page and "/srv/" not in page
    assert "<progress" not in page and "job_progress.js" not in page  # finished: no refresh
    job.refresh_from_db()
    assert job.finished_at is not None and (job.done, job.total) == (3, 10)


def test_progress_written_by_the_task_shows_as_a_bar_that_refreshes(client, editor):
    # The test's transaction never commits, so the task is never enqueued: the job waits.
    job = job_start(title="Export of 2,000 flows", task=breaking_job, user=editor)
    job_progress(job.pk, every_seconds=0)(400, 2000)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<strong>Queued</strong>" in page
    assert '<progress id="job-progress" max="100" value="20">20%</progress>' in page
    assert "400 of 2,000 (20%)" in page
    assert 'src="/static/registry/job_progress.js"' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page


def test_a_job_without_a_total_yet_shows_a_bar_that_only_says_it_works(client, editor):
    job = job_start(title="Export of 200 flows", task=breaking_job, user=editor)
    page = client.get(job.get_absolute_url()).content.decode()
    assert '<progress id="job-progress">Working…</progress>' in page


def test_progress_is_written_to_the_row_now_and_then_not_on_every_row(editor):
    job = job_start(title="Import of 100,000 flows", task=breaking_job, user=editor)
    progress = job_progress(job.pk, every_seconds=60)
    with CaptureQueriesContext(connection) as writes:
        for done in range(100_001):
            progress(done, 100_000)
    assert len(writes) == 2  # the first figures and the last
    job.refresh_from_db()
    assert (job.done, job.total) == (100_000, 100_000)


def test_someone_elses_job_is_not_found_but_a_superuser_sees_it(
    client, editor, django_capture_on_commit_callbacks
):
    make_party("acme", relationship="own", country="DE")
    with django_capture_on_commit_callbacks(execute=True):
        _export(client)
    job = Job.objects.get()
    client.force_login(make_user("other", role="editor", is_staff=True))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("job_result", args=[job.pk])).status_code == 404
    assert "Export of 1 parties" not in client.get(reverse("job_list")).content.decode()
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    assert client.get(job.get_absolute_url()).status_code == 200
    assert client.get(reverse("job_result", args=[job.pk])).status_code == 200


def test_the_job_list_shows_ones_own_jobs_a_page_at_a_time_in_constant_queries(client, editor):
    other = make_user("other", role="editor")
    Job.objects.create(title="Not mine", started_by=other)

    def queries_for(count: int) -> tuple[int, str]:
        Job.objects.filter(started_by=editor).delete()
        Job.objects.bulk_create(
            Job(title=f"Export of {n} parties", started_by=editor) for n in range(count)
        )
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("job_list")).content.decode()
        return len(ctx), page

    few, page = queries_for(3)
    assert "Export of 2 parties" in page and "Not mine" not in page
    many, page = queries_for(120)
    assert few == many
    assert "Page 1 of 3" in page and len(re.findall(r'href="/jobs/\d+/"', page)) == 50
    assert "Page 3 of 3" in client.get(reverse("job_list"), {"page": 3}).content.decode()


def test_the_resource_columns_are_the_export_jobs_columns():
    # The export job selects columns by the resource's field names: they are one list.
    assert list(PartyResource.Meta.fields) == list(PartyResource.kind.column_names())
