"""Who may open what: every named address x every persona x GET (and POST where it writes).

The table ACCESS says what each address needs; the test fails for an address missing from
it, so a new page has to be classified before it ships.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from django.test import Client

from tests.security.conftest import PERSONAS, World
from tests.security.urlconf import Route, named_routes

pytestmark = pytest.mark.django_db

PUBLIC = "public"
VIEWER = "viewer"
EDITOR = "editor"
REVIEWER = "reviewer"
EXPORTER = "exporter"
STAFF = "staff"
LINK = "vendor link"
"""No login: the link in the vendor's e-mail is the credential; without one, a refusal."""
LOGOUT = "logout"
"""Anyone may log out, even twice; where it sends you is the view's choice."""
NOT_ALLOWED = "405"
"""The method is refused whoever asks (the view takes POST only, or GET only)."""

ALLOWED: dict[str, set[str]] = {
    PUBLIC: set(PERSONAS),
    VIEWER: {"viewer", "editor", "reviewer", "admin"},
    EDITOR: {"editor", "admin"},
    REVIEWER: {"reviewer", "admin"},
    EXPORTER: {"editor", "reviewer", "admin"},
    STAFF: {"admin"},
}


class Access(NamedTuple):
    get: str
    post: str | None = None
    """None: the view does not write, POST is not tried."""


ACCESS: dict[str, Access] = {
    "dashboard": Access(VIEWER),
    "party_list": Access(VIEWER),
    "party_detail": Access(VIEWER),
    "agreement_list": Access(VIEWER),
    "agreement_detail": Access(VIEWER),
    "agreement_document": Access(VIEWER),
    "flow_list": Access(VIEWER),
    "flow_detail": Access(VIEWER),
    "where_data_goes": Access(VIEWER),
    "finding_list": Access(VIEWER),
    "finding_detail": Access(VIEWER),
    "review_queue": Access(VIEWER),
    "review_detail": Access(VIEWER),
    "review_decide": Access(NOT_ALLOWED, post=REVIEWER),
    "review_bulk": Access(NOT_ALLOWED, post=REVIEWER),
    "review_confirm": Access(NOT_ALLOWED, post=REVIEWER),
    "register_diagram": Access(VIEWER),
    "diagram_download": Access(VIEWER),
    "register_exports": Access(EXPORTER),
    "register_as_of": Access(VIEWER),
    "party_history": Access(VIEWER),
    "agreement_history": Access(VIEWER),
    "flow_history": Access(VIEWER),
    "job_list": Access(VIEWER),
    "job_detail": Access(VIEWER),
    "job_result": Access(VIEWER),
    "onboarding_list": Access(VIEWER),
    "onboarding_start": Access(EDITOR, post=EDITOR),
    "onboarding_detail": Access(VIEWER),
    "onboarding_revoke": Access(NOT_ALLOWED, post=EDITOR),
    "onboarding_reissue": Access(NOT_ALLOWED, post=EDITOR),
    "onboarding_decide": Access(NOT_ALLOWED, post=REVIEWER),
    "onboarding_document": Access(VIEWER),
    "onboarding_vendor_link": Access(LINK),
    "onboarding_vendor_home": Access(LINK),
    "onboarding_vendor_review": Access(LINK),
    "onboarding_vendor_step": Access(LINK, post=LINK),
    "onboarding_vendor_submit": Access(NOT_ALLOWED, post=LINK),
    # Imports and exports in the product: editors import, editors and reviewers export.
    "import_upload": Access(EDITOR, post=EDITOR),
    "import_preview": Access(EDITOR, post=EDITOR),
    "import_discard": Access(NOT_ALLOWED, post=EDITOR),
    "export_records": Access(EXPORTER, post=EXPORTER),
    # The jurisdiction tables: everyone reads, reviewers change.
    "table_index": Access(VIEWER),
    "table_list": Access(VIEWER),
    "table_add": Access(REVIEWER, post=REVIEWER),
    "table_entry": Access(VIEWER, post=REVIEWER),
    "table_delete": Access(NOT_ALLOWED, post=REVIEWER),
    # The edit pages: editors (and admins) add, change and end records; everyone searches.
    "party_new": Access(EDITOR, post=EDITOR),
    "party_search": Access(VIEWER),
    "party_edit": Access(EDITOR, post=EDITOR),
    "party_offboard": Access(EDITOR, post=EDITOR),
    "agreement_new": Access(EDITOR, post=EDITOR),
    "agreement_edit": Access(EDITOR, post=EDITOR),
    "engagement_new": Access(EDITOR, post=EDITOR),
    "engagement_edit": Access(EDITOR, post=EDITOR),
    "engagement_end": Access(EDITOR, post=EDITOR),
    "agreement_terminate": Access(EDITOR, post=EDITOR),
    "flow_new": Access(EDITOR, post=EDITOR),
    "flow_edit": Access(EDITOR, post=EDITOR),
    "flow_end": Access(EDITOR, post=EDITOR),
    # The public list: anyone reads it; reviewers decide who reaches it.
    "subprocessors": Access(PUBLIC),
    "subprocessor_decisions": Access(REVIEWER, post=REVIEWER),
    "subprocessor_feed": Access(PUBLIC),
    "login": Access(PUBLIC),
    "logout": Access(NOT_ALLOWED, post=LOGOUT),
    # The admin site guards its own pages: staff only, then each model's permissions (the
    # admin role has none on the login-attempt logs, nobody adds a review by hand).
    "admin:login": Access(PUBLIC),
    "admin:logout": Access(LOGOUT),
    "admin:": Access(STAFF),
}

