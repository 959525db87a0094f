"""The whole-register diagram in a real browser, at 1366 and 390 px wide.

On the demo as of 2015-10-06 (the day Safe Harbor fell): the page is never wider than the
screen, the diagram keeps a readable scale and pans inside its own box (no thumbnail on a
phone), the zoom buttons change its scale, and clicking an edge opens its finding or its
flow. Screenshots under ci-artifacts/screenshots/diagrams/ (browser-*.png), their paths
printed for CI's log.

Select with `pytest -m e2e`; skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.management import call_command

from tests.e2e.browsing import BROWSER_TEST, NARROW, WIDE, Shots, log_in
from tests.factories import make_user

pytestmark = BROWSER_TEST

BREACH = "2015-10-06"
EDGE_TO = (  # the label of an edge linking to {0}: dot draws it in a link of its own
    "xpath=//*[local-name()='svg']//*[local-name()='a']"
    "[contains(@*[local-name()='href'], '{0}')][.//*[local-name()='text']]"
)


def _widths(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _scale(page) -> float:
    return float(page.locator("[data-diagram]").first.get_attribute("data-scale") or 0)


def test_the_diagram_pans_zooms_and_opens_what_an_edge_is_about(browser, live_server, capsys):
    call_command("seed_demo", today=date.today(), verbosity=0)
    make_user("lawyer", role="viewer")
    shots = Shots("diagrams", prefix="browser-")
    with shots.reported(capsys, "Screenshots of the diagram page:", browser):
        page = log_in(browser.new_context(), live_server.url, "lawyer")
        page.goto(f"{live_server.url}/diagram/?as_of={BREACH}")
        page.wait_for_selector("[data-diagram][data-scale]")
        shots.both_widths(page, "register-2015-10-06")
        for size in (WIDE, NARROW):
            page.set_viewport_size(size)
            page.wait_for_timeout(150)
            document, viewport = _widths(page)
            assert document <= viewport, (size, document, viewport)
        # On a phone the diagram keeps a readable scale and scrolls inside its own box.
        page.set_viewport_size(NARROW)
        page.reload()
        page.wait_for_selector("[data-diagram][data-scale]")
        box = page.locator(".diagram").first
        inner, outer = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
        assert inner > outer and _scale(page) >= 0.69, (inner, outer, _scale(page))
        frame = box.bounding_box()
        assert frame is not None and frame["x"] + frame["width"] <= NARROW["width"], frame
        assert _widths(page)[0] <= NARROW["width"]
        start = _scale(page)
        page.get_by_role("button", name="Zoom in").click()
        assert _scale(page) > start
        shots.take(page, "zoomed-in-390")
        page.get_by_role("button", name="Zoom out").click()
        page.get_by_role("button", name="Zoom out").click()
        assert _scale(page) < start
        assert _widths(page)[0] <= NARROW["width"]
        page.set_viewport_size(WIDE)

        # The Safe Harbor edge opens its finding; a compliant edge opens its flow.
        page.goto(f"{live_server.url}/diagram/?as_of={BREACH}")
        page.wait_for_selector("[data-diagram][data-scale]")
        safe_harbor = page.locator(EDGE_TO.format("/findings/INVALID_TRANSFER_MECHANISM/"))
        assert "Safe Harbor - invalid since 2015-10-06" in (safe_harbor.first.text_content() or "")
        safe_harbor.first.locator("xpath=.//*[local-name()='text']").first.click()
        page.wait_for_url(re.compile(r"/findings/INVALID_TRANSFER_MECHANISM/\d+/"))
        assert "Safe Harbor" in page.locator("main").inner_text()
        shots.take(page, "safe-harbor-finding")
        page.go_back()
        page.wait_for_selector("[data-diagram][data-scale]")
        flow = page.locator(EDGE_TO.format("/flows/")).first
        flow.locator("xpath=.//*[local-name()='text']").first.click()
        page.wait_for_url(re.compile(r"/flows/\d+/$"))
        shots.take(page, "compliant-flow")

        # Today, the compliant flows hidden.
        page.goto(f"{live_server.url}/diagram/")
        page.wait_for_selector("[data-diagram][data-scale]")
        shots.both_widths(page, "register-today")
        page.get_by_role("link", name="Hide compliant flows").click()
        page.wait_for_selector("[data-diagram][data-scale]")
        assert "compliant flows hidden" in page.locator("figcaption").inner_text()
        shots.both_widths(page, "register-today-compliant-hidden")
        for size in (WIDE, NARROW):
            page.set_viewport_size(size)
            page.wait_for_timeout(150)
            document, viewport = _widths(page)
            assert document <= viewport, (size, document, viewport)
