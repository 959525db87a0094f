"""The vendor's link, uploads, CSRF and roles: what the onboarding lets through and what not."""

from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry.onboarding.forms import STEP_NAMES
from registry.onboarding.links import onboarding_token
from registry.onboarding.models import Onboarding, OnboardingDocument
from registry.onboarding.services import onboarding_revoke
from tests.factories import make_user
from tests.registry.onboarding.onboarding_helpers import (
    ATTESTATION,
    START,
    answer_every_step,
    home_url,
    link_url,
    open_link,
    start,
    step_url,
    submit_url,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _link(token: str) -> str:
    return reverse("onboarding_vendor_link", args=[token])


def test_the_link_opens_its_own_onboarding_and_no_other(client):
    first = start()
    second = start(name="Other Vendor", editor=make_user("analyst2", role="editor"))
    page = client.get(_link(onboarding_token(first)), follow=True).content.decode()
    assert "Acme Call Analytics" in page
    assert "Other Vendor" not in page
    assert second.party.name not in page


def test_the_link_gives_no_access_to_staff_pages_or_documents(client):
    onboarding = start()
    open_link(client, onboarding)
    for url in [
        reverse("onboarding_detail", args=[onboarding.pk]),
        reverse("onboarding_list"),
        reverse("party_list"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_altered_link_gets_a_clear_page_with_no_data(client):
    onboarding = start()
    token = onboarding_token(onboarding)
    for bad in [token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", "x:y:z"]:
        response = client.get(_link(bad))
        page = response.content.decode()
        assert response.status_code == 403
        assert "This link is not valid" in page
        assert "Acme" not in page
    assert client.get(home_url()).status_code == 403  # and no session was opened


def test_a_link_signed_for_another_purpose_is_refused(client):
    from django.core import signing

    onboarding = start()
    forged = signing.dumps({"o": onboarding.pk, "n": onboarding.link_nonce})  # no salt
    assert client.get(_link(forged)).status_code == 403


def test_an_expired_link_gets_a_clear_page(client):
    onboarding = start()
    open_link(client, onboarding)
    Onboarding.objects.filter(pk=onboarding.pk).update(
        link_expires_at=timezone.now() - timedelta(minutes=1)
    )
    for response in [client.get(home_url()), client.get(link_url(onboarding))]:
        assert response.status_code == 410
        assert "This link has expired." in response.content.decode()
        assert "Acme" not in response.content.decode()
    post = client.post(step_url("identity"), {"legal_name": "X"})
    assert post.status_code == 410


def test_a_revoked_link_gets_a_clear_page(client):
    onboarding = start()
    token = onboarding_token(onboarding)
    open_link(client, onboarding)
    onboarding_revoke(onboarding=onboarding, actor=onboarding.started_by)
    for response in [client.get(step_url("identity")), client.get(_link(token))]:
        assert response.status_code == 403
        assert "withdrawn" in response.content.decode()


def test_a_link_reused_after_submit_gets_a_clear_page(client):
    onboarding = start()
    answer_every_step(client, onboarding)
    client.post(submit_url(), ATTESTATION)
    for response in [
        client.get(link_url(onboarding)),
        client.get(home_url()),
        client.post(step_url("identity"), {"legal_name": "Changed", "action": "next"}),
        client.post(submit_url(), ATTESTATION),
    ]:
        assert response.status_code == 410
        assert "submitted and is waiting for review" in response.content.decode()
    onboarding.refresh_from_db()
    assert onboarding.answers["identity"]["legal_name"] == ["Acme Call Analytics Pvt Ltd"]


def _upload(client, name, content, content_type="application/pdf"):
    data = {
        "dpa": "offered",
        "doc-kind": "dpa",
        "doc-file": SimpleUploadedFile(name, content, content_type=content_type),
        "action": "next",
    }
    return client.post(step_url("agreements"), data)


def test_a_pdf_is_uploaded_outside_the_static_root(client, settings):
    onboarding = start()
    open_link(client, onboarding)
    response = _upload(client, "dpa.pdf", PDF)
    assert response.status_code == 302
    document = OnboardingDocument.objects.get()
    path = Path(document.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.STATIC_ROOT))
    assert not str(settings.MEDIA_URL).startswith(str(settings.STATIC_URL))


def test_an_upload_of_the_wrong_type_is_refused(client):
    onboarding = start()
    open_link(client, onboarding)
    for name, content in [("run.exe", b"MZ..."), ("fake.pdf", b"<html>not a pdf</html>")]:
        response = _upload(client, name, content)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Upload a PDF, PNG or JPEG file." in page or "not a real PDF" in page
    assert not OnboardingDocument.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(client, settings):
    settings.ONBOARDING_UPLOAD_MAX_BYTES = 1024
    onboarding = start()
    open_link(client, onboarding)
    response = _upload(client, "big.pdf", PDF + b"0" * 2048)
    assert response.status_code == 200
    assert "the limit is 1 KB" in response.content.decode()
    assert not OnboardingDocument.objects.exists()


def test_documents_are_served_only_to_users_with_permission(client):
    onboarding = start()
    open_link(client, onboarding)
    _upload(client, "dpa.pdf", PDF)
    url = reverse("onboarding_document", args=[OnboardingDocument.objects.get().pk])
    assert client.get(url).status_code == 302  # the vendor, anonymous: to the login page
    client.force_login(make_user("nobody"))
    assert client.get(url).status_code == 403
    client.force_login(make_user("reader", role="viewer"))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_every_vendor_form_needs_a_csrf_token():
    onboarding = start()
    client = Client(enforce_csrf_checks=True)
    open_link(client, onboarding)
    for step in STEP_NAMES:
        assert client.post(step_url(step), {"action": "save"}).status_code == 403
    assert client.post(submit_url(), ATTESTATION).status_code == 403
    page = client.get(step_url("identity")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_every_staff_form_needs_a_csrf_token():
    onboarding = start()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("boss", role="admin", is_superuser=True))
    assert client.post(reverse("onboarding_start"), START).status_code == 403
    for name in ["onboarding_revoke", "onboarding_decide"]:
        url = reverse(name, args=[onboarding.pk])
        assert client.post(url, {"decision": "approve"}).status_code == 403


@pytest.mark.parametrize("role", [None, "viewer", "reviewer"])
def test_only_editors_start_onboardings(client, role):
    client.force_login(make_user("someone", role=role))
    assert client.get(reverse("onboarding_start")).status_code == 403
    assert client.post(reverse("onboarding_start"), START).status_code == 403
    assert not Onboarding.objects.exists()


@pytest.mark.parametrize("role", [None, "viewer", "editor"])
def test_only_reviewers_decide(client, role):
    onboarding = start()
    answer_every_step(client, onboarding)
    client.post(submit_url(), ATTESTATION)
    client.force_login(make_user("someone", role=role))
    url = reverse("onboarding_decide", args=[onboarding.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 403
    onboarding.refresh_from_db()
    assert onboarding.state == "submitted"


def test_outsiders_cannot_see_onboardings(client, outsider):
    onboarding = start()
    client.force_login(outsider)
    assert client.get(reverse("onboarding_list")).status_code == 403
    assert client.get(reverse("onboarding_detail", args=[onboarding.pk])).status_code == 403


class _Inputs(HTMLParser):
    """Collects form controls and the ids that labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if tag == "label" and attributes.get("for"):
            self.labelled.add(attributes["for"])
        if tag in ("input", "select", "textarea") and attributes.get("type") not in (
            "hidden",
            "submit",
        ):
            self.controls.append(attributes)


def _controls(page: str) -> tuple[int, list[str]]:
    """How many form controls the page has, and the names of those no label points at."""
    parser = _Inputs()
    parser.feed(page)
    unlabelled = [
        c.get("name", "?")
        for c in parser.controls
        if c.get("id", "") not in parser.labelled and not c.get("aria-label")
    ]
    return len(parser.controls), unlabelled


def test_every_input_of_every_vendor_step_has_a_label(client):
    onboarding = start()
    open_link(client, onboarding)
    data = {"sub-TOTAL_FORMS": "0", "sub-INITIAL_FORMS": "0", "action": "add_row"}
    pages = [client.get(step_url(step)).content.decode() for step in STEP_NAMES]
    pages.append(client.post(step_url("subprocessors"), data).content.decode())
    seen = 0
    for page in pages:
        count, unlabelled = _controls(page)
        assert unlabelled == []
        seen += count
    assert seen > 100  # the category checkboxes and every field were checked


def test_every_input_of_the_staff_pages_has_a_label(client):
    onboarding = start()
    answer_every_step(client, onboarding)
    client.post(submit_url(), ATTESTATION)
    client.force_login(make_user("boss", role="admin", is_superuser=True))
    for url in [reverse("onboarding_start"), reverse("onboarding_detail", args=[onboarding.pk])]:
        count, unlabelled = _controls(client.get(url).content.decode())
        assert count and unlabelled == []
