"""The people and the register the security tests use.

The register's free-text fields hold hostile strings, so that every page these tests open
also shows whether it escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from flows.findings import findings_as_of
from tests.factories import make_agreement, make_flow, make_own_party, make_party, make_user
from tests.registry.publication_helpers import publish

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://x")'
TEMPLATE = "{{7*7}}"
HOSTILE = (SCRIPT, ATTRIBUTE, FORMULA, TEMPLATE)
MARKUP = (SCRIPT, ATTRIBUTE, "<img src=x")
"""What must never reach a page unescaped."""

PERSONAS = ("anonymous", "outsider", "viewer", "editor", "reviewer", "admin")


def hostile(text: str) -> str:
    """All the hostile strings around `text`, so every field carries every attack."""
    return f"{FORMULA} {text} {SCRIPT} {ATTRIBUTE} {TEMPLATE}"


@dataclass(frozen=True)
class World:
    """What the pages show: real slugs and ids to put in their addresses."""

    party: str
    agreement: str
    flow: int
    rule: str
    finding_flow: int


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Six people a test: hashing their passwords properly would be most of its time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    own = make_own_party(name=hostile("Acme"), legal_name=hostile("Acme Ltd"))
    vendor = make_party(
        "vendor",
        name=FORMULA,
        legal_name=hostile("Vendor Inc"),
        notes=hostile("notes"),
        status="approved",
        country="US",
    )
    bare = make_party("bare-vendor", name=hostile("Bare"), status="approved", country="DE")
    agreement = make_agreement(
        [own, vendor], reference="dpa-vendor", title=hostile("DPA"), notes=hostile("notes")
    )
    flow = make_flow(own, vendor, reference="flow-vendor", description=hostile("description"))
    make_flow(own, bare, reference="flow-bare", description=hostile("unbound"))
    # On the public list, the way parties get there: a reviewer's publication in effect.
    publish(vendor)
    publish(bare)
    _, findings = findings_as_of(date.today())
    finding = next(f for f in findings if f.flow is not None)
    return World(
        party=vendor.slug,
        agreement=agreement.reference,
        flow=flow.pk,
        rule=finding.rule,
        finding_flow=finding.flow or 0,
    )


@pytest.fixture
def personas(db) -> dict[str, object]:
    """The logged-in people, by persona; anonymous is None. The admin may use the admin."""
    people: dict[str, object] = {"anonymous": None, "outsider": make_user("outsider")}
    for role in ("viewer", "editor", "reviewer"):
        people[role] = make_user(role, role=role)
    people["admin"] = make_user("admin", role="admin", is_staff=True)
    return people
