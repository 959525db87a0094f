"""No link leads to a page the user cannot open: each persona follows every link the pages show
them, from the dashboard (or the page they land on), and none answers 403, 404 or 5xx.

Links of one kind (the same URL name) are followed twice at most: that covers every page and
every link a page shows, and keeps the walk short.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

HREF = re.compile(r'href="([^"#]+)"')
PER_NAME = 2
LIMIT = 150
SKIPPED = ("/static/", "/media/", "/admin/", "/logout/")
"""The admin has its own permissions (staff only) and is Django's; a logout ends the walk."""


def walk(client, start: str) -> dict[str, tuple[int, str]]:
    """URL -> (status, the page that linked to it), for every link followed."""
    seen: dict[str, tuple[int, str]] = {}
    names: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    while queue and len(seen) < LIMIT:
        url, referrer = queue.popleft()
        path = urlsplit(url).path
        if url in seen or path.startswith(SKIPPED):
            continue
        try:
            name = resolve(path).url_name or path
        except Resolver404:
            name = path
        if names[name] >= PER_NAME:
            continue
        names[name] += 1
        response = client.get(url)
        seen[url] = (response.status_code, referrer)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = href.replace("&amp;", "&")
            if href.startswith("/") and not href.startswith("//"):
                queue.append((href, url))
            elif href.startswith("?"):
                queue.append((path + href, url))
    return seen


@pytest.mark.parametrize("persona", ["outsider", "viewer", "editor", "reviewer"])
def test_every_link_a_persona_sees_opens(client, world, personas, persona):
    client.force_login(personas[persona])
    seen = walk(client, "/")
    # The start is typed, not followed: an outsider's dashboard is their 403 page.
    broken = {
        url: (status, referrer)
        for url, (status, referrer) in seen.items()
        if referrer != "(start)" and (status in (403, 404) or status >= 500)
    }
    assert not broken, "\n".join(
        f"{status} {url} (linked from {referrer})" for url, (status, referrer) in broken.items()
    )
    if persona != "outsider":
        assert len(seen) > 30  # the walk went through the register, not one page


def test_a_user_without_a_role_is_told_so_and_offered_only_what_they_can_open(
    client, world, personas
):
    client.force_login(personas["outsider"])
    response = client.get("/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your account has no role yet" in page
    links = {h for h in HREF.findall(page) if h.startswith("/") and not h.startswith("/static/")}
    assert links <= {"/subprocessors/"}, links  # the public list is open to everyone
