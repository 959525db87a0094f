"""The headers every page carries: a strict Content-Security-Policy with nothing inline to
allow, a Permissions-Policy, no caching of what a logged-in user sees; and the HTTPS redirect
that a forged proxy header cannot skip."""

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from flows.diagrams import views as diagram_views
from registry.web.headers import NoStoreForUsersMiddleware, permissions_policy

ROOT = Path(__file__).resolve().parents[2]
AUTHENTICATED_PAGES = ["dashboard", "party_list", "register_diagram"]
INLINE = re.compile(r"<style\b|\sstyle\s*=|<script\b(?![^>]*\bsrc\s*=)|\son[a-z]+\s*=", re.I)


@pytest.fixture
def demo(db):
    diagram_views.renders.clear()
    call_command("seed_demo", today=date.today(), stdout=open(os.devnull, "w"))
    yield
    diagram_views.renders.clear()


def _pages(client):
    """The dashboard, a list page, a diagram page (logged in), and the login page."""
    responses = {name: client.get(reverse(name)) for name in AUTHENTICATED_PAGES}
    client.logout()
    responses["login"] = client.get(reverse("login"))
    for name, response in responses.items():
        assert response.status_code == 200, name
    return responses


@pytest.mark.django_db
def test_every_page_has_a_strict_content_security_policy(viewer_client, demo):
    for name, response in _pages(viewer_client).items():
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'", name
        assert directives["frame-ancestors"] == "'none'", name
        assert directives["object-src"] == "'none'", name
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, name


@pytest.mark.django_db
def test_no_page_needs_an_inline_script_or_style(viewer_client, demo):
    pages = _pages(viewer_client)
    for name, response in pages.items():
        assert INLINE.findall(response.content.decode()) == [], name
    assert "<svg" in pages["register_diagram"].content.decode()  # drawn, with no inline CSS


def test_no_template_has_an_inline_script_or_style():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in INLINE.finditer(path.read_text())
    ]
    assert found == []


@pytest.mark.django_db
def test_every_page_refuses_the_browser_features_it_does_not_use(viewer_client, demo):
    for name, response in _pages(viewer_client).items():
        policy = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, name


@pytest.mark.django_db
def test_pages_a_logged_in_user_sees_are_never_stored(viewer_client, demo):
    for name, response in _pages(viewer_client).items():
        if name != "login":
            assert response["Cache-Control"] == "no-store", name


@pytest.mark.django_db
def test_a_page_that_sets_its_own_cache_control_keeps_it(viewer):
    request = RequestFactory().get("/")
    request.user = viewer
    own = NoStoreForUsersMiddleware(lambda r: HttpResponse(headers={"Cache-Control": "max-age=60"}))
    plain = NoStoreForUsersMiddleware(lambda r: HttpResponse())
    assert own(request)["Cache-Control"] == "max-age=60"
    assert plain(request)["Cache-Control"] == "no-store"


def test_the_permissions_policy_header_is_written_as_browsers_read_it():
    assert permissions_policy({"usb": [], "camera": [], "fullscreen": ["self"]}) == (
        "camera=(), fullscreen=(self), usb=()"
    )


def _production_get(path: str, behind_proxy: bool, **headers: str) -> str:
    """Status and Location of one request to DEBUG=0 settings, in a fresh process."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x7!" + "k" * 60 + "Q2#z",
        "ALLOWED_HOSTS": "registry.example.org",
        "DJANGO_SETTINGS_MODULE": "registry.settings",
    }
    env.pop("BEHIND_PROXY", None)
    if behind_proxy:
        env["BEHIND_PROXY"] = "1"
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        f"r = Client().get({path!r}, HTTP_HOST='registry.example.org', **{headers!r})\n"
        "print(r.status_code, r.get('Location', ''))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_forged_proxy_header_does_not_skip_the_https_redirect():
    forged = {"HTTP_X_FORWARDED_PROTO": "https"}
    assert _production_get("/", False, **forged) == "301 https://registry.example.org/"


def test_behind_a_proxy_its_https_header_is_believed():
    assert _production_get("/", True) == "301 https://registry.example.org/"
    # Taken for HTTPS: on to the dashboard, which sends a visitor to log in.
    assert _production_get("/", True, HTTP_X_FORWARDED_PROTO="https") == "302 /login/?next=/"
