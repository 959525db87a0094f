"""The admin's import and export pages: behind their own permissions, same checks."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.jobs.models import Job
from registry.models import Party
from registry.resources import PartyResource
from tests.factories import make_party, make_user

pytestmark = pytest.mark.django_db

GOOD = b"slug,name,relationship,country\nacme,Acme,own,germany\n"
BAD = b"slug,name,relationship,country\nacme,Acme,own,germany\nbeta,Beta,vendor,US\n"


def staff_client(client, role):
    client.force_login(make_user(role, role=role, is_staff=True))
    return client


def upload(client, data):
    return client.post(
        reverse("admin:registry_party_import"),
        {"format": "0", "import_file": SimpleUploadedFile("vendors.csv", data)},
    )


def test_a_viewer_cannot_open_the_import_page(client):
    response = staff_client(client, "viewer").get(reverse("admin:registry_party_import"))
    assert response.status_code == 403


def test_a_viewer_cannot_export(client):
    response = staff_client(client, "viewer").get(reverse("admin:flows_flow_export"))
    assert response.status_code == 403


def test_a_reviewer_may_export_but_not_import(client):
    staff_client(client, "reviewer")
    assert client.get(reverse("admin:flows_flow_export")).status_code == 200
    assert client.get(reverse("admin:flows_flow_import")).status_code == 403


def test_an_editor_imports_through_the_admin_in_two_steps(
    client, django_capture_on_commit_callbacks
):
    staff_client(client, "editor")
    assert client.get(reverse("admin:registry_party_import")).status_code == 200
    preview = upload(client, GOOD)
    assert preview.status_code == 200
    assert preview.context["result"].totals["new"] == 1
    assert not Party.objects.exists()  # the first step is a dry run
    confirm = preview.context["confirm_form"]
    with django_capture_on_commit_callbacks(execute=True):  # the job starts on commit
        response = client.post(reverse("admin:registry_party_process_import"), confirm.initial)
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert Party.objects.get().country.code == "DE"
    assert "Done" in client.get(response["Location"]).content.decode()


def test_the_admin_preview_shows_each_row_and_what_it_changes(client):
    make_party("acme", name="Acme", relationship="own", country="DE")
    staff_client(client, "admin")
    data = (
        b"slug,name,relationship,country\n"
        b"acme,Acme Renamed,own,DE\n"
        b"gamma,Gamma,processor,US\n"
        b"acme2,Acme Two,processor,US\n"
    )
    preview = upload(client, data)
    rows = re.findall(r'<tr class="(new|update|skip)">(.*?)</tr>', preview.content.decode(), re.S)
    cells = [
        (
            kind,
            [
                re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
                for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ],
        )
        for kind, row in rows
    ]
    assert cells == [
        ("update", ["Update", "acme", "Acme → Acme Renamed", "own", "DE"]),
        ("new", ["New", "gamma", "Gamma", "processor", "US"]),
        ("new", ["New", "acme2", "Acme Two", "processor", "US"]),
    ]
    assert not Party.objects.filter(slug="gamma").exists()


def test_the_admin_import_shows_every_bad_row_and_writes_nothing(client):
    staff_client(client, "editor")
    response = upload(client, BAD)
    result = response.context["result"]
    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == 3
    assert "'vendor' is not a known relationship" in invalid.error_dict["relationship"][0]
    assert "confirm_form" not in response.context
    assert b"is not a known relationship" in response.content
    assert not Party.objects.exists()


def test_an_editor_exports_from_the_admin_with_formulae_escaped(
    client, django_capture_on_commit_callbacks
):
    make_party("acme", name="=1+1")
    staff_client(client, "editor")
    selected = {f"partyresource_{name}": "on" for name in PartyResource.Meta.fields}
    with django_capture_on_commit_callbacks(execute=True):  # the job starts on commit
        response = client.post(
            reverse("admin:registry_party_export"), {"format": "0", "resource": "0", **selected}
        )
    assert response.status_code == 302
    result = client.get(reverse("job_result", args=[Job.objects.get().pk]))
    assert "attachment" in result["Content-Disposition"]
    assert b"slug,name" in result.content and b"'=1+1" in result.content
