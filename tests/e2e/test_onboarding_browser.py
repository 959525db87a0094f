"""The onboarding journey in a real browser: Debian's headless Chromium driven by Playwright.

An analyst starts an onboarding, the vendor completes every step through its link (which
opens a session and leaves the address token-free; with an error it corrects and a
sub-processor row it adds), a reviewer sees the findings approving
would add and approves, and the vendor appears in the register. Each step leaves a
screenshot under ci-artifacts/screenshots/onboarding/, whose paths are printed for CI's log.

Select with `pytest -m e2e`; skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from registry.models import Party
from registry.onboarding.models import Onboarding
from tests.factories import make_own_party, make_user

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "ci-artifacts" / "screenshots" / "onboarding"
PASSWORD = "pw-x9!long"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser(monkeypatch):
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the Python package 'playwright' is not installed"
    )
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM}: install the Debian package 'chromium' "
            "(scripts/ensure_chromium.sh does it as root)"
        )
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code.
    # Only for this test: `manage.py check --deploy` in other tests refuses the variable.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class Shots:
    """Numbered screenshots of each step, their paths printed at the end."""

    def __init__(self) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()
        self.paths: list[Path] = []

    def take(self, page, name: str) -> None:
        path = SCREENSHOTS / f"{len(self.paths) + 1:02d}-{name}.png"
        # Not full_page: in headless Chromium a full-page capture resizes the viewport
        # and a click right after it can miss its button.
        page.screenshot(path=str(path))
        self.paths.append(path)


def _log_in(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    return page


def _continue(page) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()


def test_a_vendor_is_onboarded_through_the_real_pages(browser, live_server, capsys):
    make_own_party("voipx", name="VoIPX Europe", country="DE")
    make_user("analyst", role="editor")
    make_user("counsel", role="reviewer")
    base = live_server.url
    shots = Shots()
    try:
        _journey(browser, base, shots)
    except Exception:
        for number, context in enumerate(browser.contexts):
            for page in context.pages:
                shots.take(page, f"failure-context-{number}")
        raise
    finally:
        with capsys.disabled():
            print("\nScreenshots of the onboarding journey:")
            for path in shots.paths:
                print(f"  {path}")


def _journey(browser, base: str, shots: Shots) -> None:
    # 1. The analyst starts the onboarding.
    analyst = _log_in(browser.new_context(), base, "analyst")
    analyst.get_by_role("link", name="Onboarding").click()
    analyst.get_by_role("link", name="Start an onboarding").click()
    analyst.get_by_label("Vendor name").fill("Acme Call Analytics")
    analyst.get_by_label("Vendor's country").select_option("IN")
    analyst.get_by_label("Vendor contact e-mail").fill("privacy@acme.example")
    analyst.get_by_label("Service it will provide").fill("Call quality analytics")
    analyst.get_by_label("Search the categories").fill("email")
    analyst.get_by_label("Email (user.contact.email)").check()
    analyst.get_by_label("Purposes we intend to send data for").select_option("analytics.reporting")
    analyst.get_by_label("Our lawful basis for sending it").select_option("legitimate_interests")
    analyst.get_by_label("Link valid for (days)").fill("10")
    shots.take(analyst, "analyst-starts")
    analyst.get_by_role("button", name="Start the onboarding and send the link").click()
    link = analyst.get_by_label("Copy this link to the vendor").input_value()
    assert "/onboarding/" in link
    shots.take(analyst, "link-shown")

    # 2. The vendor, with no account, follows its link through every step.
    # The link is exchanged for a session: the address bar, the history and any Referer
    # hold /onboarding/vendor/... from then on, never the token.
    vendor = browser.new_context().new_page()
    landed = vendor.goto(link)
    assert landed is not None
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert vendor.url == f"{base}/onboarding/vendor/"
    assert landed.headers["cache-control"] == "no-store"
    assert landed.headers["referrer-policy"] == "same-origin"  # a form page: see the view
    assert vendor.get_by_role("heading", name="Onboarding of Acme Call Analytics").is_visible()
    shots.take(vendor, "vendor-overview")
    vendor.get_by_role("link", name="Your company").first.click()

    # Keyboard alone: type in the first field, then Tab reaches every field in order.
    vendor.get_by_label("Legal name of your company").focus()
    vendor.keyboard.press("Control+A")
    vendor.keyboard.type("Acme Call Analytics Pvt Ltd")
    reached = []
    for _ in range(7):
        vendor.keyboard.press("Tab")
        reached.append(vendor.evaluate("document.activeElement.id"))
    assert reached[:6] == [
        "id_country",
        "id_website",
        "id_contact_name",
        "id_contact_email",
        "id_dpo_name",
        "id_dpo_email",
    ]
    vendor.get_by_label("Country of establishment").select_option("IN")
    vendor.get_by_label("Website").fill("https://acme.example")
    vendor.get_by_label("Contact person").fill("Priya Rao")
    vendor.get_by_label("Contact e-mail:", exact=True).fill("priya@acme.example")
    vendor.get_by_label("Data protection officer or privacy contact").fill("Dev Mehta")
    vendor.get_by_label("DPO or privacy contact e-mail").fill("dpo-at-acme")  # the error
    vendor.get_by_label("DPO or privacy contact e-mail").press("Enter")  # submit by keyboard
    vendor.wait_for_load_state()
    assert vendor.get_by_text("Enter a valid email address.").is_visible()
    assert vendor.get_by_label("Contact person").input_value() == "Priya Rao"  # nothing lost
    shots.take(vendor, "vendor-error")
    vendor.get_by_label("DPO or privacy contact e-mail").fill("dpo@acme.example")  # corrected
    _continue(vendor)

    vendor.get_by_label("Services you will provide to us").fill("We analyse call quality.")
    vendor.get_by_label("Purposes you will process our data for").select_option(
        "analytics.reporting"
    )
    shots.take(vendor, "vendor-services")
    _continue(vendor)

    vendor.get_by_label("Search the categories").fill("name")
    vendor.get_by_label(re.compile(r"^\s*Name \(user\.name\)$")).check()
    assert vendor.get_by_label("Email (user.contact.email)").is_checked()  # from the analyst
    shots.take(vendor, "vendor-categories")
    _continue(vendor)

    vendor.get_by_label("Countries where you process or store our data").select_option(["IN"])
    _continue(vendor)

    vendor.get_by_role("button", name="Add a sub-processor").click()
    vendor.get_by_label("Sub-processor name").fill("Cloudy Hosting")
    vendor.get_by_label("Country:", exact=True).select_option("SG")
    vendor.get_by_label("Service it provides").fill("Hosting")
    vendor.get_by_label("Data categories it receives").select_option("user.contact.email")
    shots.take(vendor, "vendor-subprocessor-row")
    _continue(vendor)

    vendor.get_by_label("ISO/IEC 27001 certified").check()
    vendor.get_by_label("ISO/IEC 27001 certificate valid until").fill(
        (date.today() + timedelta(days=300)).isoformat()
    )
    _continue(vendor)

    vendor.get_by_label("A DPA is signed with you").check()
    vendor.get_by_label("DPA signed on").fill((date.today() - timedelta(days=2)).isoformat())
    vendor.get_by_label("Document type").select_option("dpa")
    vendor.get_by_label("Document (PDF, PNG or JPEG)").set_input_files(
        {"name": "dpa.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    shots.take(vendor, "vendor-agreements")
    _continue(vendor)
    assert vendor.get_by_role("heading", name="Ready to submit").is_visible()
    assert vendor.url.startswith(f"{base}/onboarding/vendor/")
    assert token not in vendor.content()
    vendor.get_by_role("button", name="Submit for review").click()
    assert vendor.get_by_role("heading", name="Thank you: your answers are submitted").is_visible()
    shots.take(vendor, "vendor-submitted")
    vendor.goto(link)  # the link is spent until a reviewer asks for changes
    assert vendor.get_by_text("waiting for review").is_visible()
    shots.take(vendor, "vendor-link-spent")

    # 3. The reviewer sees what approving would add, and approves.
    onboarding = Onboarding.objects.get()
    reviewer = _log_in(browser.new_context(), base, "counsel")
    reviewer.goto(f"{base}/onboardings/{onboarding.pk}/")
    summary = reviewer.locator(".prediction-summary").inner_text()
    assert summary.startswith("Approving adds 1 critical: NO_TRANSFER_MECHANISM to Acme")
    assert "NO_AGREEMENT to Cloudy Hosting (SG)" in summary
    # The named sub-processor is proposed as a new party unless the reviewer matches it.
    match = reviewer.get_by_label(re.compile(r"^Cloudy Hosting \(SG\), proposed as"))
    assert match.input_value() == ""
    shots.take(reviewer, "reviewer-sees-prediction")
    reviewer.get_by_role("button", name="Approve").click()
    reviewer.wait_for_load_state()
    assert reviewer.get_by_text("Decision recorded: approve.").is_visible()
    shots.take(reviewer, "reviewer-approved")

    # 4. The vendor is in the register.
    reviewer.get_by_role("link", name="Parties").click()
    vendor_link = reviewer.get_by_role("link", name="Acme Call Analytics", exact=True)
    assert reviewer.get_by_role("row").filter(has=vendor_link).get_by_text("Approved").is_visible()
    vendor_link.click()
    assert reviewer.get_by_text("NO_TRANSFER_MECHANISM").first.is_visible()
    shots.take(reviewer, "party-in-register")
    assert Party.objects.get(slug="acme-call-analytics").status == "approved"
