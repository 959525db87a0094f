"""Log-ins: locked after repeated failures until the cool-off or an admin lifts it; sessions
that end after a working day without a request."""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from registry.web.headers import client_ip
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-x9!long"


def _log_in(client, password: str, url: str = "/login/", **extra):
    return client.post(url, {"username": "alice", "password": password}, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_defaults_are_five_failures_and_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=30)


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in(client):
    make_user("alice", role="viewer")
    for _ in range(30):
        _log_in(client, "wrong-guess")
    response = _log_in(client, PASSWORD)
    assert not _logged_in(client)
    assert response.status_code == 429
    assert client.get(reverse("dashboard")).status_code == 302  # still to the login page


def test_the_lockout_page_says_what_happened_and_when_to_try_again(client):
    make_user("alice", role="viewer")
    for _ in range(5):
        response = _log_in(client, "wrong-guess")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed log-ins for <strong>alice</strong>" in html
    assert "after 5 wrong passwords" in html
    assert "Try again in 30 minutes" in html
    assert "ask an administrator to unlock your account" in html
    assert 'href="/static/registry/site.css"' in html  # the site's page, not a bare error


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client):
    make_user("alice", role="viewer")
    for _ in range(4):
        assert _log_in(client, "wrong-guess").status_code == 200
    assert _log_in(client, PASSWORD).status_code == 302
    assert _logged_in(client)


def test_the_admin_login_is_throttled_too(client):
    make_user("alice", is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")
    for _ in range(5):
        _log_in(client, "wrong-guess", url=admin_login)
    response = _log_in(client, PASSWORD, url=admin_login)
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert not _logged_in(client)


def test_the_lockout_is_for_that_user_from_that_address(client):
    make_user("alice", role="viewer")
    for _ in range(5):
        _log_in(client, "wrong-guess")
    assert _log_in(client, PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_reset_command_lets_the_user_in(client):
    make_user("alice", role="viewer")
    for _ in range(30):
        _log_in(client, "wrong-guess")
    call_command("axes_reset_username", "alice", stdout=StringIO())
    assert _log_in(client, PASSWORD).status_code == 302
    assert _logged_in(client)


def test_an_admin_deleting_the_access_attempt_lets_the_user_in(client):
    make_user("alice", role="viewer")
    for _ in range(30):
        _log_in(client, "wrong-guess")
    attempt = AccessAttempt.objects.get(username="alice")

    admin = Client()
    admin.force_login(make_user("root", is_staff=True, is_superuser=True))
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "alice" in listing.content.decode()
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 302

    assert _log_in(client, PASSWORD).status_code == 302
    assert _logged_in(client)


def test_the_throttle_counts_the_connection_address_unless_behind_a_proxy():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    assert client_ip(request) == "10.0.0.1"  # a forged header changes nothing
    with override_settings(BEHIND_PROXY=True):
        assert client_ip(request) == "203.0.113.7"  # the address the proxy appended


def test_a_session_lasts_eight_idle_hours_by_default():
    assert settings.SESSION_IDLE_SECONDS == 8 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_SECONDS
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_each_request_pushes_the_idle_expiry_back(viewer_client):
    viewer_client.get(reverse("dashboard"))
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(hours=1))
    assert viewer_client.get(reverse("dashboard")).status_code == 200
    expiry = Session.objects.get(pk=session.pk).expire_date
    expected = timezone.now() + timedelta(seconds=settings.SESSION_IDLE_SECONDS)
    assert abs(expiry - expected) < timedelta(minutes=1)
    cookie = viewer_client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_IDLE_SECONDS


def test_a_session_idle_for_longer_is_logged_out(viewer_client):
    assert viewer_client.get(reverse("dashboard")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))  # the idle hours
    response = viewer_client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
