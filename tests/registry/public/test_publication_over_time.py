"""A processor reaches the public list only through a reviewer's publication: announced on
its notice date, listed on its effective date and not before, and announced twice by the
feed; the cached pages follow both days."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from registry.models import Party, Publication
from registry.public.cache import public_list_version
from registry.public.selectors import subprocessor_changes, subprocessor_list_page
from registry.publication import (
    parties_publish,
    parties_reject,
    publication_effective_on,
    publication_notice_days,
)
from tests.factories import make_own_party, make_party, make_user
from tests.registry.publication_helpers import make_listed, publish, reviewer

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
TODAY = date.today()


def _page(client) -> str:
    response = client.get(reverse("subprocessors"))
    assert response.status_code == 200
    return response.content.decode()


def _in_effect_table(page: str) -> str:
    """The page below the upcoming changes: the processors in effect."""
    return page.split("Upcoming changes")[-1].split("</table>", 1)[-1]


def _listed_on(day: date) -> list[str]:
    return [p.name for p in subprocessor_list_page(today=day, number=1).page()]


def _titles(day: date) -> list[str]:
    return [c.title for c in subprocessor_changes(today=day)]


def test_the_notice_period_is_thirty_days_by_default():
    assert publication_notice_days() == 30
    assert publication_effective_on(date(2026, 1, 10)) == date(2026, 2, 9)


def test_the_notice_period_follows_the_setting(settings):
    settings.PUBLICATION_NOTICE_DAYS = 14
    assert publication_effective_on(date(2026, 1, 10)) == date(2026, 1, 24)


def test_an_approved_processor_without_a_publication_is_not_listed(client):
    make_own_party("voipx", name="VoIPX")
    make_party("quiet", name="Quiet Vendor", status="approved")
    page = _page(client)
    assert "Sub-processors of VoIPX" in page
    assert "Quiet Vendor" not in page and "No processor is listed." in page


def test_a_publication_noticed_today_is_upcoming_and_listed_on_its_effective_date(client):
    make_own_party("voipx", name="VoIPX")
    vendor = make_party("newco", name="Newco Mail", status="submitted", country="FR")
    [publication] = parties_publish(
        parties=[vendor], decided_by=reviewer(), notice_on=TODAY, note="Replaces Oldco."
    )
    effective = TODAY + timedelta(days=30)
    assert (publication.notice_on, publication.effective_on) == (TODAY, effective)
    page = _page(client)
    upcoming = page.split("Upcoming changes")[1].split("</table>")[0]
    assert "Newco Mail" in upcoming and "Addition" in upcoming and "France" in upcoming
    assert TODAY.isoformat() in upcoming and effective.isoformat() in upcoming
    assert "Newco Mail" not in _in_effect_table(page)
    assert "Replaces Oldco." not in page, "the note is for the record, not the public"
    assert "Newco Mail" not in _listed_on(effective - timedelta(days=1))
    assert _listed_on(effective) == ["Newco Mail"]
    later = subprocessor_list_page(today=effective, number=1).upcoming()
    assert later is not None and later.changes == []


def test_the_page_lists_what_took_effect_today_and_not_what_takes_effect_tomorrow(client):
    days = publication_notice_days()
    make_listed("due", name="Due Today", noticed=TODAY - timedelta(days=days))
    make_listed("soon", name="Due Tomorrow", noticed=TODAY - timedelta(days=days - 1))
    page = _page(client)
    assert "Due Today" in _in_effect_table(page)
    assert "Due Tomorrow" not in _in_effect_table(page)
    assert (TODAY + timedelta(days=1)).isoformat() in page.split("Upcoming changes")[1]


def test_the_feed_announces_a_change_at_notice_and_again_when_it_takes_effect(client):
    vendor = make_party("newco", name="Newco Mail", status="submitted")
    parties_publish(parties=[vendor], decided_by=reviewer(), notice_on=TODAY)
    effective = TODAY + timedelta(days=30)
    feed = ElementTree.fromstring(client.get(reverse("subprocessor_feed")).content)
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == f"Intended addition: Newco Mail, from {effective}"
    summary = entry.findtext(f"{ATOM}summary", "")
    assert f"on {effective}" in summary and "object" in summary
    assert _titles(effective - timedelta(days=1)) == [
        f"Intended addition: Newco Mail, from {effective}"
    ]
    assert _titles(effective) == [
        "Added: Newco Mail",
        f"Intended addition: Newco Mail, from {effective}",
    ]
    guids = {c.guid for c in subprocessor_changes(today=effective)}
    assert len(guids) == 2


def test_a_removal_with_notice_leaves_the_list_on_its_effective_date():
    vendor = make_listed("oldco", name="Oldco Mail")
    Publication.objects.create(
        party=vendor, change="removed", decided_by=reviewer(), decided_at=vendor.updated_at,
        notice_on=TODAY, effective_on=TODAY + timedelta(days=30),
    )  # fmt: skip
    assert _listed_on(TODAY) == ["Oldco Mail"]
    upcoming = subprocessor_list_page(today=TODAY, number=1).upcoming()
    assert upcoming is not None and [c.change for c in upcoming.changes] == ["Removal"]
    assert _listed_on(TODAY + timedelta(days=30)) == []
    assert "Removed: Oldco Mail" in _titles(TODAY + timedelta(days=30))


def test_an_offboarded_processor_leaves_the_list_at_once(client):
    vendor = make_listed("oldco", name="Oldco Mail")
    assert "Oldco Mail" in _page(client)
    vendor.status = "offboarded"
    vendor.save()
    assert "Oldco Mail" not in _page(client)
    assert "Removed: Oldco Mail" in _titles(TODAY)


def test_the_cache_token_moves_when_a_publication_is_recorded_and_when_it_takes_effect():
    vendor = make_party("newco", status="submitted")
    before = public_list_version(TODAY)
    assert public_list_version(TODAY) == before, "nothing changed"
    parties_publish(parties=[vendor], decided_by=reviewer(), notice_on=TODAY)
    recorded = public_list_version(TODAY)
    assert recorded != before
    assert public_list_version(TODAY + timedelta(days=29)) == recorded, "nothing takes effect"
    took_effect = public_list_version(TODAY + timedelta(days=30))
    assert took_effect != recorded
    assert public_list_version(TODAY + timedelta(days=31)) == took_effect


def test_only_a_reviewer_publishes_and_never_with_a_notice_in_the_past():
    vendor = make_party("newco", status="submitted")
    for user in (make_user("ed", role="editor"), make_user("vi", role="viewer"), None):
        with pytest.raises(PermissionDenied):
            parties_publish(parties=[vendor], decided_by=user, notice_on=TODAY)
    with pytest.raises(ValidationError, match="cannot be in the past"):
        parties_publish(
            parties=[vendor], decided_by=reviewer(), notice_on=TODAY - timedelta(days=1)
        )
    assert not Publication.objects.exists()
    vendor.refresh_from_db()
    assert vendor.status == "submitted"


def test_approving_twice_announces_nothing_new_and_a_listed_party_cannot_be_rejected():
    vendor = make_listed("newco", name="Newco Mail")
    assert parties_publish(parties=[vendor], decided_by=reviewer(), notice_on=TODAY) == []
    assert Publication.objects.count() == 1
    with pytest.raises(ValidationError, match="Newco Mail is on the public list"):
        parties_reject(parties=[vendor], decided_by=reviewer())


def test_the_approval_is_in_the_partys_history_with_the_reviewer():
    vendor = make_party("newco", status="submitted")
    counsel = reviewer()
    parties_publish(parties=[vendor], decided_by=counsel, notice_on=TODAY, note="DPA signed.")
    latest = Party.history.filter(slug="newco").latest("history_date")
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        "approved",
        counsel,
        "DPA signed.",
    )


def test_the_data_migration_keeps_the_parties_listed_before_decisions_existed():
    from django.apps import apps

    listed = make_party("old-vendor", name="Old Vendor", status="approved")
    make_party("waiting", name="Waiting Vendor", status="submitted")
    make_party("partner", name="Partner", relationship="third_party", status="approved")
    publish(make_party("decided", name="Decided Vendor", status="submitted"))
    migration = importlib.import_module("registry.migrations.0009_publish_the_listed_parties")
    migration.publish_listed(apps, None)
    kept = Publication.objects.get(party=listed)
    first_approved = Party.history.filter(slug="old-vendor").earliest("history_date")
    assert kept.notice_on == kept.effective_on == first_approved.history_date.date()
    assert kept.decided_by is None and "before publication decisions" in kept.note
    assert Publication.objects.count() == 2, "one each for the old and the decided vendor"
    assert _listed_on(TODAY) == ["Decided Vendor", "Old Vendor"]
    assert "Added: Old Vendor" in _titles(TODAY)
    assert not [t for t in _titles(TODAY) if t.startswith("Intended addition: Old Vendor")]
