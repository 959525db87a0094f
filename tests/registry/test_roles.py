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
