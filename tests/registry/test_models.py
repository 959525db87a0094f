from datetime import date
from itertools import product

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registry.models import (
    Agreement,
    Party,
    agreement_problems,
    ancestry_problems,
    own_company_problems,
)
from tests.factories import make_agreement, make_own_party, make_party, refused_by_the_database

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


def test_a_subprocessor_is_saved_without_naming_a_processor():
    # Who engages it is an engagement of its own now; a missing one is a finding, not a
    # refusal at save time.
    sub = make_party("sub", relationship="subprocessor")
    assert not sub.engagements.exists()


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


# --- each database constraint refuses exactly what its rule function refuses ---------------

DAYS = (None, date(2020, 1, 1), date(2021, 1, 1), date(2022, 1, 1))


def constraint(model, name):
    (found,) = [c for c in model._meta.constraints if c.name == name]
    return found


def test_the_one_own_company_constraint_and_own_company_problems_agree():
    acme = make_own_party("acme")
    owners = [acme.pk]
    refused = own_company_problems(key=None, relationship="own", owners=owners)
    assert [p.message for p in refused] == [
        constraint(Party, "party_one_own_company").violation_error_message
    ]
    assert refused_by_the_database(
        lambda: Party.objects.create(slug="b", name="B", relationship="own", country="US")
    )
    assert own_company_problems(key=None, relationship="processor", owners=owners) == []
    assert not refused_by_the_database(
        lambda: Party.objects.create(slug="b", name="B", relationship="processor", country="US")
    )
    assert own_company_problems(key=acme.pk, relationship="own", owners=owners) == []
    assert not refused_by_the_database(lambda: Party.objects.filter(pk=acme.pk).update(name="A"))


def test_the_own_parent_constraint_and_ancestry_problems_agree():
    party, other = make_party("acme-eu"), make_party("acme-us")
    rule = constraint(Party, "party_not_own_parent")
    refused = ancestry_problems(key=party.pk, parent=party.pk, parent_of=lambda pk: None)
    assert [p.message for p in refused] == [rule.violation_error_message]
    error = refused_by_the_database(lambda: Party.objects.filter(pk=party.pk).update(parent=party))
    assert error and rule.name in error
    assert ancestry_problems(key=party.pk, parent=other.pk, parent_of=lambda pk: None) == []
    assert not refused_by_the_database(
        lambda: Party.objects.filter(pk=party.pk).update(parent=other)
    )


def test_the_agreement_constraints_refuse_exactly_the_dates_agreement_problems_refuses():
    by_message = {c.violation_error_message: c.name for c in Agreement._meta.constraints}
    refused_names, disagreements = set(), []
    for number, (signed, effective, expires, terminated) in enumerate(product(DAYS, repeat=4)):
        dates = {"signed_on": signed, "effective_on": effective, "expires_on": expires,
                 "terminated_on": terminated}  # fmt: skip
        expected = {by_message[p.message] for p in agreement_problems(**dates)}
        error = refused_by_the_database(
            Agreement.objects.create, reference=f"a-{number}", kind="dpa", **dates
        )
        if bool(error) != bool(expected) or (error and not any(n in error for n in expected)):
            disagreements.append((dates, expected, error))
        refused_names |= expected
    assert disagreements == []
    assert refused_names == {c.name for c in Agreement._meta.constraints}


def test_an_agreement_that_breaks_a_date_rule_names_the_field_and_the_dates():
    (problem,) = agreement_problems(
        signed_on=date(2020, 1, 1), effective_on=None, expires_on=date(2019, 1, 1),
        terminated_on=None,
    )  # fmt: skip
    assert (problem.field, problem.message) == (
        "expires_on", "An agreement cannot expire before it is signed.",
    )  # fmt: skip
    assert problem.in_file.endswith("(expires_on 2019-01-01 is before signed_on 2020-01-01)")


def test_a_party_cannot_be_its_own_parent_says_so():
    party = make_party("acme-eu")
    party.parent = party
    with pytest.raises(ValidationError, match="cannot be its own parent"):
        party.full_clean()


def test_a_new_party_may_name_an_existing_parent():
    top = make_party("top", relationship="affiliate")
    assert make_party("child", relationship="affiliate", parent=top).parent == top
