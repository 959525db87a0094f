"""Shared steps for the onboarding tests: start one, answer every step, submit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.urls import reverse

from registry.onboarding.links import onboarding_token
from registry.onboarding.models import Onboarding
from registry.onboarding.services import onboarding_start
from tests.factories import make_own_party, make_user

START = {
    "name": "Acme Call Analytics",
    "country": "IN",
    "contact_email": "privacy@acme-analytics.example",
    "service": "Call quality analytics",
    "categories": ["user.contact.email", "user.name"],
    "purposes": ["analytics.reporting"],
    "lawful_basis": "legitimate_interests",
    "valid_days": "14",
    "senders": ["voipx"],
}
ATTESTATION = {"name": "Priya Rao", "role": "Head of compliance", "confirm": "on"}
"""What the vendor types on the review page to attest its answers and submit."""


def step_answers(**overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {
        "identity": {
            "legal_name": "Acme Call Analytics Pvt Ltd",
            "country": "IN",
            "website": "https://acme-analytics.example",
            "contact_name": "Priya Rao",
            "contact_email": "priya@acme-analytics.example",
            "dpo_name": "Dev Mehta",
            "dpo_email": "dpo@acme-analytics.example",
        },
        "services": {
            "services": "We analyse call quality.",
            "purposes": ["analytics.reporting"],
        },
        "categories": {"categories": ["user.contact.email", "user.name"]},
        "countries": {"processing_countries": ["IN"]},
        "subprocessors": {
            "sub-TOTAL_FORMS": "1",
            "sub-INITIAL_FORMS": "0",
            "sub-0-name": "Cloudy Hosting",
            "sub-0-country": "SG",
            "sub-0-service": "Hosting",
            "sub-0-categories": ["user.contact.email"],
        },
        "certifications": {"pci_attested_on": "", "dpf_certified_until": ""},
        "agreements": {
            "dpa": "signed",
            "dpa_signed_on": (date.today() - timedelta(days=3)).isoformat(),
            "scc_module": "",
            "doc-kind": "dpa",
        },
    }
    for step, values in overrides.items():
        answers[step] = {**answers[step], **values}
    return answers


def start(editor=None, **fields: Any) -> Onboarding:
    from registry.models import Party

    if not Party.objects.filter(relationship="own").exists():
        make_own_party("voipx", country="US")
    editor = editor or make_user("analyst", role="editor")
    values = {**START, "valid_days": 14, **fields}
    return onboarding_start(started_by=editor, **values)


def link_url(onboarding: Onboarding) -> str:
    """The personal link, as e-mailed to the vendor."""
    return reverse("onboarding_vendor_link", args=[onboarding_token(onboarding)])


def open_link(client, onboarding: Onboarding) -> None:
    """Follow the link as the vendor does: it opens a session and leaves the token behind."""
    response = client.get(link_url(onboarding))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == home_url()


def home_url() -> str:
    return reverse("onboarding_vendor_home")


def submit_url() -> str:
    return reverse("onboarding_vendor_submit")


def step_url(step: str) -> str:
    return reverse("onboarding_vendor_step", args=[step])


def answer_every_step(client, onboarding: Onboarding, **overrides: dict[str, Any]) -> None:
    open_link(client, onboarding)
    for step, data in step_answers(**overrides).items():
        response = client.post(step_url(step), {**data, "action": "next"})
        assert response.status_code == 302, (step, response.content.decode()[:3000])
