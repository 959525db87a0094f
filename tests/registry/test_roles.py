"""One test per permission boundary, with named personas."""

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

READ_PAGES = ["dashboard", "party_list", "agreement_list", "flow_list", "finding_list"]


@pytest.mark.parametrize("name", READ_PAGES)
def test_an_outsider_with_no_role_sees_nothing(client, outsider, name):
    client.force_login(outsider)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "Ask an administrator" in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "editor", "reviewer", "admin"])
def test_every_role_reads_the_register(client, role):
    client.force_login(make_user(role, role=role))
    assert client.get(reverse("party_list")).status_code == 200


def test_roles_hold_the_permissions_of_their_job():
    viewer = make_user("v", role="viewer")
    editor = make_user("e", role="editor")
    reviewer = make_user("r", role="reviewer")
    admin = make_user("a", role="admin")
    assert viewer.has_perm("registry.view_party") and not viewer.has_perm("registry.change_party")
    assert not viewer.has_perm("auth.view_user")
    assert editor.has_perm("registry.change_party") and editor.has_perm("registry.import_records")
    assert not editor.has_perm("flows.review_findings")
    assert reviewer.has_perm("flows.review_findings")
    assert reviewer.has_perm("flows.change_mechanismvalidity")
    assert not reviewer.has_perm("registry.change_party")
    assert admin.has_perm("auth.change_user") and admin.has_perm("flows.review_findings")


def _navigation(client) -> dict[str, list[str]]:
    """The main menu's groups, each with the names of its links."""
    from html.parser import HTMLParser

    class Menu(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.groups: dict[str, list[str]] = {}
            self.group: str | None = None
            self.in_link = False

        def handle_starttag(self, tag, attrs):
            found = dict(attrs)
            if found.get("class") == "navgroup":
                self.group = found["aria-label"]
                self.groups[self.group] = []
            self.in_link = tag == "a" and self.group is not None

        def handle_endtag(self, tag):
            if tag == "span":
                self.group = None
            self.in_link = False

        def handle_data(self, data):
            if self.in_link and self.group is not None and data.strip():
                self.groups[self.group].append(data.strip())

    menu = Menu()
    menu.feed(client.get(reverse("dashboard")).content.decode())
    return menu.groups


def test_the_menu_groups_its_links_and_shows_each_role_only_what_it_may_open(client):
    client.force_login(make_user("viewer", role="viewer"))
    assert _navigation(client) == {
        "The register": ["Dashboard", "Parties", "Agreements", "Flows", "Onboarding"],
        "Review and analysis": ["Findings", "Review", "Where data goes", "Diagram", "As of"],
    }
    client.force_login(make_user("editor", role="editor"))
    assert _navigation(client)["Registers and administration"] == ["Registers"]
    client.force_login(make_user("root", role="admin", is_staff=True))
    assert _navigation(client)["Registers and administration"] == ["Registers", "Admin"]


# --- the roles as registry/roles.py declares them ----------------------------------------


def _held(role: str) -> set:
    from django.contrib.auth.models import Group

    return set(Group.objects.get(name=role).permissions.all())


def test_after_migrate_each_role_has_exactly_the_permissions_roles_declares():
    from django.apps import apps

    from registry.roles import ROLES, declared_permissions

    declared = declared_permissions(apps)
    assert set(declared) == set(ROLES)
    for role in ROLES:
        assert _held(role) == set(declared[role]), role
    admin = {f"{p.content_type.app_label}.{p.codename}" for p in _held("admin")}
    assert {"onboarding.change_onboarding", "registry.view_agreementparty"} <= admin


def test_a_migrate_gives_back_what_a_role_lost():
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from registry.roles import ADMIN, REVIEWER, declared_permissions

    Group.objects.get(name=ADMIN).permissions.clear()
    Group.objects.filter(name=REVIEWER).delete()
    call_command("migrate", verbosity=0)
    declared = declared_permissions(apps)
    assert _held(ADMIN) == set(declared[ADMIN])
    assert _held(REVIEWER) == set(declared[REVIEWER])


def _boundaries_of_the_pages() -> dict[str, str]:
    """Each decorator of registry.web.permissions and the permission it checks."""
    import inspect

    from registry.web import permissions

    found = {}
    for name, decorator in vars(permissions).items():
        if name.endswith("_required") and callable(decorator) and decorator.__closure__:
            found[name] = inspect.getclosurevars(decorator).nonlocals["permission"]
    return found


def test_every_permission_check_of_the_pages_is_declared_for_its_roles():
    from registry.roles import BOUNDARIES
    from registry.web import permissions

    checks = {v for k, v in vars(permissions).items() if k.startswith("CAN_")}
    assert checks == set(BOUNDARIES), "each permission the pages check names its roles"
    pages = _boundaries_of_the_pages()
    assert set(pages) >= {"viewer_required", "editor_required", "reviewer_required",
                          "importer_required", "exporter_required"}  # fmt: skip
    assert set(pages.values()) <= set(BOUNDARIES)


@pytest.mark.parametrize("role", ["viewer", "editor", "reviewer", "admin"])
def test_each_page_check_lets_in_exactly_the_roles_meant_for_it(rf, role):
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponse

    from registry.roles import BOUNDARIES
    from registry.web import permissions

    user = make_user(role, role=role)
    for name, permission in _boundaries_of_the_pages().items():
        view = getattr(permissions, name)(lambda request: HttpResponse("ok"))
        request = rf.get("/")
        request.user = user
        meant = role in BOUNDARIES[permission]
        try:
            passed = view(request).status_code == 200
        except PermissionDenied:
            passed = False
        assert passed == meant, (name, role)
    for permission, roles in BOUNDARIES.items():  # the has_perm calls of pages and services
        assert user.has_perm(permission) == (role in roles), (permission, role)
