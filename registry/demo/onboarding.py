"""The demo's onboardings: one vendor mid-way through its form, one waiting for review.

Called at the end of `seed_demo`; idempotent: an onboarding that exists is left as it is
(its vendor may have moved on since), so re-seeding never resubmits or duplicates anything.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from registry.onboarding.models import Onboarding
from registry.onboarding.services import Attestation, onboarding_start, onboarding_submit

DEMO_ANALYST = "privacy-ops-demo"


def _analyst() -> Any:
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_ANALYST, defaults={"first_name": "Privacy", "last_name": "Operations"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _as_data(values: dict[str, Any]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in values.items()}


def _mid_onboarding(analyst: Any) -> None:
    if Onboarding.objects.filter(party__slug="parla-transcribe").exists():
        return
    onboarding = onboarding_start(
        started_by=analyst,
        name="Parla Transcribe",
        country="IT",
        contact_email="privacy@parla-transcribe.example",
        service="Voicemail transcription",
        categories=["user.biometric.voice", "user.contact.phone_number"],
        purposes=["essential.service"],
        lawful_basis="contract",
        valid_days=14,
    )
    onboarding.answers = {
        "identity": _as_data(
            {
                "legal_name": "Parla Transcribe S.r.l.",
                "country": "IT",
                "website": "https://parla-transcribe.example",
                "contact_name": "Giulia Conti",
                "contact_email": "giulia@parla-transcribe.example",
                "dpo_name": "Marco Ferri",
                "dpo_email": "dpo@parla-transcribe.example",
            }
        ),
        "services": _as_data(
            {
                "services": "Speech-to-text of voicemail messages.",
                "purposes": ["essential.service"],
            }
        ),
    }
    onboarding.save(update_fields=["answers", "updated_at"])


def _awaiting_review(analyst: Any, today: date) -> None:
    if Onboarding.objects.filter(party__slug="bharat-dialer-support").exists():
        return
    # The vendor's form checks its dates against the real day (no signature in the future).
    today = min(today, date.today())
    onboarding = onboarding_start(
        started_by=analyst,
        name="Bharat Dialer Support",
        country="IN",
        contact_email="compliance@bharat-dialer.example",
        service="Second-line customer support",
        categories=["user.name", "user.contact.phone_number", "user.account"],
        purposes=["essential.service.operations.support"],
        lawful_basis="contract",
        valid_days=21,
        # The Irish affiliate's European customers are supported too: the EU -> India
        # transfer is what the reviewer must see predicted.
        senders=["voipx", "voipx-ireland"],
    )
    onboarding.answers = {
        "identity": _as_data(
            {
                "legal_name": "Bharat Dialer Support Pvt Ltd",
                "country": "IN",
                "website": "https://bharat-dialer.example",
                "contact_name": "Anil Kumar",
                "contact_email": "anil@bharat-dialer.example",
                "dpo_name": "Sara Iyer",
                "dpo_email": "dpo@bharat-dialer.example",
            }
        ),
        "services": _as_data(
            {
                "services": "Phone and e-mail support for VoIPX customers, 24/7.",
                "purposes": ["essential.service.operations.support"],
            }
        ),
        "categories": _as_data(
            {"categories": ["user.name", "user.contact.phone_number", "user.account"]}
        ),
        "countries": _as_data({"processing_countries": ["IN", "PH"]}),
        "subprocessors": _as_data(
            {
                "sub-TOTAL_FORMS": "1",
                "sub-INITIAL_FORMS": "0",
                "sub-0-name": "Manila Overflow Desk",
                "sub-0-country": "PH",
                "sub-0-processing_countries": ["PH"],
                "sub-0-service": "Overflow call handling",
                "sub-0-categories": ["user.name", "user.contact.phone_number"],
                # No written agreement with it: the reviewer sees what that predicts.
                "sub-0-agreement": "none",
            }
        ),
        "certifications": _as_data(
            {"iso27001": "on", "iso27001_until": (today + timedelta(days=400)).isoformat()}
        ),
        "agreements": _as_data(
            {
                "dpa": "signed",
                "dpa_signed_on": (today - timedelta(days=10)).isoformat(),
                "scc_module": "",
            }
        ),
    }
    onboarding.save(update_fields=["answers", "updated_at"])
    onboarding_submit(
        onboarding=onboarding, attestation=Attestation(name="Anil Kumar", role="Head of compliance")
    )


def seed_onboarding_demo(today: date) -> None:
    analyst = _analyst()
    _mid_onboarding(analyst)
    _awaiting_review(analyst, today)
