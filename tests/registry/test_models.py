from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registry.models import Party
from tests.factories import make_agreement, make_own_party, make_party

pytestmark = pytest.mark.django_db


def test_a_second_own_company_is_refused_by_the_database():
    make_own_party("acme")
    with pytest.raises(IntegrityError), transaction.atomic():
        Party.objects.create(slug="other", name="Other", relationship="own", country="US")


def test_a_second_own_company_is_refused_with_a_message_by_validation():
    make_own_party("acme")
    with pytest.raises(ValidationError, match="already an own company"):
        make_party("other", relationship="own")


def test_a_party_cannot_be_its_own_parent():
    party = make_party("acme-eu")
    party.parent = party
    with pytest.raises(ValidationError):
        party.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Party.objects.filter(pk=party.pk).update(parent=party)


def test_a_parent_cycle_through_a_longer_chain_is_refused():
    top = make_party("top", relationship="affiliate")
    middle = make_party("middle", relationship="affiliate", parent=top)
    top.parent = middle
    with pytest.raises(ValidationError, match="its own ancestor"):
        top.full_clean()


def test_a_subprocessor_must_name_the_processor_that_engaged_it():
    with pytest.raises(ValidationError, match="engaged it"):
        make_party("sub", relationship="subprocessor")
    vendor = make_party("vendor")
    sub = make_party("sub", relationship="subprocessor", engaged_by=vendor)
    assert sub.engaged_by == vendor


def test_an_unknown_country_code_is_refused():
    with pytest.raises(ValidationError, match="country"):
        make_party("nowhere", country="ZZ")


def test_processing_countries_default_to_the_party_country():
    assert make_party("plain", country="DE").effective_processing_countries == ["DE"]
    spread = make_party("spread", country="US", processing_countries=["US", "IE"])
    assert spread.effective_processing_countries == ["IE", "US"]


def test_an_agreement_needs_two_parties():
    acme = make_own_party()
    with pytest.raises(ValidationError, match="two or more"):
        make_agreement([acme])


def test_an_agreement_cannot_expire_before_it_takes_effect():
    acme, vendor = make_own_party(), make_party("vendor")
    with pytest.raises(ValidationError, match="expire before"):
        make_agreement([acme, vendor], effective_on=date(2024, 1, 1), expires_on=date(2023, 1, 1))


def test_an_agreement_without_any_start_date_is_refused():
    acme, vendor = make_own_party(), make_party("vendor")
    with pytest.raises(ValidationError, match="signature or an effective date"):
        make_agreement([acme, vendor], signed_on=None)


def test_changes_to_a_party_are_kept_in_its_history():
    party = make_party("vendor", name="Vendor")
    party.name = "Vendor Renamed"
    party.save()
    names = list(party.history.order_by("history_date").values_list("name", flat=True))
    assert names == ["Vendor", "Vendor Renamed"]


def test_a_party_with_agreements_cannot_be_deleted():
    from django.db.models import ProtectedError

    acme, vendor = make_own_party(), make_party("vendor")
    make_agreement([acme, vendor])
    from tests.factories import make_flow

    make_flow(acme, vendor)
    with pytest.raises(ProtectedError):
        vendor.delete()
