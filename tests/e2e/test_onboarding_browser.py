"""The onboarding journey in a real browser: Debian's headless Chromium driven by Playwright.

An analyst starts an onboarding for which an affiliate in the EU (VoIPX Ireland) sends the
vendor data, choosing countries, categories and purposes in searchable pickers; the vendor
completes every step through its link (which opens a session and leaves the address
token-free; with an error it corrects and a sub-processor row it adds), reviews all its
answers and attests them; a reviewer sees every answer beside the findings approving would
add (the affiliate's transfer to India among them) and approves, and the vendor appears in
the register. Each step leaves screenshots at 1366 and 390 px wide under
ci-artifacts/screenshots/onboarding/, whose paths are printed for CI's log.

Select with `pytest -m e2e`; skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from registry.models import Party
from registry.onboarding.models import Onboarding
from tests.e2e.browsing import BROWSER_TEST, Shots, log_in
from tests.factories import make_own_party, make_party, make_user

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

pytestmark = BROWSER_TEST


def _continue(page) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()


def test_a_vendor_is_onboarded_through_the_real_pages(browser, live_server, capsys):
    us = make_own_party("voipx", name="VoIPX", country="US")
    make_party(
        "voipx-ireland", name="VoIPX Ireland", relationship="affiliate", country="IE", parent=us
    )
    make_user("analyst", role="editor")
    make_user("counsel", role="reviewer", email="counsel@voipx.example")
    base = live_server.url
    shots = Shots("onboarding")
    with shots.reported(capsys, "Screenshots of the onboarding journey:", browser):
        _journey(browser, base, shots)


def _pick(
    page, search: str, query: str, role: str, name: str, nth: int = 0, exact: bool = True
) -> None:
    """Type in a picker's search box (the nth of that name), then tick the choice it
    leaves in view."""
    page.get_by_label(search).nth(nth).fill(query)
    page.get_by_role(role, name=name, exact=exact).first.check()


def _journey(browser, base: str, shots: Shots) -> None:
    # 1. The analyst starts the onboarding: VoIPX Ireland, in the EU, sends the vendor data.
    analyst = log_in(browser.new_context(), base, "analyst")
    analyst.get_by_role("link", name="Onboarding").click()
    analyst.get_by_role("link", name="Start an onboarding").click()
    analyst.get_by_label("Vendor name").fill("Acme Call Analytics")
    _pick(analyst, "Search the countries", "india", "radio", "India")
    analyst.get_by_label("Vendor contact e-mail").fill("privacy@acme.example")
    analyst.get_by_label("Service it will provide").fill("Call quality analytics")
    own = analyst.get_by_role("checkbox", name="VoIPX (United States of America, own company)")
    assert own.is_checked()  # the own company, to begin with
    own.uncheck()
    _pick(
        analyst, "Search our companies", "ireland", "checkbox", "VoIPX Ireland (Ireland, affiliate)"
    )
    _pick(
        analyst,
        "Search the categories",
        "email",
        "checkbox",
        "Email (user.contact.email)",
        exact=False,
    )
    analyst.get_by_label("Search the purposes").fill("reporting")
    analyst.get_by_role("checkbox", name=re.compile(r"\(analytics\.reporting\)$")).check()
    analyst.get_by_label("Our lawful basis for sending it").select_option("legitimate_interests")
    analyst.get_by_label("Link valid for (days)").fill("10")
    shots.both_widths(analyst, "analyst-starts")
    analyst.get_by_role("button", name="Start the onboarding and send the link").click()
    link = analyst.get_by_label("Copy this link to the vendor").input_value()
    assert "/onboarding/" in link
    assert analyst.get_by_text("VoIPX Ireland (Ireland)").is_visible()
    assert analyst.get_by_role("button", name="Issue a new link and e-mail it").is_visible()
    shots.both_widths(analyst, "link-shown")
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
    assert vendor.get_by_text("VoIPX asks you to tell it how you will handle").is_visible()
    assert "Data-flow register" not in vendor.content()
    assert vendor.title().endswith("· VoIPX")
    shots.both_widths(vendor, "vendor-overview")
    vendor.get_by_role("link", name="Your company").first.click()

    # Keyboard alone: type in the first field, then Tab reaches every field in order (the
    # country picker: its search box, then its chosen country).
    vendor.get_by_label("Legal name of your company").focus()
    vendor.keyboard.press("Control+A")
    vendor.keyboard.type("Acme Call Analytics Pvt Ltd")
    reached = []
    for _ in range(8):
        vendor.keyboard.press("Tab")
        reached.append(vendor.evaluate("document.activeElement.id"))
    assert reached[0] == "id_country_search"
    assert reached[1].startswith("id_country_")
    assert reached[2:7] == [
        "id_website",
        "id_contact_name",
        "id_contact_email",
        "id_dpo_name",
        "id_dpo_email",
    ]
    assert vendor.get_by_role("radio", name="India", exact=True).is_checked()  # the analyst's
    vendor.get_by_label("Website").fill("https://acme.example")
    vendor.get_by_label("Contact person").fill("Priya Rao")
    vendor.get_by_label("Contact e-mail:", exact=True).fill("priya@acme.example")
    vendor.get_by_label("Data protection officer or privacy contact").fill("Dev Mehta")
    vendor.get_by_label("DPO or privacy contact e-mail").fill("dpo-at-acme")  # the error
    vendor.get_by_label("DPO or privacy contact e-mail").press("Enter")  # submit by keyboard
    vendor.wait_for_load_state()
    assert vendor.get_by_text("Enter a valid email address.").is_visible()
    assert vendor.get_by_label("Contact person").input_value() == "Priya Rao"  # nothing lost
    shots.both_widths(vendor, "vendor-error")
    vendor.get_by_label("DPO or privacy contact e-mail").fill("dpo@acme.example")  # corrected
    _continue(vendor)

    vendor.get_by_label("Services you will provide to us").fill("We analyse call quality.")
    reporting = vendor.get_by_role("checkbox", name=re.compile(r"\(analytics\.reporting\)$"))
    assert reporting.is_checked()  # from the analyst
    vendor.get_by_label("Search the purposes").fill("support")
    assert reporting.is_visible()  # a chosen purpose stays in view whatever the search
    shots.both_widths(vendor, "vendor-services")
    _continue(vendor)

    vendor.get_by_label("Search the categories").fill("name")
    vendor.get_by_label(re.compile(r"^\s*Name \(user\.name\)$")).check()
    assert vendor.get_by_label(
        "Email (user.contact.email)", exact=False
    ).is_checked()  # from the analyst
    shots.both_widths(vendor, "vendor-categories")
    _continue(vendor)

    _pick(vendor, "Search the countries", "india", "checkbox", "India")
    shots.both_widths(vendor, "vendor-countries")
    _continue(vendor)

    vendor.get_by_role("button", name="Add a sub-processor").click()
    vendor.get_by_label("Sub-processor name").fill("Cloudy Hosting")
    _pick(vendor, "Search the countries", "singapore", "radio", "Singapore")
    _pick(vendor, "Search the countries", "singapore", "checkbox", "Singapore", nth=1)
    vendor.get_by_label("Service it provides").fill("Hosting")
    _pick(
        vendor,
        "Search the categories",
        "email",
        "checkbox",
        "Email (user.contact.email)",
        exact=False,
    )
    assert vendor.get_by_label("No written agreement with it").is_checked()
    shots.both_widths(vendor, "vendor-subprocessor-row")
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
    shots.both_widths(vendor, "vendor-agreements")
    _continue(vendor)

    # The review page: every answer in words, then the attestation.
    assert vendor.get_by_role("heading", name="Review your answers and submit").is_visible()
    assert vendor.url == f"{base}/onboarding/vendor/review/"
    assert token not in vendor.content()
    answers = vendor.locator(".answers")
    for shown in ["Dev Mehta", "Singapore", "No written agreement with it", "dpa.pdf"]:
        assert answers.get_by_text(shown).first.is_visible(), shown
    shots.both_widths(vendor, "vendor-review")
    shots.both_widths(vendor, "vendor-review-subprocessors", scroll_to="#answers-subprocessors")
    vendor.get_by_role("button", name="Attest and submit for review").click()
    vendor.wait_for_load_state()
    assert vendor.get_by_text("Complete the attestation to submit").is_visible()
    vendor.get_by_label("Your full name").fill("Priya Rao")
    vendor.get_by_label("Your role at your company").fill("Head of compliance")
    vendor.get_by_label(re.compile("^I confirm that these answers are true")).check()
    shots.both_widths(vendor, "vendor-attestation")
    vendor.get_by_role("button", name="Attest and submit for review").click()
    assert vendor.get_by_role("heading", name="Thank you: your answers are submitted").is_visible()
    assert vendor.get_by_text(f"on {date.today():%Y-%m-%d}").is_visible()
    shots.both_widths(vendor, "vendor-submitted")
    vendor.goto(link)  # the link is spent until a reviewer asks for changes
    assert vendor.get_by_text("waiting for review").is_visible()
    assert vendor.get_by_text("ask your contact at VoIPX for a new link").is_visible()
    shots.both_widths(vendor, "vendor-link-spent")

    # 3. The reviewer sees what approving would add, and approves.
    onboarding = Onboarding.objects.get()
    reviewer = log_in(browser.new_context(), base, "counsel")
    reviewer.goto(f"{base}/onboardings/{onboarding.pk}/")
    summary = reviewer.locator(".prediction-summary").inner_text()
    # The affiliate in Ireland sends to India: a restricted transfer with no mechanism, and the
    # vendor passes that EU-origin data on to Singapore; nothing evidences its contract there.
    assert summary.startswith("Approving adds 3 critical: NO_TRANSFER_MECHANISM to Acme")
    assert "NO_TRANSFER_MECHANISM to Cloudy Hosting (SG)" in summary
    assert "SUBPROCESSOR_AGREEMENT_UNCONFIRMED to Cloudy Hosting (SG)" in summary
    side = reviewer.locator(".review-side")
    assert side.get_by_text("VoIPX Ireland → Acme Call Analytics").first.is_visible()
    answers = reviewer.locator(".review-answers")
    for shown in ["Dev Mehta", "Yes", "A DPA is signed with you", "Head of compliance"]:
        assert answers.get_by_text(shown).first.is_visible(), shown
    # The named sub-processor is proposed as a new party unless the reviewer matches it.
    match = reviewer.get_by_label(re.compile(r"^Cloudy Hosting \(SG\), proposed as"))
    assert match.input_value() == ""
    shots.both_widths(reviewer, "reviewer-sees-prediction")
    shots.both_widths(reviewer, "reviewer-answers", scroll_to="#answers-subprocessors")
    shots.both_widths(reviewer, "reviewer-prediction-and-decision", scroll_to="#prediction")
    reviewer.get_by_role("button", name="Approve").click()
    reviewer.wait_for_load_state()
    assert reviewer.get_by_text("Decision recorded: the vendor is approved.").is_visible()
    shots.both_widths(reviewer, "reviewer-approved")

    # 4. The vendor is in the register.
    reviewer.get_by_role("link", name="Parties").click()
    reviewer.wait_for_url(f"{base}/parties/")
    vendor_link = reviewer.get_by_role("link", name="Acme Call Analytics", exact=True)
    assert reviewer.get_by_role("row").filter(has=vendor_link).get_by_text("Approved").is_visible()
    vendor_link.click()
    assert reviewer.get_by_text("NO_TRANSFER_MECHANISM").first.is_visible()
    shots.both_widths(reviewer, "party-in-register")
    assert Party.objects.get(slug="acme-call-analytics").status == "approved"
