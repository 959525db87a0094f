"""The "as of" page in a real browser, on the demo: from the menu's "As of" to the day Safe
Harbor fell, both halves readable at 1366 and 390 px wide with no sideways scroll of the
page. Screenshots under ci-artifacts/screenshots/as-of/.

Select with `pytest -m e2e`; skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

from datetime import date

from django.core.management import call_command

from tests.e2e.browsing import BROWSER_TEST, NARROW, WIDE, Shots, log_in
from tests.factories import make_user

pytestmark = BROWSER_TEST


def _page_width(page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_day_safe_harbor_fell_both_ways(browser, live_server, capsys):
    call_command("seed_demo", today=date.today())
    make_user("reader", role="viewer")
    base = live_server.url
    shots = Shots("as-of")
    with shots.reported(capsys, "Screenshots of the as-of page:", browser):
        page = log_in(browser.new_context(), base, "reader")
        page.get_by_role("link", name="As of", exact=True).first.click()
        page.wait_for_load_state()
        page.get_by_label("As of").fill("2015-10-05")
        page.get_by_role("button", name="Show").click()
        page.wait_for_load_state()
        assert "Findings on 2015-10-05" in page.content()
        shots.both_widths(page, "2015-10-05", full_page=True)
        page.get_by_label("As of").fill("2015-10-06")
        page.get_by_role("button", name="Show").click()
        page.wait_for_load_state()
        findings = page.locator("table.day-findings")
        assert "Safe Harbor was invalidated on 2015-10-06" in findings.inner_text()
        row = page.locator("tr", has_text="ie-to-hq-customer-records")
        assert "Invalid transfer mechanism" in row.inner_text()
        shots.both_widths(page, "2015-10-06", full_page=True)
        # At a phone's width, each half where it begins, as a reader scrolls to it.
        page.set_viewport_size(NARROW)
        shots.take(page, "2015-10-06-findings-390", scroll_to="#findings")
        shots.take(page, "2015-10-06-register-flows-390", scroll_to="#flows")
        for size in (WIDE, NARROW):
            page.set_viewport_size(size)
            assert _page_width(page) <= size["width"], f"wider than {size['width']} px"
        # From a recorded flow's finding to the finding's own page, still on that day.
        page.set_viewport_size(WIDE)
        row.get_by_role("link", name="Invalid transfer mechanism").click()
        page.wait_for_load_state()
        assert "as_of=2015-10-06" in page.url
        shots.take(page, "finding-from-the-register")
