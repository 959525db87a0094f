"""Every path that changes a many-to-many set (the services, imports, the admin) leaves
history from which the page's history section shows the set before and after."""

from __future__ import annotations

from typing import Any

import pytest
from django.forms import BaseForm
from django.urls import reverse

from flows.models import Flow
from flows.services import flow_upsert, flow_values
from registry.models import Agreement
from registry.services import agreement_upsert
from tests.factories import (
    category,
    make_agreement,
    make_flow,
    make_own_party,
    make_party,
    make_user,
)
from tests.registry.importing.import_helpers import messages, run_import

pytestmark = pytest.mark.django_db

PHONE, EMAIL = "user.contact.phone_number", "user.contact.email"
FLOW_HEADER = "reference,source,target,categories,purpose,role,started_on"
AGREEMENT_HEADER = "reference,kind,parties,signed_on"


def _history(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().split("<h2>History</h2>")[1]


def _flow_history(client, reference: str) -> str:
    return _history(client, reverse("flow_detail", args=[Flow.objects.get(reference=reference).pk]))


def _agreement_history(client, reference: str) -> str:
    return _history(client, reverse("agreement_detail", args=[reference]))


@pytest.fixture
def parties():
    return make_own_party(), make_party("vendor", name="Vendor"), make_party("other", name="Other")


def test_the_flow_service_leaves_the_categories_before_and_after(viewer_client, parties):
    own, vendor, _ = parties
    flow = make_flow(own, vendor, reference="f-1", categories=[category(PHONE)])
    flow_upsert(**{**_flow_values(flow), "categories": [category(EMAIL)]})
    history = _flow_history(viewer_client, "f-1")
    assert f"data categories</strong>: {PHONE} → {EMAIL}" in history


def test_the_agreement_service_leaves_the_parties_before_and_after(viewer_client, parties):
    own, vendor, other = parties
    make_agreement([own, vendor], reference="dpa-1")
    agreement_upsert(reference="dpa-1", kind="dpa", parties=[own, other], signed_on=_day())
    history = _agreement_history(viewer_client, "dpa-1")
    assert f"parties</strong>: {own}, Vendor → {own}, Other" in history


def test_an_import_that_creates_then_updates_flows_leaves_the_categories(viewer_client, parties):
    created = run_import("flows", f"{FLOW_HEADER}\nf-1,acme,vendor,{PHONE},essential.service,"
                         "processor,2025-01-01\n")  # fmt: skip
    assert created.ok and created.new == 1, messages(created)
    updated = run_import("flows", f"{FLOW_HEADER}\nf-1,acme,vendor,{PHONE};{EMAIL},"
                         "essential.service,processor,2025-01-01\n")  # fmt: skip
    assert updated.ok and updated.updated == 1, messages(updated)
    history = _flow_history(viewer_client, "f-1")
    assert f"data categories</strong>: {PHONE} → {EMAIL}, {PHONE}" in history
    assert "—" not in history


def test_an_import_that_creates_then_updates_agreements_leaves_the_parties(viewer_client, parties):
    own = parties[0]
    created = run_import("agreements", f"{AGREEMENT_HEADER}\ndpa-1,dpa,acme;vendor,2025-01-01\n")
    assert created.ok and created.new == 1, messages(created)
    updated = run_import("agreements", f"{AGREEMENT_HEADER}\ndpa-1,dpa,acme;other,2025-01-01\n")
    assert updated.ok and updated.updated == 1, messages(updated)
    history = _agreement_history(viewer_client, "dpa-1")
    assert f"parties</strong>: {own}, Vendor → {own}, Other" in history


def test_a_service_change_after_an_import_shows_the_imported_set_before(viewer_client, parties):
    run_import("flows", f"{FLOW_HEADER}\nf-1,acme,vendor,{PHONE},essential.service,processor,"
               "2025-01-01\n")  # fmt: skip
    flow = Flow.objects.get(reference="f-1")
    flow_upsert(**{**_flow_values(flow), "categories": [category(EMAIL)]})
    history = _flow_history(viewer_client, "f-1")
    assert f"data categories</strong>: {PHONE} → {EMAIL}" in history


def _admin_post(client, url: str, **changes: Any):
    form: BaseForm = client.get(url).context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or (hasattr(value, "field") and not value):  # no file
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_an_admin_save_leaves_the_categories_of_a_flow(client, viewer_client, parties):
    own, vendor, _ = parties
    flow = make_flow(own, vendor, reference="f-1", categories=[category(PHONE)])
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = reverse("admin:flows_flow_change", args=[flow.pk])
    _admin_post(client, url, categories=[category(EMAIL).pk])
    assert list(flow.categories.all()) == [category(EMAIL)]
    history = _flow_history(viewer_client, "f-1")
    assert f"data categories</strong>: {PHONE} → {EMAIL}" in history


def test_an_admin_save_leaves_the_parties_of_an_agreement(client, viewer_client, parties):
    own, vendor, other = parties
    agreement = make_agreement([own, vendor], reference="dpa-1")
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = reverse("admin:registry_agreement_change", args=[agreement.pk])
    _admin_post(client, url, parties=[own.pk, other.pk])
    assert set(Agreement.objects.get(pk=agreement.pk).parties.all()) == {own, other}
    history = _agreement_history(viewer_client, "dpa-1")
    assert f"parties</strong>: {own}, Vendor → {own}, Other" in history


def _day():
    from datetime import date

    return date(2025, 1, 1)


def _flow_values(flow: Flow) -> dict[str, Any]:
    return {"reference": flow.reference, **flow_values(flow)}
