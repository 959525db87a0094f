"""The searchable pickers render a search box tied to their list, with what is chosen
ticked; every template may name the organisation, the own company."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template

from registry.selectors import UNNAMED_ORGANISATION, organisation_name
from registry.web.pickers import PickMany, PickOne
from tests.factories import make_own_party


class CountriesForm(forms.Form):
    countries = forms.MultipleChoiceField(
        choices=[("DE", "Germany"), ("IN", "India"), ("US", "United States")],
        widget=PickMany(search_label="Search the countries"),
    )
    sender = forms.ChoiceField(choices=[("ie", "VoIPX Ireland"), ("us", "VoIPX")], widget=PickOne())


def test_a_picker_has_a_search_box_for_its_own_list_and_keeps_the_choice_ticked():
    form = CountriesForm(data={"countries": ["IN"], "sender": "ie"})
    html = str(form["countries"])
    assert '<label for="id_countries_search">Search the countries</label>' in html
    assert 'data-filter-for="id_countries"' in html
    assert '<div id="id_countries">' in html  # the list the box filters
    assert 'value="IN" id="id_countries_1" checked' in html
    assert 'value="DE" id="id_countries_0" checked' not in html
    assert 'type="radio" name="sender" value="ie"' in str(form["sender"])
    assert form.is_valid(), form.errors


def test_a_picker_is_a_group_of_choices_with_a_legend():
    form = CountriesForm()
    html = Template(
        '{% for field in form %}{% include "includes/field.html" %}{% endfor %}'
    ).render(Context({"form": form}))
    assert '<legend>Countries <span class="req">(required)</span></legend>' in html
    assert "<legend>Sender" in html


@pytest.mark.django_db
def test_the_organisation_is_the_own_company_and_has_a_name_before_there_is_one():
    assert organisation_name() == UNNAMED_ORGANISATION
    make_own_party("voipx", name="VoIPX")
    assert organisation_name() == "VoIPX"


@pytest.mark.django_db
def test_every_page_may_name_the_organisation_and_one_that_does_not_asks_nothing(
    viewer_client, django_assert_num_queries
):
    make_own_party("voipx", name="VoIPX")
    response = viewer_client.get("/parties/")
    organisation = response.context["organisation"]
    with django_assert_num_queries(1):
        assert str(organisation) == "VoIPX"
