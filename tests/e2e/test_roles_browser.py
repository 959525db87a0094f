"""The editor's import and export pages and the reviewer's tables in a real browser
(Debian's headless Chromium driven by Playwright), with screenshots at 1366 and 390 px wide
under ci-artifacts/screenshots/roles/.

Select with `pytest -m e2e`; skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

from flows.models import AdequacyDecision
from registry.models import Party
from tests.e2e.browsing import BROWSER_TEST, Shots, log_in
from tests.factories import make_own_party, make_party, make_user

pytestmark = BROWSER_TEST


def test_an_editor_imports_and_exports_and_a_reviewer_ends_a_decision(
    browser, live_server, tmp_path, settings, capsys
):
    settings.MEDIA_ROOT = tmp_path
    make_own_party("acme", name="Acme", country="DE")
    make_party("beta", name="Beta Mail", country="US")
    make_user("editor", role="editor")
    make_user("reviewer", role="reviewer")
    csv = tmp_path / "vendors.csv"
    csv.write_text(
        "slug,name,relationship,country\n"
        "beta,Beta Mail Ltd,processor,FR\n"
        "gamma,Gamma Cloud,processor,US\n"
        "delta,Delta,vendor,US\n"
    )
    base = live_server.url
    shots = Shots("roles")
    with shots.reported(capsys, "Screenshots of the roles' pages:", browser):
        editor = log_in(browser.new_context(), base, "editor")
        editor.get_by_role("link", name="Import").click()
        editor.get_by_label("What the file holds").select_option("parties")
        editor.locator("#id_file").set_input_files(str(csv))
        editor.get_by_role("button", name="Upload and preview").click()
        editor.wait_for_load_state()
        assert "'vendor' is not a known relationship" in editor.content()
        shots.both_widths(editor, "import-preview-refused", full_page=True)

        csv.write_text("slug,name,relationship,country\nbeta,Beta Mail Ltd,processor,FR\n"
                       "gamma,Gamma Cloud,processor,US\n")  # fmt: skip
        editor.get_by_role("link", name="Import").first.click()
        editor.get_by_label("What the file holds").select_option("parties")
        editor.locator("#id_file").set_input_files(str(csv))
        editor.get_by_role("button", name="Upload and preview").click()
        editor.wait_for_load_state()
        shots.both_widths(editor, "import-preview", full_page=True)
        editor.get_by_role("button", name="Import 1 new and 1 updated parties").click()
        editor.wait_for_url(f"{base}/jobs/*/")
        editor.get_by_text("Done").first.wait_for()
        shots.both_widths(editor, "import-job", full_page=True)
        assert Party.objects.get(slug="gamma").name == "Gamma Cloud"

        editor.get_by_role("link", name="Export").click()
        editor.get_by_label("What to export").select_option("flows")
        shots.both_widths(editor, "export", full_page=True)
        with editor.expect_download() as download:
            editor.get_by_role("button", name="Export").click()
        assert download.value.suggested_filename.startswith("flows-")

        reviewer = log_in(browser.new_context(), base, "reviewer")
        reviewer.get_by_role("link", name="Tables").click()
        shots.both_widths(reviewer, "tables", full_page=True)
        reviewer.get_by_role("link", name="Adequacy decisions").click()
        reviewer.get_by_label("Search").fill("switz")
        reviewer.get_by_role("button", name="Filter").click()
        shots.both_widths(reviewer, "tables-adequacy", full_page=True)
        reviewer.get_by_role("link", name="Change EU GDPR adequacy for Switzerland").click()
        reviewer.get_by_label("Valid until").fill("2020-12-31")
        reviewer.get_by_role("button", name="Save").click()
        reviewer.wait_for_load_state()
        assert "Saved: EU GDPR adequacy for Switzerland" in reviewer.content()
        reviewer.goto(
            f"{base}/tables/adequacy/{AdequacyDecision.objects.get(regime='EU', country='CH').pk}/"
        )
        shots.both_widths(reviewer, "tables-entry-history", full_page=True)
