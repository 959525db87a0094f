"""Pages read today's findings from the store: the same number of queries whatever the
register's size, a page of findings at a time, and the same findings a full evaluation
gives."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flows.engine.rules import evaluate
from flows.findings.store import stored_findings
from flows.loading import register_load
from registry.demo.company import seed_demo
from registry.demo.synthetic import synthetic_register_create
from registry.models import Party

PAGES = [
    ("finding_list", {}),
    ("finding_list", {"severity": "high"}),
    ("finding_list", {"party": "voipx", "category": "user.contact"}),
    ("review_queue", {}),
    ("review_queue", {"state": "all", "page": "2"}),
    ("dashboard", {}),
]


def _queries(client, name: str, params: dict[str, str]) -> tuple[int, str]:
    client.get(reverse(name), params)  # the first request of the day may refresh
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.django_db
def test_finding_pages_make_the_same_queries_at_two_sizes(viewer_client) -> None:
    seed_demo(date.today())
    small = {(n, str(params)): _queries(viewer_client, n, params)[0] for n, params in PAGES}
    synthetic_register_create(parties=60, flows=1500, seed=3, prefix="big")
    assert len(stored_findings()) > 300  # the synthetic register is full of findings
    large = {(n, str(params)): _queries(viewer_client, n, params)[0] for n, params in PAGES}
    assert large == small


@pytest.mark.django_db
def test_the_findings_list_shows_a_page_of_the_stored_findings(viewer_client) -> None:
    seed_demo(date.today())
    synthetic_register_create(parties=40, flows=800, seed=5, prefix="big")
    stored = stored_findings()
    assert stored == evaluate(register_load(), date.today())
    _, page = _queries(viewer_client, "finding_list", {})
    assert f"{len(stored)} findings" in page
    assert "Page 1 of" in page
    first = Party.objects.get(slug=stored[0].source).name
    assert first in page  # names, not slugs


@pytest.mark.django_db
def test_a_party_page_shows_its_first_findings_and_links_to_the_rest(viewer_client) -> None:
    seed_demo(date.today())
    synthetic_register_create(parties=20, flows=600, seed=2, prefix="big")
    slug, count = max(
        ((p.slug, sum(p.slug in (f.source, f.target, *f.path) for f in stored_findings()))
         for p in Party.objects.filter(slug__startswith="big-")),
        key=lambda pair: pair[1],
    )  # fmt: skip
    assert count > 20
    page = viewer_client.get(reverse("party_detail", args=[slug])).content.decode()
    assert f"All {count} findings about" in page


@pytest.mark.django_db
def test_a_new_day_is_evaluated_in_the_background_while_the_pages_say_so(
    viewer_client, settings
) -> None:
    """The first request of a new day on a large register queues one full refresh (the
    dummy backend keeps the task queued, as a busy worker would) and every page says the
    findings are being refreshed; once the refresh has run, they are today's again."""
    from django.core.management import call_command
    from django_tasks import task_backends
    from django_tasks.backends.dummy import DummyBackend

    from flows.models import FindingsState

    today = date.today()
    seed_demo(today)
    FindingsState.objects.update(as_of=today - timedelta(days=1))
    settings.FINDINGS_INLINE_FLOWS = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    notice = "Findings are being refreshed"
    for name in ("finding_list", "dashboard", "review_queue"):
        assert notice in viewer_client.get(reverse(name)).content.decode()
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    assert len(backend.results) == 1  # asked once, whoever asks again
    call_command("refresh_findings", stdout=io.StringIO())
    assert FindingsState.objects.get().as_of == today
    for name in ("finding_list", "dashboard", "review_queue"):
        assert notice not in viewer_client.get(reverse(name)).content.decode()
