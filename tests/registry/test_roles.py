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
        "Review and analysis": ["Findings", "Review", "Where data goes", "Diagram", "As of",
                                "Tables"],
    }  # fmt: skip
    client.force_login(make_user("editor", role="editor"))
    assert _navigation(client)["Registers and administration"] == ["Registers", "Import", "Export"]
    client.force_login(make_user("reviewer", role="reviewer"))
    assert _navigation(client)["Registers and administration"] == ["Registers", "Export"]
    client.force_login(make_user("root", role="admin", is_staff=True))
    assert _navigation(client)["Registers and administration"] == [
        "Registers", "Import", "Export", "Admin"
    ]  # fmt: skip


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


# --- giving a role: role_grant, grant_role, the user admin ---------------------------------


def _groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


@pytest.mark.parametrize("role", ["viewer", "editor", "reviewer", "admin"])
def test_granting_a_role_gives_its_group_alone_and_admin_opens_only_for_the_admin(client, role):
    from django.contrib.auth.models import Group

    from registry.roles import role_grant

    user = make_user("someone", role="viewer" if role != "viewer" else "editor")
    user.groups.add(Group.objects.create(name="newsletter"))  # not a role: it stays
    role_grant(user=user, role=role)
    user.refresh_from_db()
    assert _groups(user) == {role, "newsletter"}
    assert user.is_staff == (role == "admin")
    client.force_login(user)
    response = client.get("/admin/")
    if role == "admin":
        assert response.status_code == 200 and "Site administration" in response.content.decode()
    else:
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_role_other_than_admin_takes_staff_status_away_but_a_superuser_keeps_it():
    from registry.roles import role_grant, role_revoke

    staff = make_user("was-admin", role="admin", is_staff=True)
    role_grant(user=staff, role="editor")
    staff.refresh_from_db()
    assert not staff.is_staff and _groups(staff) == {"editor"}
    root = make_user("root", is_superuser=True, is_staff=True)
    role_grant(user=root, role="viewer")
    role_revoke(user=root)
    root.refresh_from_db()
    assert root.is_staff and _groups(root) == set()


def test_revoking_the_admin_role_closes_the_admin(client):
    from registry.roles import role_grant, role_revoke

    user = make_user("alice")
    role_grant(user=user, role="admin")
    role_revoke(user=user)
    user.refresh_from_db()
    assert not user.is_staff and _groups(user) == set()


def test_an_unknown_role_is_refused_with_the_list_of_roles():
    from registry.roles import UnknownRole, role_grant

    user = make_user("alice", role="viewer")
    with pytest.raises(UnknownRole, match="the roles are viewer, editor, reviewer, admin"):
        role_grant(user=user, role="boss")
    assert _groups(user) == {"viewer"}


def test_grant_role_says_what_the_user_now_is():
    from io import StringIO

    from django.core.management import call_command

    user = make_user("alice", role="viewer")
    out = StringIO()
    call_command("grant_role", "alice", "Admin", stdout=out)
    assert out.getvalue().strip() == "'alice' is now admin; opens /admin/."
    out = StringIO()
    call_command("grant_role", "alice", "reviewer", stdout=out)
    assert out.getvalue().strip() == "'alice' is now reviewer; does not open /admin/ (admins only)."
    user.refresh_from_db()
    assert _groups(user) == {"reviewer"} and not user.is_staff
    out = StringIO()
    call_command("grant_role", "alice", "none", stdout=out)
    assert out.getvalue().strip() == "'alice' has no role now."
    assert _groups(user) == set()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("nobody", "editor"), "There is no user 'nobody'; create one with"),
        (
            ("alice", "boss"),
            "There is no role 'boss'; the roles are viewer, editor, reviewer, admin.",
        ),
    ],
)
def test_grant_role_refuses_an_unknown_user_or_role_in_one_line(arguments, message):
    from django.core.management import CommandError, call_command

    make_user("alice", role="viewer")
    with pytest.raises(CommandError) as error:
        call_command("grant_role", *arguments)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def _user_form(user, groups) -> dict:
    joined = user.date_joined
    return {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [g.pk for g in groups],
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }


def test_the_user_admin_grants_staff_with_the_admin_group_and_takes_it_away_without(client):
    from django.contrib.auth.models import Group

    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    alice = make_user("alice", role="editor")
    url = reverse("admin:auth_user_change", args=[alice.pk])
    admin_group = Group.objects.get(name="admin")
    response = client.post(url, _user_form(alice, [admin_group]))
    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert alice.is_staff and _groups(alice) == {"admin"}

    client.post(url, _user_form(alice, [Group.objects.get(name="viewer")]))
    alice.refresh_from_db()
    assert not alice.is_staff and _groups(alice) == {"viewer"}


def test_the_user_admin_refuses_two_roles_at_once(client):
    from django.contrib.auth.models import Group

    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    alice = make_user("alice", role="viewer")
    both = Group.objects.filter(name__in=["editor", "admin"])
    response = client.post(reverse("admin:auth_user_change", args=[alice.pk]),
                           _user_form(alice, both))  # fmt: skip
    assert response.status_code == 200
    assert "A user has one role; choose one of admin, editor" in response.content.decode()
    alice.refresh_from_db()
    assert _groups(alice) == {"viewer"} and not alice.is_staff


def test_the_demo_has_one_login_per_role_and_only_the_admins_open_the_admin(client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_demo_user", stdout=out)
    printed = out.getvalue()
    logins = {
        "viewer": "voipx-read-2015",
        "editor": "voipx-edit-2015",
        "reviewer": "voipx-review-2015",
        "admin": "voipx-admin-2015",
        "demo": "voipx-demo-2015",
    }
    for name, password in logins.items():
        assert f"{name} " in printed and f"password '{password}'" in printed
        client.logout()
        response = client.post(reverse("login"), {"username": name, "password": password})
        assert response.status_code == 302, name
        assert client.get(reverse("party_list")).status_code == 200
        opens = client.get("/admin/").status_code == 200
        assert opens == (name in ("admin", "demo")), name
    call_command("create_demo_user", stdout=StringIO())  # again: reset, not duplicated
    from django.contrib.auth.models import User

    assert User.objects.filter(username__in=logins).count() == 5
    assert set(User.objects.get(username="demo").groups.values_list("name", flat=True)) == {"admin"}
