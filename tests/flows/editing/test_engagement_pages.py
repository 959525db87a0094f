"""The pages that record, edit and end an engagement of a sub-processor."""

from __future__ import annotations

import re
from datetime import date

import pytest

from registry.models import Engagement
from registry.services import record_version
from tests.factories import make_engagement, make_party

pytestmark = pytest.mark.django_db


def _confirm(client, url, data):
    """The check, then the confirmation with its token, as the page's two buttons do."""
    checked = client.post(url, data)
    assert checked.status_code == 200
    token = re.search(r'name="confirm" value="([0-9a-f]+)"', checked.content.decode())
    assert token, checked.content.decode()[:3000]
    return checked, client.post(url, {**data, "confirm": token.group(1)})


def test_an_editor_records_an_engagement_from_the_processors_page(editor_client, acme):
    cloud = make_party("cloud", name="Cloud Hosting", relationship="subprocessor")
    page = editor_client.get("/engagements/new/?processor=acme").content.decode()
    assert 'value="acme"' in page or "Acme Support" in page
    data = {"processor": "Acme Support", "subprocessor": "Cloud Hosting",
            "noticed_on": "2024-03-01", "notice_source": "https://acme.example/subs",
            "evidence": "statement", "evidenced_on": "2024-03-01"}  # fmt: skip
    _, saved = _confirm(editor_client, "/engagements/new/", data)
    assert saved.status_code == 302 and saved["Location"].startswith(cloud.get_absolute_url())
    engagement = Engagement.objects.get()
    assert (engagement.processor, engagement.subprocessor) == (acme, cloud)
    assert engagement.evidence == "statement" and engagement.history.count() == 1


def test_a_second_open_engagement_is_refused_on_the_page(editor_client, acme):
    cloud = make_party("cloud", name="Cloud Hosting", relationship="subprocessor")
    make_engagement(acme, cloud)
    data = {"processor": "Acme Support", "subprocessor": "Cloud Hosting"}
    refused = editor_client.post("/engagements/new/", data).content.decode()
    assert "already engages this sub-processor" in refused
    assert Engagement.objects.count() == 1


def test_an_editor_edits_and_ends_an_engagement(editor_client, acme):
    cloud = make_party("cloud", name="Cloud Hosting", relationship="subprocessor")
    engagement = make_engagement(acme, cloud, noticed_on=date(2024, 3, 1))
    url = f"/engagements/{engagement.pk}/edit/"
    page = editor_client.get(url).content.decode()
    assert "Acme Support engages Cloud Hosting" in page
    data = {"noticed_on": "2024-03-01", "objected_on": "2024-03-10", "objection": "Not in India.",
            "version": record_version(engagement)}  # fmt: skip
    _, saved = _confirm(editor_client, url, data)
    assert saved.status_code == 302
    engagement.refresh_from_db()
    assert (engagement.objected_on, engagement.objection) == (date(2024, 3, 10), "Not in India.")
    end = f"/engagements/{engagement.pk}/end/"
    assert (
        "End the engagement of Cloud Hosting by Acme Support"
        in editor_client.get(end).content.decode()
    )
    _, ended = _confirm(editor_client, end, {"on": "2024-06-30",
                                            "version": record_version(engagement)})  # fmt: skip
    assert ended.status_code == 302
    engagement.refresh_from_db()
    assert engagement.ended_on == date(2024, 6, 30)


def test_a_viewer_cannot_open_the_engagement_pages(viewer_client, acme):
    cloud = make_party("cloud", relationship="subprocessor")
    engagement = make_engagement(acme, cloud)
    for url in ("/engagements/new/", f"/engagements/{engagement.pk}/edit/",
                f"/engagements/{engagement.pk}/end/"):  # fmt: skip
        assert viewer_client.get(url).status_code == 403
