"""The product's import and export pages: an editor uploads a file, sees row by row what it
would do, confirms, and the import runs as a job; editors and reviewers export."""

from __future__ import annotations

import csv
import io
import os
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.jobs.models import Job
from registry.models import Party
from tests.factories import make_own_party, make_party, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def editor(client):
    user = make_user("editor", role="editor")
    client.force_login(user)
    return user


def _upload(client, data: bytes, name: str = "parties.csv", kind: str = "parties"):
    return client.post(
        reverse("import_upload"), {"kind": kind, "file": SimpleUploadedFile(name, data)}
    )


def _text(response) -> str:
    """The page's text without tags, spaces collapsed: what a person reads."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(body.replace("&#x27;", "'").replace("&gt;", ">").split())


MIXED = (
    b"slug,name,relationship,country\n"
    b"acme,Acme,own,DE\n"  # unchanged
    b"beta,Beta Mail Ltd,processor,FR\n"  # updated: name and country
    b"gamma,Gamma,processor,US\n"  # new
    b"delta,Delta,vendor,US\n"  # refused
)


def test_the_preview_lists_row_by_row_what_would_be_created_updated_or_refused(client, editor):
    make_own_party("acme", name="Acme", country="DE")
    make_party("beta", name="Beta Mail", country="US")
    response = _upload(client, MIXED)
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = _text(page)
    assert (
        "Preview: parties.csv" in text
        and "4 rows of parties. Nothing has been written yet." in text
    )
    assert "2 acme unchanged already as in the register" in text
    assert "3 beta updated name : Beta Mail → Beta Mail Ltd country : US → FR" in text
    assert "4 gamma created" in text
    assert "5 delta refused relationship: 'vendor' is not a known relationship" in text
    assert "Created (1) Updated (1) Unchanged (1) Refused (1)" in text
    assert "The file cannot be imported as it is: an import writes all its rows or none." in text
    assert "Correct the 1 refused row and upload it again." in text
    assert '<button type="submit">Import' not in page.content.decode()
    assert not Party.objects.filter(slug="gamma").exists()
    assert Party.objects.get(slug="beta").name == "Beta Mail"

    refused = _text(client.get(response["Location"], {"show": "refuse"}))
    assert "delta" in refused and "gamma" not in refused and "beta" not in refused


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_confirmed_import_runs_as_a_job_whose_page_shows_the_report(
    client, editor, django_capture_on_commit_callbacks, fmt
):
    from registry.importing.tabular import write_table

    make_own_party("acme", name="Acme", country="DE")
    data = write_table(["slug", "name", "relationship", "country"],
                       [["gamma", "Gamma", "processor", "US"]], fmt)  # fmt: skip
    preview = _upload(client, data, f"parties.{fmt}")
    page = client.get(preview["Location"])
    assert "Import 1 new and 0 updated parties" in _text(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview["Location"])
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.started_by == editor
    text = _text(client.get(response["Location"]))
    assert "Import of 1 parties" in text and "Done" in text
    assert "1 parties rows: 1 new, 0 updated, 0 unchanged, 0 deleted; changes were written." in text
    gamma = Party.objects.get(slug="gamma")
    assert gamma.history.get().history_user == editor
    # The file was used up: its preview is gone.
    assert client.get(preview["Location"]).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("parties.txt", b"slug\nx\n", "The file has '.txt'; import a .csv, .xlsx or .json file"),
        ("parties.csv", b"", "The file is empty: there is no header row and no data."),
        ("parties.csv", b"\x00\x01\x02PK", "This is not a text CSV file (it holds binary data)."),
        ("parties.xlsx", b"not a spreadsheet", "This is not a readable .xlsx workbook"),
        ("parties.csv", b"slug,name\n", "The file has a header row but no data rows under it."),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_kept(
    client, editor, settings, name, data, message
):
    response = _upload(client, data, name)
    if response.status_code == 302:  # read on the preview
        response = client.get(response["Location"])
    assert response.status_code == 400
    text = _text(response)
    assert message in text and "Traceback" not in text
    assert not Party.objects.exists()
    assert not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*")), "the file was not kept"


def test_a_missing_required_column_is_the_files_error_not_a_rows(client, editor):
    response = client.get(_upload(client, b"name,country\nGamma,US\n")["Location"])
    text = _text(response)
    assert "line 1, column slug: the required column 'slug' is missing" in text
    assert "The file cannot be imported as it is" in text


def test_an_unknown_kind_is_refused_by_the_form(client, editor):
    response = _upload(client, b"slug\nx\n", kind="secrets")
    assert response.status_code == 400
    assert "Select a valid choice. secrets is not one of the available choices." in _text(response)


def test_every_registered_kind_can_be_chosen(client, editor):
    from registry.importing.engine import kind_names

    page = client.get(reverse("import_upload")).content.decode()
    for name in kind_names():
        assert f'value="{name}"' in page


def test_someone_elses_pending_import_is_not_found_and_discarding_deletes_it(client, editor):
    preview = _upload(client, b"slug,name,relationship,country\ngamma,Gamma,processor,US\n")
    other = make_user("other", role="editor")
    client.force_login(other)
    assert client.get(preview["Location"]).status_code == 404
    assert client.post(preview["Location"]).status_code == 404
    client.force_login(editor)
    discard = client.post(preview["Location"] + "discard/", follow=True)
    assert "The file was discarded; nothing was imported." in _text(discard)
    assert client.get(preview["Location"]).status_code == 404
    assert client.get(reverse("import_preview", args=["..%2F..%2Fetc"])).status_code == 404
    assert not Job.objects.exists()


def _parties_file(count: int) -> bytes:
    lines = ["slug,name,relationship,country"]
    lines += [f"p-{i},Party {i},processor,US" for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


def test_the_preview_shows_a_page_of_rows_in_constant_queries(client, editor):
    counts = []
    for size in (3, 120):
        location = _upload(client, _parties_file(size))["Location"]
        with CaptureQueriesContext(connection) as queries:
            page = client.get(location)
        counts.append(len(queries))
        text = _text(page)
        assert f"Created ({size})" in text
    assert counts[0] == counts[1]
    assert "Page 1 of 3" in text and "p-49" in text and "p-50 " not in text
    assert "p-119" in _text(client.get(location, {"page": 3}))


# --- exports -------------------------------------------------------------------------------


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_a_small_export_downloads_at_once(client, role):
    make_own_party("acme", name="=1+1", country="DE")
    make_party("beta", name="Beta Mail")
    client.force_login(make_user(role, role=role))
    response = client.post(reverse("export_records"), {"kind": "parties", "format": "csv"})
    assert response.status_code == 200
    assert re.match(r'attachment; filename="parties-\d{4}-\d\d-\d\d\.csv"',
                    response["Content-Disposition"])  # fmt: skip
    rows = _rows(response.content)
    assert rows[0][:3] == ["slug", "name", "legal_name"]
    assert [r[:2] for r in rows[1:]] == [["acme", "'=1+1"], ["beta", "Beta Mail"]]
    assert not Job.objects.exists()


def test_a_large_export_runs_as_a_job_that_offers_the_file(
    client, editor, monkeypatch, django_capture_on_commit_callbacks
):
    from registry.jobs import records

    monkeypatch.setattr(records, "EXPORT_NOW_ROWS", 1)
    make_own_party("acme")
    make_party("beta")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("export_records"), {"kind": "parties", "format": "xlsx"})
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    text = _text(client.get(response["Location"]))
    assert "Export of 2 parties" in text and "2 parties rows exported." in text
    download = client.get(reverse("job_result", args=[job.pk]))
    assert download["Content-Disposition"].endswith('.xlsx"')


def test_an_export_with_an_unknown_format_says_which_there_are(client, editor):
    response = client.post(reverse("export_records"), {"kind": "parties", "format": "pdf"})
    assert response.status_code == 400
    assert "Select a valid choice. pdf is not one of the available choices." in _text(response)


def test_a_viewer_may_neither_import_nor_export_and_a_reviewer_may_not_import(client):
    client.force_login(make_user("viewer", role="viewer"))
    assert client.get(reverse("import_upload")).status_code == 403
    assert client.get(reverse("export_records")).status_code == 403
    client.force_login(make_user("reviewer", role="reviewer"))
    assert client.get(reverse("import_upload")).status_code == 403
    assert client.get(reverse("export_records")).status_code == 200


def test_a_preview_left_unconfirmed_is_swept_after_a_day_and_a_fresh_one_is_kept(
    client, editor, settings
):
    abandoned = _upload(client, b"slug,name,relationship,country\ngamma,Gamma,processor,US\n")
    [old_file] = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    day_ago = time.time() - 25 * 3600
    os.utime(old_file, (day_ago, day_ago))

    fresh = _upload(client, b"slug,name,relationship,country\ndelta,Delta,processor,US\n")
    assert client.get(abandoned["Location"]).status_code == 404  # the upload swept it
    assert not old_file.exists() and not old_file.parent.parent.exists()
    assert client.get(fresh["Location"]).status_code == 200

    out = io.StringIO()
    call_command("sweep_imports", stdout=out)
    assert out.getvalue() == "Deleted 0 unconfirmed import files.\n"
    call_command("sweep_imports", "--hours", "0", stdout=out)
    assert "Deleted 1 unconfirmed import file.\n" in out.getvalue()
    assert client.get(fresh["Location"]).status_code == 404
