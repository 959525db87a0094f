"""Each role does its whole job in the product's pages with only its group, and is refused
what is not its job: the viewer reads, the editor imports and exports, the reviewer keeps a
jurisdiction table, the admin opens /admin/. The users are given their role by the one
service (role_grant), as `grant_role` and the user admin do, never with is_staff by hand."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flows.models import AdequacyDecision
from registry.models import Party
from registry.roles import role_grant
from tests.factories import make_own_party, make_party

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _person(client, role: str):
    user = get_user_model().objects.create_user(username=role, password="pw-x9!long")
    role_grant(user=user, role=role)
    client.force_login(user)
    return user


def _text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(body.replace("&#x27;", "'").split())


def _refused(client, method: str, name: str, *args: object) -> bool:
    response = getattr(client, method)(reverse(name, args=args))
    return response.status_code == 403 and "Ask an administrator" in _text(response)


def _admin_closed(client) -> bool:
    response = client.get("/admin/")
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.fixture
def register():
    own = make_own_party("acme", name="Acme", country="DE")
    make_party("beta", name="Beta Mail", country="FR")
    return own


def test_a_viewer_reads_everything_and_changes_nothing(client, register):
    _person(client, "viewer")
    for name in ("dashboard", "party_list", "finding_list", "table_index", "job_list"):
        assert client.get(reverse(name)).status_code == 200, name
    assert "Beta Mail" in _text(client.get(reverse("party_list")))
    assert "Switzerland" in _text(client.get(reverse("table_list", args=["adequacy"])))
    tables = _text(client.get(reverse("table_index")))
    assert "Adequacy decisions Countries a regime finds adequate" in tables
    assert _refused(client, "get", "import_upload")
    assert _refused(client, "get", "export_records")
    assert _refused(client, "get", "table_add", "adequacy")
    assert _admin_closed(client)


def test_an_editor_imports_a_file_through_the_pages_and_exports(
    client, register, django_capture_on_commit_callbacks
):
    editor = _person(client, "editor")
    data = b"slug,name,relationship,country\ngamma,Gamma Cloud,processor,US\n"
    upload = client.post(
        reverse("import_upload"), {"kind": "parties", "file": SimpleUploadedFile("p.csv", data)}
    )
    preview = client.get(upload["Location"])
    assert "2 gamma created name : Gamma Cloud" in _text(preview)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(upload["Location"])
    job_page = client.get(confirmed["Location"])
    assert "1 parties rows: 1 new" in _text(job_page)
    assert Party.objects.get(slug="gamma").history.get().history_user == editor

    export = client.post(reverse("export_records"), {"kind": "parties", "format": "csv"})
    assert export.status_code == 200 and b"gamma,Gamma Cloud" in export.content

    decision = AdequacyDecision.objects.get(regime="EU", country="CH")
    assert _refused(client, "get", "table_add", "adequacy")
    assert _refused(client, "post", "table_entry", "adequacy", decision.pk)
    assert _admin_closed(client)


def test_a_reviewer_keeps_a_table_and_exports_but_does_not_import(client, register):
    _person(client, "reviewer")
    decision = AdequacyDecision.objects.get(regime="EU", country="CH")
    url = reverse("table_entry", args=["adequacy", decision.pk])
    form = {
        "regime": "EU", "country": "CH", "instrument": decision.instrument,
        "scope": decision.scope, "valid_from": decision.valid_from.isoformat(),
        "valid_to": "2030-12-31", "notes": "Review due.", "verification": decision.verification,
    }  # fmt: skip
    saved = client.post(url, form, follow=True)
    assert "Saved: EU GDPR adequacy for Switzerland" in _text(saved)
    decision.refresh_from_db()
    assert decision.valid_to is not None and decision.valid_to.isoformat() == "2030-12-31"
    assert "Valid until: — → 2030-12-31" in _text(client.get(url))
    export = client.post(reverse("export_records"), {"kind": "flows", "format": "json"})
    assert export.status_code == 200 and export["Content-Type"] == "application/json"
    assert _refused(client, "get", "import_upload")
    assert _admin_closed(client)


def test_the_admin_opens_the_admin_and_every_page(client, register):
    _person(client, "admin")
    response = client.get("/admin/")
    assert response.status_code == 200 and "Site administration" in _text(response)
    for name in ("import_upload", "export_records", "table_index"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("table_add", args=["zones"])).status_code == 200
