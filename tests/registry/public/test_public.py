"""The public sub-processor list and its Atom feed: no login, nothing unapproved or internal."""

from datetime import date, datetime
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import Party
from registry.public.selectors import HistoryRow, list_changes
from registry.services import party_upsert
from tests.registry.publication_helpers import make_listed, publish

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=date.today())


def _update(slug: str, **changes) -> None:
    party = Party.objects.get(slug=slug)
    values = {
        f: getattr(party, f)
        for f in ("name", "relationship", "legal_name", "website", "contact_email",
                  "dpf_certified_until", "pci_attested_on", "status", "notes")
    }  # fmt: skip
    values.update(
        country=party.country.code,
        parent=party.parent,
        processing_countries=[c.code for c in party.processing_countries],
    )
    values.update(changes)
    party_upsert(slug=slug, **values)


def test_the_public_list_needs_no_login_and_shows_approved_processors(client, demo):
    response = client.get(reverse("subprocessors"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Nimbus Hosting", "Coldvault Storage", "Ledgerline Billing", "VoxTranscribe"):
        assert name in page
    # Coldvault Storage backs up two vendors: both are named.
    assert "engaged by Ledgerline Billing, Nimbus Hosting" in page
    assert "Ireland" in page and "Philippines" in page
    assert "Payment Processing" in page or "payment" in page.lower()


def test_the_public_list_shows_nothing_unapproved_or_internal(client, demo):
    page = client.get(reverse("subprocessors")).content.decode()
    assert "Postbox Relay" not in page, "under review"
    for internal in ("VoIPX Europe", "PartnerHub", "Hosts the VoIP platform", "@voipx.example",
                     "dpa-nimbus", "CARD_DATA", "PCI AOC", "Log out"):  # fmt: skip
        assert internal not in page
    assert 'href="/parties/' not in page and 'href="/findings/' not in page


def test_the_public_list_makes_the_same_number_of_queries_for_more_processors(client, demo):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("subprocessors"))
        return len(ctx.captured_queries)

    before = queries()
    for i in range(5):
        make_listed(f"extra-{i}", processing_countries=["DE", "FR"])
    assert queries() == before


def test_the_feed_is_atom_and_lists_additions_removals_and_country_changes(client, demo):
    _update("nimbus-hosting", processing_countries=["US", "IE", "DE"])
    _update("clicktrace-analytics", status="offboarded")
    publish(Party.objects.get(slug="postbox-relay"), noticed=date.today())
    response = client.get(reverse("subprocessor_feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title", "") for e in entries]
    assert "Countries changed: Nimbus Hosting" in titles
    assert "Removed: Clicktrace Analytics" in titles
    announced = [t for t in titles if t.startswith("Intended addition: Postbox Relay, from ")]
    assert announced and "Added: Postbox Relay" not in titles, "told, not yet in effect"
    assert "Added: Coldvault Storage" in titles
    assert all(e.findtext(f"{ATOM}updated") for e in entries)
    nimbus = next(e for e in entries if e.findtext(f"{ATOM}title", "").startswith("Countries"))
    assert "Germany" in nimbus.findtext(f"{ATOM}summary", "")


def test_the_feed_shows_nothing_unapproved_or_internal(client, demo):
    body = client.get(reverse("subprocessor_feed")).content.decode()
    assert "Postbox Relay" not in body, "under review, never approved"
    assert "VoIPX Europe" not in body and "PartnerHub" not in body
    assert "@voipx.example" not in body and "Hosts the VoIP platform" not in body


def test_list_changes_reads_each_party_oldest_first():
    def row(i, status="approved", countries=("US",), relationship="processor", deleted=False):
        return HistoryRow(i, "v", "Vendor", relationship, status, countries,
                          datetime(2026, 1, i), deleted)  # fmt: skip

    rows = [
        row(1, status="draft"), row(2), row(3, countries=("US", "DE")), row(4),
        row(5, relationship="third_party"), row(6, deleted=True),
    ]  # fmt: skip
    kinds = [c.kind for c in reversed(list_changes(rows))]
    assert kinds == ["added", "countries", "countries", "removed"]


HOSTILE = ("<script>alert(1)</script>", "<b>x</b>")


@pytest.mark.parametrize("name", HOSTILE)
def test_the_feed_carries_a_hostile_name_as_text_never_as_markup(client, name):
    make_listed("hostile", name=name, relationship="processor")
    response = client.get(reverse("subprocessor_feed"))
    feed = ElementTree.fromstring(response.content)
    added, told = feed.findall(f"{ATOM}entry")
    for entry, starts in ((added, f"{name} was added"), (told, f"{name} is to be added")):
        title, summary = entry.find(f"{ATOM}title"), entry.find(f"{ATOM}summary")
        assert title is not None and summary is not None
        # A reader renders a summary of type "html" as markup; "text" (or none) it shows as is.
        assert title.get("type", "text") == "text" and summary.get("type") == "text"
        assert title.text is not None and name in title.text
        assert summary.text is not None and summary.text.startswith(starts)
        assert len(title) == 0 and len(summary) == 0, "no element inside"
    assert added.findtext(f"{ATOM}title") == f"Added: {name}"
    assert not any(e.tag.endswith(("script", "b")) for e in feed.iter())


@pytest.mark.parametrize("name", HOSTILE)
def test_the_public_list_shows_a_hostile_name_as_text(client, name):
    make_listed("hostile", name=name, relationship="processor")
    page = client.get(reverse("subprocessors")).content.decode()
    assert name not in page
    assert name.replace("<", "&lt;").replace(">", "&gt;") in page
