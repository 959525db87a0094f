"""The vendor's personal link, and the session it is exchanged for.

The link is `signing.dumps({"o": pk, "n": nonce})` with a salt used for nothing else. Its
first visit is exchanged for a session scoped to that one onboarding, so the token does not
stay in the address bar, the access logs or the Referer of later pages (GDPR Art. 32(1):
security of processing). Link and session are checked against the database on every
request: the nonce (a revoked link gets a new one), the expiry the analyst chose, and the
state (a submitted onboarding takes no more answers until a reviewer requests changes).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core import signing
from django.utils import timezone

from registry.onboarding.models import Onboarding, OnboardingState

LINK_SALT = "registry.onboarding.vendor-link"
EDITABLE_STATES = (OnboardingState.OPEN, OnboardingState.CHANGES_REQUESTED)


def onboarding_token(onboarding: Onboarding) -> str:
    return signing.dumps({"o": onboarding.pk, "n": onboarding.link_nonce}, salt=LINK_SALT)


class LinkRefused(Exception):
    """The link cannot be used; `reason` is one of the keys of LINK_REASONS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


LINK_REASONS = {
    "altered": "This link is not valid. It may have been copied incompletely or changed.",
    "revoked": "This link has been withdrawn by the company that sent it.",
    "expired": "This link has expired.",
    "submitted": "This form has been submitted and is waiting for review; it cannot be "
    "changed unless the reviewer asks you for changes.",
    "closed": "This onboarding is closed.",
    "no_session": "This page opens only through your personal link. Open the link from "
    "your e-mail again to continue where you left off.",
}


def onboarding_from_token(token: str, *, now: datetime | None = None) -> Onboarding:
    """The onboarding this link opens for editing, or LinkRefused saying why not."""
    try:
        payload = signing.loads(token, salt=LINK_SALT)
        pk, nonce = int(payload["o"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise LinkRefused("altered") from error
    return onboarding_for_vendor(pk=pk, nonce=nonce, now=now)


def onboarding_for_vendor(*, pk: int, nonce: str, now: datetime | None = None) -> Onboarding:
    """The onboarding a vendor's session (opened by its link) may edit, checked again on
    every request exactly as the link is: a revoked link, an expired one or a submitted
    onboarding closes the session too."""
    onboarding = Onboarding.objects.select_related("party").filter(pk=pk).first()
    if onboarding is None:
        raise LinkRefused("altered")
    if onboarding.revoked_at is not None or not secrets.compare_digest(
        nonce, onboarding.link_nonce
    ):
        raise LinkRefused("revoked")
    if onboarding.state == OnboardingState.SUBMITTED:
        raise LinkRefused("submitted")
    if onboarding.state not in EDITABLE_STATES:
        raise LinkRefused("closed")
    if (now or timezone.now()) >= onboarding.link_expires_at:
        raise LinkRefused("expired")
    return onboarding
