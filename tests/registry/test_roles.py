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
