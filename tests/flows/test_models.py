from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from flows.models import Flow
from tests.factories import category, make_flow, make_own_party, make_party

pytestmark = pytest.mark.django_db


def test_a_flow_from_a_party_to_itself_is_refused():
    acme = make_own_party()
    with pytest.raises(ValidationError, match="from a party to itself"):
        make_flow(acme, acme)


def test_the_database_refuses_a_flow_to_itself_even_without_validation():
    acme, vendor = make_own_party(), make_party("vendor")
    flow = make_flow(acme, vendor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Flow.objects.filter(pk=flow.pk).update(target=acme)


def test_a_flow_cannot_end_before_it_starts():
    acme, vendor = make_own_party(), make_party("vendor")
    with pytest.raises(ValidationError, match="end before it starts"):
        make_flow(acme, vendor, started_on=date(2024, 1, 1), ended_on=date(2023, 12, 31))


def test_a_flow_needs_a_data_category():
    acme, vendor = make_own_party(), make_party("vendor")
    with pytest.raises(ValidationError, match="at least one data category"):
        make_flow(acme, vendor, categories=[])


def test_an_unknown_lawful_basis_is_refused():
    acme, vendor = make_own_party(), make_party("vendor")
    with pytest.raises(ValidationError, match="lawful_basis"):
        make_flow(acme, vendor, lawful_basis="because")


def test_category_changes_on_a_flow_are_kept_in_history():
    acme, vendor = make_own_party(), make_party("vendor")
    flow = make_flow(acme, vendor)
    make_flow(acme, vendor, reference=flow.reference, categories=[category("user.name")])
    assert flow.history.count() >= 2
