"""What every browser test shares: Debian's Chromium and its arguments, the two page sizes,
logging in, and the numbered screenshots each journey leaves for CI's log.

The `browser` fixture itself is in tests/e2e/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "ci-artifacts" / "screenshots"
PASSWORD = "pw-x9!long"  # the one tests.factories.make_user gives every user

# Set on the page (page.set_viewport_size): this Chromium ignores the context's viewport option.
WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 390, "height": 844}  # a phone


# Every browser test's marks: selected with `-m e2e`; its live server sees what the test
# commits, and the database is emptied after it (and what migrations put there restored).
BROWSER_TEST = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def log_in(context, base: str, username: str):
    """A new page of `context`, at the wide size, logged in as `username`."""
    page = context.new_page()
    page.set_viewport_size(WIDE)
    page.goto(f"{base}/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    return page


class Shots:
    """Numbered screenshots of a journey's steps under ci-artifacts/screenshots/<name>/.

    The folder's earlier screenshots (those starting with `prefix`, when several tests share
    the folder) are removed at the start. `take` is one shot, `both_widths` the same step at
    1366 and 390 px wide under one number; `reported` prints every path at the end."""

    def __init__(self, name: str, prefix: str = "") -> None:
        self.folder = SCREENSHOTS / name
        self.prefix = prefix
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob(f"{prefix}*.png"):
            old.unlink()
        self.paths: list[Path] = []
        self.steps = 0

    def take(
        self, page, name: str, *, full_page: bool = False, scroll_to: str | None = None
    ) -> Path:
        """One shot of the page as it is; `scroll_to` (a selector) first brings that part of
        a long page in view."""
        self.steps += 1
        return self._shoot(page, f"{self.steps:02d}-{name}", full_page, scroll_to)

    def both_widths(
        self, page, name: str, *, full_page: bool = False, scroll_to: str | None = None
    ) -> None:
        """The page at 1366 and at 390 px wide, then back to wide: the next click happens
        on a page of the size it started with.

        Full-page shots only where no click follows at once: in headless Chromium a
        full-page capture resizes the viewport and a click right after it can miss."""
        self.steps += 1
        for size in (WIDE, NARROW):
            page.set_viewport_size(size)
            self._shoot(page, f"{self.steps:02d}-{name}-{size['width']}", full_page, scroll_to)
        page.set_viewport_size(WIDE)
        page.wait_for_timeout(100)

    def _shoot(self, page, stem: str, full_page: bool, scroll_to: str | None) -> Path:
        if scroll_to:
            page.locator(scroll_to).first.evaluate("element => element.scrollIntoView()")
        path = self.folder / f"{self.prefix}{stem}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.paths.append(path)
        return path

    @contextmanager
    def reported(self, capsys: Any, title: str, browser: Any = None) -> Iterator[Shots]:
        """Around a journey: if it fails, a shot of every page still open in `browser`;
        at the end, whatever happened, `title` and every path printed past pytest's capture."""
        try:
            yield self
        except Exception:
            if browser is not None:
                for number, context in enumerate(browser.contexts):
                    for page in context.pages:
                        self.take(page, f"failure-context-{number}")
            raise
        finally:
            with capsys.disabled():
                print(f"\n{title}")
                for path in self.paths:
                    print(f"  {path}")