ROUTES = named_routes()


def access_of(name: str) -> Access | None:
    if name in ACCESS:
        return ACCESS[name]
    if name.startswith("admin:"):
        return ACCESS["admin:"]
    return None


def test_every_named_address_is_classified():
    missing = [r.name for r in ROUTES if access_of(r.name) is None]
    assert not missing, f"Classify these addresses in ACCESS: {missing}"


def test_the_table_names_no_address_that_is_gone():
    names = {r.name for r in ROUTES}
    assert not [n for n in ACCESS if n != "admin:" and n not in names]


def _path(route: Route, world: World) -> str:
    values = {
        "slug": world.party,
        "reference": world.agreement,
        "pk": str(world.flow) if route.name == "flow_detail" else "1",
        "rule": world.rule,
        "flow_id": str(world.finding_flow),
        "fmt": "svg",
        "token": "not-a-token",
        "step": "company",
        "app_label": "registry",
        "object_id": "1",
        "id": "1",
        "content_type_id": "1",
        "table": "adequacy",
    }
    return route.path({p.name: values.get(p.name, "1") for p in route.parameters})


def _login_page(route: Route) -> str:
    return "/admin/login/" if route.name.startswith("admin:") else "/login/"


def _check(client: Client, method: str, path: str, need: str, persona: str, route: Route):
    response = client.generic(method, path)
    status = response.status_code
    where = f"{method} {path} as {persona}: {status}"
    assert status < 500, where
    if need == NOT_ALLOWED:
        assert status == 405, where
        return
    if need == LOGOUT:
        assert status != 403, where
        return
    sent_to_login = status == 302 and response["Location"].startswith(_login_page(route))
    if need == LINK:
        # Our test has no valid link: the page refuses, whoever is logged in.
        assert not sent_to_login and status in (200, 302, 403, 404, 410), where
        return
    if persona in ALLOWED[need]:
        assert not sent_to_login, where
        assert status != 403 or need == STAFF, where
    elif persona == "anonymous" or need == STAFF:
        assert sent_to_login, where
    else:
        assert status == 403, where


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_persona_gets_what_its_role_allows(route, world, personas):
    access = access_of(route.name)
    if access is None:
        pytest.fail(f"{route.name} is not classified in ACCESS")
    path = _path(route, world)
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        if personas[persona] is not None:
            client.force_login(personas[persona])
        _check(client, "GET", path, access.get, persona, route)
        if access.post is not None:
            _check(client, "POST", path, access.post, persona, route)
