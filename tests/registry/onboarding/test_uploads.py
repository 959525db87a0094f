"""Limits on what one onboarding may upload, refusals shown whichever button was pressed,
and a document whose file is gone."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.onboarding.models import OnboardingDocument
from tests.factories import make_user
from tests.registry.onboarding.onboarding_helpers import open_link, start, step_url

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _upload(client, name="dpa.pdf", content=PDF, action="next"):
    data = {
        "dpa": "offered",
        "doc-kind": "dpa",
        "doc-file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        "action": action,
    }
    return client.post(step_url("agreements"), data)


def test_an_onboarding_holds_at_most_the_configured_number_of_documents(client, settings):
    settings.ONBOARDING_MAX_DOCUMENTS = 2
    open_link(client, start())
    assert _upload(client, "one.pdf").status_code == 302
    assert _upload(client, "two.pdf").status_code == 302
    response = _upload(client, "three.pdf")
    assert response.status_code == 200
    assert "already holds 2 documents, the most it can hold" in response.content.decode()
    assert list(OnboardingDocument.objects.values_list("original_name", flat=True)) == [
        "one.pdf",
        "two.pdf",
    ]


def test_an_onboarding_holds_at_most_the_configured_total_size(client, settings):
    settings.ONBOARDING_MAX_UPLOAD_BYTES = len(PDF) * 2 - 1
    open_link(client, start())
    assert _upload(client, "one.pdf").status_code == 302
    response = _upload(client, "two.pdf")
    page = response.content.decode()
    assert response.status_code == 200
    assert "would total" in page and "the limit is" in page
    assert OnboardingDocument.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ...", "Upload a PDF, PNG or JPEG file."),
        ("second.pdf", PDF, "already holds 1 documents"),
    ],
)
def test_a_refused_upload_is_shown_when_the_draft_is_saved(
    client, settings, name, content, message
):
    settings.ONBOARDING_MAX_DOCUMENTS = 1
    onboarding = start()
    open_link(client, onboarding)
    _upload(client, "first.pdf")
    response = _upload(client, name, content, action="save")
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "the document was not uploaded" in page
    assert "Draft saved." not in page
    onboarding.refresh_from_db()
    assert onboarding.answers["agreements"]["dpa"] == ["offered"]  # the draft itself is kept
    assert OnboardingDocument.objects.count() == 1


def test_a_document_whose_file_is_gone_answers_404_with_a_message(client):
    open_link(client, start())
    _upload(client)
    document = OnboardingDocument.objects.get()
    Path(document.file.path).unlink()
    client.force_login(make_user("reader", role="viewer"))
    response = client.get(reverse("onboarding_document", args=[document.pk]))
    assert response.status_code == 404
    assert "dpa.pdf" in response.content.decode()
    assert "no longer in storage" in response.content.decode()


def test_the_limits_are_read_from_the_environment():
    code = (
        "import registry.settings as s;"
        "print(s.ONBOARDING_MAX_DOCUMENTS, s.ONBOARDING_MAX_UPLOAD_BYTES)"
    )
    env = {**os.environ, "ONBOARDING_MAX_DOCUMENTS": "3", "ONBOARDING_MAX_UPLOAD_BYTES": "999"}
    shown = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["3", "999"]
    env.pop("ONBOARDING_MAX_DOCUMENTS")
    env.pop("ONBOARDING_MAX_UPLOAD_BYTES")
    shown = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["10", str(25 * 1024 * 1024)]
