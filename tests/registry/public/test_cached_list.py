"""The public list and feed at any size: paginated, a fixed number of queries, kept in the
shared cache and shown afresh after any change of the register, whichever way it comes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flows.models import Purpose
from registry.demo.synthetic import synthetic_register_create
from registry.public.selectors import PAGE_SIZE, subprocessor_list_page
from registry.services import party_upsert
from tests.factories import make_flow, make_own_party, make_user, purpose
from tests.registry.importing.import_helpers import run_import
from tests.registry.publication_helpers import make_listed

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
ATOM = "{http://www.w3.org/2005/Atom}"
CACHE_TABLE = "registry_cache"


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _register_queries(client, url: str) -> list[str]:
    """The queries that read the register's tables (not the cache's, nor savepoints)."""
    return [
        sql
        for sql in _queries(client, url)
        if ('"registry_' in sql or '"flows_' in sql) and CACHE_TABLE not in sql
    ]


def _page(client, query: str = "") -> str:
    response = client.get(reverse("subprocessors") + query)
    assert response.status_code == 200
    return response.content.decode()


def _processors(count: int) -> None:
    for i in range(count):
        make_listed(f"vendor-{i:03d}", name=f"Vendor {i:03d}")


def test_the_list_shows_a_page_of_processors_with_links_to_the_others(client):
    _processors(PAGE_SIZE + 5)
    first = _page(client)
    assert "Vendor 000" in first and f"Vendor {PAGE_SIZE - 1:03d}" in first
    assert f"Vendor {PAGE_SIZE:03d}" not in first
    assert "Page 1 of 2" in first and 'href="?page=2" rel="next"' in first
    assert f"{PAGE_SIZE + 5} companies; 1–{PAGE_SIZE} below." in first
    second = _page(client, "?page=2")
    assert f"Vendor {PAGE_SIZE + 4:03d}" in second and "Vendor 000" not in second
    assert "Page 2 of 2" in second and 'href="?page=1" rel="prev"' in second


@pytest.mark.parametrize("asked", ["99", "abc", "-1", "0", "9" * 5000, ""])
def test_any_page_number_shows_a_page_of_the_list(client, asked):
    _processors(PAGE_SIZE + 1)
    page = _page(client, f"?page={asked}")
    expected = "Page 2 of 2" if asked == "99" else "Page 1 of 2"
    assert expected in page


def test_a_small_list_has_no_page_links(client):
    _processors(3)
    page = _page(client)
    assert "Vendor 002" in page and "Page 1 of" not in page and "companies;" not in page


def test_the_purposes_and_countries_are_those_of_the_flows_received_today(client):
    own = make_own_party()
    vendor = make_listed("vendor", name="Vendor", country="IE")
    other = Purpose.objects.exclude(key="essential.service").order_by("key")[0]
    old = Purpose.objects.exclude(pk__in=[purpose().pk, other.pk]).order_by("key")[0]
    make_flow(own, vendor, processing_countries=["JP"])
    make_flow(own, vendor, processing_countries=["JP", "DE"])
    make_flow(own, vendor, purpose=other)
    make_flow(own, vendor, purpose=old, processing_countries=["BR"], ended_on=date(2021, 1, 1))
    row = _page(client).split('id="vendor"')[1].split("</tr>")[0]
    assert str(purpose().name or purpose().key) in row and str(other.name or other.key) in row
    assert str(old.name or old.key) not in row, "that flow ended"
    assert "Germany, Ireland, Japan" in row and "Brazil" not in row


def test_the_list_makes_the_same_queries_for_a_small_and_a_large_register(client):
    def cold_pages() -> list[int]:
        cache.clear()
        return [len(_queries(client, reverse("subprocessors") + f"?page={n}")) for n in (1, 2)]

    _processors(PAGE_SIZE + 5)
    small = cold_pages()
    synthetic_register_create(parties=400, flows=3000, seed=5)
    # The generator writes with bulk_create, which sends no signal: cold_pages() empties the
    # cache itself.
    large = cold_pages()
    first = _page(client)
    assert "Page 1 of " in first and "Page 1 of 2<" not in first
    assert large == small
    cache.clear()
    assert len(_register_queries(client, reverse("subprocessors") + "?page=3")) == 7, (
        "the next effective date, the organisation, the count, the page's parties, their "
        "purposes, their countries, the processors engaging them"
    )


def test_a_cached_page_reads_only_the_cache(client):
    call_command("seed_demo", today=date.today(), stdout=open(os.devnull, "w"))
    _queries(client, reverse("subprocessors"))
    again = _queries(client, reverse("subprocessors"))
    assert again and all(CACHE_TABLE in sql for sql in again), again
    assert len(again) == 3, "the version, the count, the page"


def test_the_feed_makes_the_same_queries_for_a_small_and_a_large_register_then_none(client):
    for i in range(3):
        make_listed(f"vendor-{i}")
    small = _register_queries(client, reverse("subprocessor_feed"))
    for i in range(3, 120):
        make_listed(f"vendor-{i}")
    large = _register_queries(client, reverse("subprocessor_feed"))
    assert len(large) == len(small) == 4, (
        "the next effective date, the publications, the days they took effect, the history"
    )
    assert _register_queries(client, reverse("subprocessor_feed")) == []
    feed = ElementTree.fromstring(client.get(reverse("subprocessor_feed")).content)
    assert len(feed.findall(f"{ATOM}entry")) == 50, "the feed keeps its fixed length"


def test_a_change_through_a_service_shows_on_the_next_request(client):
    own = make_own_party()
    vendor = make_listed("vendor", name="Old Name")
    assert "Old Name" in _page(client)
    party_upsert(
        slug="vendor", name="New Name", relationship="processor", country="US", status="approved"
    )
    page = _page(client)
    assert "New Name" in page and "Old Name" not in page
    other = Purpose.objects.exclude(key="essential.service").order_by("key")[0]
    make_flow(own, vendor, purpose=other, processing_countries=["JP"])
    assert "Japan" in _page(client)
    assert "Added: New Name" in client.get(reverse("subprocessor_feed")).content.decode()
    make_listed("late", name="Late Vendor")
    assert "Added: Late Vendor" in client.get(reverse("subprocessor_feed")).content.decode()


def test_a_change_through_the_admin_shows_on_the_next_request(client):
    own = make_own_party()
    vendor = make_listed("vendor", name="Vendor")
    make_flow(own, vendor)
    assert "Vendor" in _page(client)
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    service = purpose()
    change = reverse("admin:flows_purpose_change", args=[service.pk])
    form = {"key": service.key, "name": "Running the service", "description": ""}
    assert client.post(change, form).status_code == 302
    client.logout()
    assert "Running the service" in _page(client)


def test_a_change_through_an_import_shows_on_the_next_request(client):
    make_listed("vendor", name="Old Name")
    assert "Old Name" in _page(client)
    report = run_import("parties", "slug,name,relationship,country\nvendor,New Name,processor,US\n")
    assert report.ok
    page = _page(client)
    assert "New Name" in page and "Old Name" not in page


def test_a_staff_users_page_leaves_nothing_of_them_in_the_cache(client):
    make_listed("vendor", name="Vendor")
    client.force_login(make_user("mallory-the-viewer", role="viewer"))
    assert "mallory-the-viewer" in _page(client)
    client.logout()
    page = _page(client)
    assert "Vendor" in page
    assert "mallory-the-viewer" not in page and "Log out" not in page


def test_each_day_is_kept_under_its_own_key():
    today = date.today()
    keys = {
        subprocessor_list_page(today=today - timedelta(days=n), number=1).cache_key for n in (0, 1)
    }
    assert len(keys) == 2


def test_migrate_alone_makes_the_cache_table_on_a_fresh_database(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert CACHE_TABLE in tables
