from datetime import date
from itertools import product

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from flows.models import DataCategory, Flow, Purpose, flow_categories_problems, flow_problems
from tests.factories import (
    category,
    make_flow,
    make_own_party,
    make_party,
    purpose,
    refused_by_the_database,
)

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


# --- each database constraint refuses exactly what flow_problems refuses -------------------

DAYS = (None, date(2020, 1, 1), date(2021, 1, 1))


def test_the_flow_constraints_refuse_exactly_what_flow_problems_refuses():
    acme, vendor = make_own_party(), make_party("vendor")
    by_message = {c.violation_error_message: c.name for c in Flow._meta.constraints}
    refused_names, disagreements = set(), []
    cases = product((acme, vendor), (acme, vendor), DAYS[1:], DAYS)
    for number, (source, target, started_on, ended_on) in enumerate(cases):
        problems = flow_problems(
            source=source.pk, target=target.pk, started_on=started_on, ended_on=ended_on
        )
        expected = {by_message[p.message] for p in problems}
        error = refused_by_the_database(
            Flow.objects.create, reference=f"f-{number}", source=source, target=target,
            purpose=purpose(), role="processor", started_on=started_on, ended_on=ended_on,
        )  # fmt: skip
        if bool(error) != bool(expected) or (error and not any(n in error for n in expected)):
            disagreements.append((source, target, started_on, ended_on, expected, error))
        refused_names |= expected
    assert disagreements == []
    assert refused_names == {c.name for c in Flow._meta.constraints}


def test_a_flow_rule_names_the_field_for_forms_and_the_values_for_files():
    (problem,) = flow_problems(
        source="acme", target="cloudy", started_on=date(2020, 1, 1), ended_on=date(2019, 12, 31)
    )
    assert (problem.field, problem.message) == ("ended_on", "A flow cannot end before it starts.")
    assert problem.in_file == "a flow cannot end (2019-12-31) before it starts (2020-01-01)"


def test_the_validation_error_of_a_flow_to_itself_is_on_the_target_field():
    acme = make_own_party()
    with pytest.raises(ValidationError) as raised:
        make_flow(acme, acme)
    assert raised.value.message_dict == {"target": ["A flow cannot go from a party to itself."]}


def test_a_flow_without_categories_is_refused_by_its_rule_function():
    assert [p.field for p in flow_categories_problems([])] == ["categories"]
    assert flow_categories_problems([category("user.name")]) == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", [DataCategory, Purpose])
def test_a_taxonomy_node_cannot_become_its_own_ancestor(model):
    root = model.objects.create(key="zz", name="Root")
    child = model.objects.create(key="zz.child", name="Child", parent=root)
    root.parent = child
    with pytest.raises(ValidationError) as refused:
        root.full_clean()
    assert "its own ancestor" in str(refused.value.message_dict["parent"])
    child.parent = child
    with pytest.raises(ValidationError) as refused:
        child.full_clean()
    assert "cannot be its own parent" in str(refused.value.message_dict["parent"])
