"""The public list and feed as last computed, in the shared cache, until the register changes.

Anyone can ask for the public pages without logging in, so they must not cost a worker the
register's queries each time. What they show is kept in Django's cache (the database cache in
settings: shared by every worker and machine) under keys that carry a version token; any save
or delete of what the pages show (Party, Flow and its sets, Purpose), and any import of them,
writes a new token, so the next request computes afresh and the old entries are never read
again (the cache culls them). A publication (registry/publication.py) changes the list twice:
when it is recorded (a new token, as any write) and when it takes effect, with no write at
all. So the first request after a write stores the token with the next effective date, and
the first request on or after that day writes a new token.

The token is random rather than a counter: two writers bumping at once cannot end on the same
value, and a token lost to culling comes back as a new one, never as an old one with stale
entries still stored under it. With the database cache the token is written in the writer's
own transaction, so a rolled-back write leaves the cached pages as they were.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from flows.models import Flow, Purpose
from registry.models import Engagement, Party, Publication
from registry.publication import publication_next_change
from registry.web.batches import rows_changed

VERSION_KEY = "public-list:version"
# A safety net for writes that send no signal (QuerySet.update, bulk_create outside the
# import engine, such as generate_synthetic): what they change shows after this long.
ENTRY_SECONDS = 10 * 60

T = TypeVar("T")


def public_list_version(today: date | None = None) -> str:
    """The token of the register as the public pages last saw it on `today`: one cache
    query, and on the first request after a write or on the day a publication takes effect,
    one query for the next effective date and a new token."""
    today = today or timezone.localdate()
    stored = str(cache.get(VERSION_KEY) or "")
    token, known, next_change = stored.partition("|")
    if not known or (next_change and today.isoformat() >= next_change):
        # Not read since a write (a writer stores a bare token, to cost it nothing more), or
        # a change took effect since: a new token, never an old one again, so two workers
        # doing this at once both read fresh entries.
        upcoming = publication_next_change(after=today)
        token = uuid.uuid4().hex
        cache.set(VERSION_KEY, f"{token}|{upcoming.isoformat() if upcoming else ''}", None)
    return token


def public_list_changed(**_signal: Any) -> None:
    """Receiver of the register's signals: entries stored so far are no longer read."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def cached(key: str, compute: Callable[[], T]) -> T:
    """The value stored under `key` (a key that includes the version), else computed and
    stored. Values are pickled: plain dataclasses, never querysets."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=ENTRY_SECONDS)
    return value


_M2M_SETS = (Flow.categories.through, Flow.data_subjects.through)


def connect_receivers() -> None:
    """Watch every model the public pages read (PublicConfig.ready calls this once): the
    model signals of saves and deletes, and the import engine's signal after its bulk
    writes, which send none."""
    for model in (Party, Engagement, Flow, Purpose, Publication):
        for signal in (post_save, post_delete, rows_changed):
            signal.connect(
                public_list_changed, sender=model, dispatch_uid=f"public-list:{model.__name__}"
            )
    for through in _M2M_SETS:
        m2m_changed.connect(
            _set_changed, sender=through, dispatch_uid=f"public-list:{through.__name__}"
        )


def _set_changed(*, action: str, **signal: Any) -> None:
    # pre_* actions come before the change is written; their post_* twin follows.
    if action.startswith("post_"):
        public_list_changed(**signal)
