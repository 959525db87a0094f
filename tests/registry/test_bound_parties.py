"""A party bound by agreements is protected like one with flows: deleting it is refused on
every path, with the agreements named and offboarding offered instead."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse

from registry.models import Agreement, Party
from registry.services import party_delete
from tests.factories import make_agreement, make_own_party, make_party, make_user

pytestmark = pytest.mark.django_db

REFUSAL = "cannot be deleted: the agreements dpa-1 bind it. Offboard the party"


@pytest.fixture
def bound():
    own, vendor = make_own_party(), make_party("vendor", name="Vendor")
    make_agreement([own, vendor], reference="dpa-1")
    return vendor


def _still_binds_both() -> None:
    agreement = Agreement.objects.get(reference="dpa-1")
    assert sorted(agreement.parties.values_list("slug", flat=True)) == ["acme", "vendor"]


def _admin(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_delete_page_refuses_a_party_bound_by_agreements(client, bound):
    url = reverse("admin:registry_party_delete", args=[bound.pk])
    page = _admin(client).get(url).content.decode()
    assert f"Vendor {REFUSAL}" in page and "offboarded" in page
    assert "Yes, I’m sure" not in page, "no button to confirm"
    client.post(url, {"post": "yes"})
    assert Party.objects.filter(slug="vendor").exists()
    _still_binds_both()


def test_the_admin_bulk_delete_refuses_a_party_bound_by_agreements(client, bound):
    spare = make_party("spare")
    data = {"action": "delete_selected", "_selected_action": [bound.pk, spare.pk], "post": "yes"}
    page = _admin(client).post(reverse("admin:registry_party_changelist"), data).content.decode()
    assert f"Vendor {REFUSAL}" in page
    assert Party.objects.filter(slug__in=["vendor", "spare"]).count() == 2
    _still_binds_both()


def test_the_service_refuses_with_the_agreements_named_and_offboarding_offered(bound):
    with pytest.raises(ValidationError) as refused:
        party_delete(party=bound)
    assert refused.value.messages == [
        "Vendor cannot be deleted: the agreements dpa-1 bind it. Offboard the party instead "
        "(set its status to offboarded); the agreements keep both sides."
    ]
    _still_binds_both()


def test_the_database_layer_protects_the_party_whatever_the_path(bound):
    with pytest.raises(ProtectedError):
        bound.delete()
    with pytest.raises(ProtectedError):
        Party.objects.filter(slug="vendor").delete()
    _still_binds_both()


def test_a_party_nothing_binds_is_deleted_and_an_offboarded_one_stays_bound(bound):
    spare = make_party("spare")
    party_delete(party=spare)
    assert not Party.objects.filter(slug="spare").exists()
    make_party("vendor", name="Vendor", status="offboarded")
    _still_binds_both()
