"""The admin's change forms carry the version they were based on, as the edit pages do."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin

from flows.models import Flow
from registry.models import Agreement, Party
from registry.services import party_upsert, record_version
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("root", role="admin", is_staff=True, is_superuser=True))
    return client


def _found(pattern: str, body: str) -> str:
    match = re.search(pattern, body)
    assert match, pattern
    return match.group(1)


def _party_post(party: Party, version: str, **changes: str) -> dict[str, str]:
    data = {
        "slug": party.slug,
        "name": party.name,
        "legal_name": "",
        "relationship": party.relationship,
        "country": party.country.code,
        "status": party.status,
        "website": "",
        "contact_email": "",
        "notes": "",
        "version": version,
        "_save": "Save",
        # The inline of the processors engaging it, with none.
        "engagements-TOTAL_FORMS": "0",
        "engagements-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_the_admin_refuses_a_save_over_a_newer_version_and_keeps_the_input(admin_client, acme):
    url = f"/admin/registry/party/{acme.pk}/change/"
    page = admin_client.get(url).content.decode()
    version = _found(r'name="version" value="(\d+)"', page)
    party_upsert(slug="acme", name="Acme Help", relationship="processor", country="IN")
    refused = admin_client.post(url, _party_post(acme, version, name="Mine", notes="typed here"))
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "This record changed after you opened it" in body
    assert "Name: Acme Support → Acme Help" in body
    assert "typed here" in body
    assert Party.objects.get(pk=acme.pk).name == "Acme Help"
    newest = _found(r'name="version" value="(\d+)"', body)
    assert int(newest) == record_version(acme)
    saved = admin_client.post(url, _party_post(acme, newest, name="Mine"))
    assert saved.status_code == 302
    assert Party.objects.get(pk=acme.pk).name == "Mine"


def test_the_admin_saves_on_the_latest_version_with_one_history_row(admin_client, acme):
    url = f"/admin/registry/party/{acme.pk}/change/"
    rows = acme.history.count()
    saved = admin_client.post(url, _party_post(acme, str(record_version(acme)), name="Renamed"))
    assert saved.status_code == 302
    assert acme.history.count() == rows + 1


@pytest.mark.parametrize("model", [Party, Agreement, Flow])
def test_each_admin_of_a_record_with_history_carries_its_version(model, rf):
    request = rf.get("/")
    request.user = make_user("root", role="admin", is_staff=True, is_superuser=True)
    form = admin.site._registry[model].get_form(request)
    assert "version" in form.base_fields
