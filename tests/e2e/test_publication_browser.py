"""The reviewer's decisions and the public list in a real browser (headless Chromium): a
reviewer approves two imported processors for the public list, and the public page shows
them among the upcoming changes. Screenshots at 1366 and 390 px wide go under
ci-artifacts/screenshots/publication/.

Select with `pytest -m e2e`; skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management import call_command

from tests.e2e.browsing import BROWSER_TEST, WIDE, Shots, log_in
from tests.factories import make_user
from tests.registry.importing.import_helpers import run_import

pytestmark = BROWSER_TEST


def test_a_reviewer_approves_imported_processors_and_the_public_page_announces_them(
    browser, live_server, capsys
):
    call_command("seed_demo", today=date.today(), stdout=open("/dev/null", "w"))
    report = run_import(
        "parties",
        "slug,name,legal_name,relationship,country,processing_countries,engaged_by,status\n"
        "signalpath,SignalPath,SignalPath Networks Ltd,processor,GB,GB;IE,,approved\n"
        "archiva,Archiva Records,Archiva Records SAS,subprocessor,FR,FR,nimbus-hosting,approved\n"
        "queuewise,QueueWise,QueueWise Inc.,processor,US,US,,approved\n",
    )
    assert report.ok and "arrived as submitted" in report.warnings[0]
    make_user("counsel", role="reviewer")
    shots = Shots("publication")
    with shots.reported(capsys, "Screenshots of the publication decisions:", browser):
        context = browser.new_context()
        page = log_in(context, live_server.url, "counsel")
        page.get_by_role("link", name="Sub-processors").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Sub-processor decisions").is_visible()
        shots.both_widths(page, "decisions", full_page=True)
        page.get_by_label("Decide on SignalPath").check()
        page.get_by_label("Decide on Archiva Records").check()
        page.get_by_label("Note").fill("DPAs with flow-down signed.")
        page.get_by_role("button", name="Approve for the public list").click()
        page.wait_for_load_state()
        effective = (date.today() + timedelta(days=30)).isoformat()
        message = page.locator(".messages").inner_text()
        assert "Approved Archiva Records, SignalPath for the public list" in message
        assert f"listed from {effective}" in message
        shots.both_widths(page, "decisions-after-approval", full_page=True)
        public = browser.new_context().new_page()
        public.set_viewport_size(WIDE)
        public.goto(f"{live_server.url}/subprocessors/")
        assert public.get_by_role("heading", name="Sub-processors of VoIPX International")
        upcoming = public.locator("section[aria-labelledby=upcoming-changes]").inner_text()
        for name in ("SignalPath", "Archiva Records", "RelayWave SMS"):
            assert name in upcoming
        assert effective in upcoming
        shots.both_widths(public, "public-list", full_page=True)
