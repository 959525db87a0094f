"""The jurisdiction tables in the product: reviewers keep them, everyone reads them, each
change has its history and reaches the findings."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flows.models import AdequacyDecision, MechanismValidity, ZoneMembership
from tests.factories import make_flow, make_own_party, make_party, make_user

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(body.replace("&#x27;", "'").replace("&gt;", ">").split())


@pytest.fixture
def reviewer(client):
    user = make_user("rita", role="reviewer")
    client.force_login(user)
    return user


def _swiss() -> AdequacyDecision:
    return AdequacyDecision.objects.get(regime="EU", country="CH")


def _decision_form(decision: AdequacyDecision, **changes) -> dict:
    values = {
        "regime": decision.regime,
        "country": decision.country.code,
        "instrument": decision.instrument,
        "scope": decision.scope,
        "valid_from": decision.valid_from.isoformat(),
        "valid_to": decision.valid_to.isoformat() if decision.valid_to else "",
        "notes": decision.notes,
        "verification": decision.verification,
    }
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("slug", "shown"),
    [
        ("zones", "EU GDPR Germany"),
        ("adequacy", "EU GDPR Switzerland"),
        ("mechanisms", "Safe Harbor (invalid since 2015-10-06)"),
    ],
)
def test_a_viewer_reads_each_table_with_names_not_codes_and_cannot_change_it(client, slug, shown):
    client.force_login(make_user("vera", role="viewer"))
    page = client.get(reverse("table_list", args=[slug]), {"q": "", "regime": "EU"})
    text = _text(page)
    assert page.status_code == 200 and shown in text
    assert "Add a" not in text and "View" in text  # "Add a" and "Add an"
    assert client.get(reverse("table_add", args=[slug])).status_code == 403
    models: dict[str, Any] = {
        "zones": ZoneMembership, "adequacy": AdequacyDecision, "mechanisms": MechanismValidity
    }  # fmt: skip
    entry = models[slug].objects.first()
    url = reverse("table_entry", args=[slug, entry.pk])
    assert "Only reviewers change this table; you may read it." in _text(client.get(url))
    assert client.post(url, {}).status_code == 403
    assert client.post(reverse("table_delete", args=[slug, entry.pk])).status_code == 403


def test_the_tables_are_searched_by_country_name_and_paginated_in_constant_queries(
    client, reviewer
):
    url = reverse("table_list", args=["zones"])
    text = _text(client.get(url, {"q": "germ"}))
    assert "Germany" in text and "France" not in text and "1 result" in text
    mechanisms = _text(client.get(reverse("table_list", args=["mechanisms"]), {"q": "safe harbor"}))
    assert "Safe Harbor (invalid since 2015-10-06)" in mechanisms and "SCCs 2021" not in mechanisms
    counts = []
    for size in (2, 60):  # one page, then a full page of more: the same queries
        ZoneMembership.objects.filter(regime="CH").delete()
        ZoneMembership.objects.bulk_create(
            ZoneMembership(regime="CH", country="DE", valid_from=date(1950 + i, 1, 1))
            for i in range(size)
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"regime": "CH"})
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert "60 results" in _text(response) and "Page 1 of 2" in _text(response)


def test_a_reviewer_adds_a_decision_and_its_history_names_them(client, reviewer):
    response = client.post(
        reverse("table_add", args=["adequacy"]),
        {"regime": "UK", "country": "KE", "instrument": "Adequacy regulations 2030",
         "scope": "whole", "valid_from": "2030-01-01", "valid_to": "", "notes": "",
         "verification": "Test."},
    )  # fmt: skip
    assert response.status_code == 302
    listing = client.get(response["Location"], {"q": "kenya"})
    assert "Added: UK GDPR adequacy for Kenya. The findings are refreshed." in _text(listing)
    decision = AdequacyDecision.objects.get(country="KE")
    text = _text(client.get(reverse("table_entry", args=["adequacy", decision.pk])))
    assert "History Added" in text and "by rita" in text
    assert "Country: Kenya (KE)" in text and "Regime: UK GDPR" in text


def test_the_models_rules_refuse_a_bad_row_on_the_form(client, reviewer):
    decision = _swiss()
    url = reverse("table_entry", args=["adequacy", decision.pk])
    response = client.post(url, _decision_form(decision, valid_to="1990-01-01"))
    assert response.status_code == 400
    assert "A decision cannot end before it starts." in _text(response)
    duplicate = client.post(
        reverse("table_add", args=["adequacy"]), _decision_form(decision, notes="again")
    )
    assert duplicate.status_code == 400
    assert "with this Regime, Country and Valid from already exists" in _text(duplicate)
    unknown = client.post(url, _decision_form(decision, country="XX", valid_from="someday"))
    text = _text(unknown)
    assert "Select a valid choice. XX is not one of the available choices." in text
    assert "Enter a valid date." in text
    decision.refresh_from_db()
    assert (
        decision.valid_to is None
        and AdequacyDecision.objects.filter(country="CH", regime="EU").count() == 1
    )


def test_ending_an_adequacy_decision_on_the_page_adds_a_transfer_finding(
    client, reviewer, django_capture_on_commit_callbacks
):
    own = make_own_party("acme", country="DE")
    swiss = make_party("swissmail", name="Swiss Mail", country="CH")
    make_flow(own, swiss, reference="mail")
    findings = reverse("finding_list")
    rule = 'href="/findings/NO_TRANSFER_MECHANISM/'
    assert rule not in client.get(findings).content.decode()

    decision = _swiss()
    url = reverse("table_entry", args=["adequacy", decision.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _decision_form(decision, valid_to="2020-12-31"))
    assert response.status_code == 302
    page = client.get(findings, {"rule": "NO_TRANSFER_MECHANISM"})
    assert rule in page.content.decode()
    assert "1 finding" in _text(page) and "Acme → Swiss Mail" in _text(page)

    history = _text(client.get(url))
    assert (
        "Changed" in history and "Valid until: — → 2020-12-31" in history and "by rita" in history
    )
    assert "Regime:" not in history.split("by rita")[1].split("Added")[0]
    assert "Added" in history and "by the system (as it stood when its history began)" in history


def test_deleting_asks_first_and_the_history_keeps_who_deleted(client, reviewer):
    validity = MechanismValidity.objects.get(regime="EU", mechanism="bcr")
    url = reverse("table_delete", args=["mechanisms", validity.pk])
    ask = client.post(url)
    assert (
        "Delete Binding corporate rules under the EU GDPR?" in _text(ask)
        and MechanismValidity.objects.filter(pk=validity.pk).exists()
    )
    done = client.post(url, {"confirm": "yes"}, follow=True)
    assert (
        "Deleted: Binding corporate rules under the EU GDPR. The findings are refreshed."
        in _text(done)
    )
    last = MechanismValidity.history.filter(id=validity.pk).latest("history_date")
    assert last.history_type == "-" and last.history_user.username == "rita"
    assert client.get(reverse("table_entry", args=["mechanisms", validity.pk])).status_code == 404


def test_an_unknown_table_is_not_found(client, reviewer):
    assert client.get(reverse("table_list", args=["secrets"])).status_code == 404
    assert client.get(reverse("table_add", args=["secrets"])).status_code == 404
