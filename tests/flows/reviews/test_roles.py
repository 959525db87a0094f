"""One test per boundary of the pages of legal review, registers and history, with personas."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from flows.models import Flow
from flows.reviews.models import Review
from tests.factories import make_user

pytestmark = pytest.mark.django_db
CARD_RULE = "CARD_DATA_TO_NON_PCI_VENDOR"


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=date.today())


@pytest.fixture
def billing(demo):
    return Flow.objects.get(reference="hq-to-ledgerline-billing")


def _as(client, role: str | None):
    client.force_login(make_user(f"user-{role or 'outsider'}", role=role))
    return client


def _decide(client, flow):
    return client.post(
        reverse("review_decide", args=[CARD_RULE, flow.pk]),
        {"decision": "waive", "reason": "Tokenised."},
    )


def test_an_anonymous_visitor_is_sent_to_log_in(client, billing):
    for url in (reverse("review_queue"), reverse("register_exports"),
                reverse("register_as_of")):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert _decide(client, billing).status_code == 302
    assert not Review.objects.exists()


def test_an_outsider_sees_no_queue_no_finding_and_cannot_decide(client, billing):
    _as(client, None)
    assert client.get(reverse("review_queue")).status_code == 403
    assert client.get(reverse("review_detail", args=[CARD_RULE, billing.pk])).status_code == 403
    assert client.get(reverse("register_as_of")).status_code == 403
    assert _decide(client, billing).status_code == 403
    assert not Review.objects.exists()


def test_a_viewer_reads_the_queue_but_gets_no_decision_form_and_cannot_decide(client, billing):
    _as(client, "viewer")
    assert client.get(reverse("review_queue")).status_code == 200
    page = client.get(reverse("review_detail", args=[CARD_RULE, billing.pk])).content.decode()
    assert "Record the decision" not in page
    assert _decide(client, billing).status_code == 403
    assert not Review.objects.exists()


def test_an_editor_cannot_decide(client, billing):
    _as(client, "editor")
    assert _decide(client, billing).status_code == 403


def test_a_reviewer_decides(client, billing):
    _as(client, "reviewer")
    assert _decide(client, billing).status_code == 302
    assert Review.objects.get().decided_by.username == "user-reviewer"


def test_only_exporters_download_registers(client, demo):
    url = reverse("register_exports")
    query = {"kind": "controller", "format": "csv"}
    assert _as(client, None).get(url, query).status_code == 403
    assert _as(client, "viewer").get(url, query).status_code == 403
    assert _as(client, "editor").get(url, query).status_code == 200
    assert _as(client, "reviewer").get(url, query).status_code == 200


def test_decide_needs_a_post_with_a_csrf_token(billing):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    _as(client, "reviewer")
    assert _decide(client, billing).status_code == 403
    assert not Review.objects.exists()
