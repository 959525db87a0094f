"""The edit pages in a real browser: Debian's headless Chromium driven by Playwright.

(a) An editor adds a flow that breaks a rule (personal data from an EU company to a vendor
in India with no transfer mechanism) with the party picker's search, sees the prediction,
confirms, and the finding is on /findings/. (b) Two editors open the same flow and both
save: the second is refused with what the first changed, and keeps what they typed.
(c) Each edit page at 1366 and 390 px wide. Screenshots go under
ci-artifacts/screenshots/editing/, their paths printed for CI's log.

`add_flow_breaking_a_rule` is the editor's part of (a), for a test that goes on with a
reviewer's steps. Select with `pytest -m e2e`.
"""

from __future__ import annotations

from datetime import date, timedelta

from flows.models import Flow, Purpose
from registry.models import Party
from registry.services import record_version
from tests.e2e.browsing import BROWSER_TEST, NARROW, WIDE, Shots, log_in
from tests.factories import make_agreement, make_flow, make_own_party, make_party, make_user

FOLDER = "editing"  # ci-artifacts/screenshots/editing/, one prefix a test
WIDTHS = (WIDE["width"], NARROW["width"])

pytestmark = BROWSER_TEST

__all__ = ["add_flow_breaking_a_rule", "register_for_editing"]


def register_for_editing() -> None:
    """What the journeys need, made once: VoIPX Europe (the own company, in Germany), Acme
    Support (a vendor in India) bound by a DPA, and two editors."""
    if not Party.objects.filter(slug="voipx").exists():
        voipx = make_own_party("voipx", name="VoIPX Europe", country="DE")
        acme = make_party("acme", name="Acme Support", country="IN")
        make_agreement([voipx, acme], reference="dpa-acme", kind="dpa")
    for name in ("editor", "second-editor"):
        if not _user_exists(name):
            make_user(name, role="editor")


def _user_exists(name: str) -> bool:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=name).exists()


def _pick_party(page, label: str, typed: str, name: str) -> None:
    page.get_by_label(label).fill(typed)
    page.get_by_role("option", name=name).click()


def add_flow_breaking_a_rule(browser, base: str, shots: Shots) -> tuple[str, int]:
    """The editor's steps: add VoIPX Europe → Acme Support (email addresses, no transfer
    mechanism), see the prediction, confirm, and find the finding on /findings/.
    Returns the rule broken and the new flow's id."""
    register_for_editing()
    rule = "NO_TRANSFER_MECHANISM"
    editor = log_in(browser.new_context(), base, "editor")  # at the wide size
    editor.get_by_role("link", name="Flows", exact=True).click()
    editor.get_by_role("link", name="Add a flow").click()
    _pick_party(editor, "Source (the party that sends the data)", "voip", "VoIPX Europe")
    _pick_party(editor, "Target (the party that receives it)", "acme", "Acme Support")
    editor.get_by_label("Search the categories").fill("email")
    editor.get_by_label("Email (user.contact.email)").check()
    purpose = Purpose.objects.get(key="essential.service")
    editor.get_by_label("Search the purposes").fill("essential.service")
    editor.get_by_label(f"{purpose.name} (essential.service)").check()
    editor.get_by_label("Processor", exact=True).check()
    editor.get_by_label("Lawful basis").select_option("contract")
    editor.get_by_label("Started on").fill("2024-01-01")
    shots.take(editor, "editor-fills-the-flow")
    editor.get_by_role("button", name="Check what saving changes").click()
    editor.wait_for_load_state()
    summary = editor.locator(".prediction-summary").inner_text()
    assert summary == (f"Saving adds 1 critical: {rule} on VoIPX Europe → Acme Support (IN)."), (
        summary
    )
    assert editor.get_by_text("Restricted transfer with no transfer mechanism").is_visible()
    assert not Flow.objects.exists()  # nothing saved by the check
    shots.take(editor, "editor-sees-the-prediction")
    editor.get_by_role("button", name="Confirm and save").click()
    editor.wait_for_load_state()
    assert editor.get_by_text("added to the register").is_visible()
    flow = Flow.objects.get(source__slug="voipx", target__slug="acme")
    assert editor.url == f"{base}/flows/{flow.pk}/"
    shots.take(editor, "flow-saved")
    editor.get_by_role("link", name="Findings", exact=True).click()
    row = editor.get_by_role("row").filter(has_text=rule).filter(has_text="Acme Support")
    assert row.first.is_visible()
    shots.take(editor, "finding-listed")
    return rule, flow.pk


def test_an_editor_adds_a_flow_that_breaks_a_rule(browser, live_server, capsys):
    shots = Shots(FOLDER, prefix="a-")
    with shots.reported(capsys, "Screenshots of an editor adding a flow:", browser):
        rule, flow_id = add_flow_breaking_a_rule(browser, live_server.url, shots)
    assert rule == "NO_TRANSFER_MECHANISM"
    assert Flow.objects.get(pk=flow_id).history.get().history_user.username == "editor"


def test_two_editors_save_the_same_flow(browser, live_server, capsys):
    register_for_editing()
    voipx, acme = Party.objects.get(slug="voipx"), Party.objects.get(slug="acme")
    flow = make_flow(voipx, acme, reference="tickets", started_on=date(2024, 1, 1))
    base = live_server.url
    shots = Shots(FOLDER, prefix="b-")
    with shots.reported(capsys, "Screenshots of two editors saving one flow:", browser):
        first = log_in(browser.new_context(), base, "editor")
        second = log_in(browser.new_context(), base, "second-editor")
        for page in (first, second):
            page.goto(f"{base}/flows/{flow.pk}/edit/")
        first.get_by_label("Description").fill("Support tickets, with the caller's e-mail.")
        first.get_by_role("button", name="Check what saving changes").click()
        first.get_by_role("button", name="Confirm and save").click()
        first.wait_for_load_state()
        assert first.get_by_text("saved.").first.is_visible()

        second.get_by_label("Description").fill("Tickets: mine.")
        second.get_by_label("Lawful basis").select_option("legitimate_interests")
        second.get_by_role("button", name="Check what saving changes").click()
        second.wait_for_load_state()
        conflict = second.locator(".edit-conflict")
        assert conflict.get_by_text(
            "Someone else saved this record after you opened it"
        ).is_visible()
        assert "editor" in conflict.inner_text()
        assert "Description: — → Support tickets, with the caller's e-mail." in " ".join(
            conflict.inner_text().split()
        )
        assert second.get_by_label("Description").input_value() == "Tickets: mine."
        assert second.get_by_label("Lawful basis").input_value() == "legitimate_interests"
        shots.take(second, "second-editor-refused", full_page=True)
        assert Flow.objects.get(pk=flow.pk).description.startswith("Support tickets")

        # Having read it, the second editor keeps their values knowingly.
        second.get_by_role("button", name="Check what saving changes").click()
        second.get_by_role("button", name="Confirm and save").click()
        second.wait_for_load_state()
        assert Flow.objects.get(pk=flow.pk).description == "Tickets: mine."
        assert Flow.objects.get(pk=flow.pk).history.count() == 3


def test_each_edit_page_at_two_widths(browser, live_server, capsys):
    register_for_editing()
    voipx, acme = Party.objects.get(slug="voipx"), Party.objects.get(slug="acme")
    flow = make_flow(voipx, acme, reference="tickets", started_on=date(2024, 1, 1))
    base = live_server.url
    pages = {
        "party-new": "/parties/new/",
        "party-edit": "/parties/acme/edit/",
        "party-offboard": "/parties/acme/offboard/",
        "agreement-new": "/agreements/new/",
        "agreement-edit": "/agreements/dpa-acme/edit/",
        "agreement-terminate": "/agreements/dpa-acme/terminate/",
        "flow-new": "/flows/new/",
        "flow-edit": f"/flows/{flow.pk}/edit/",
        "flow-end": f"/flows/{flow.pk}/end/",
    }
    shots = Shots(FOLDER, prefix="c-")
    with shots.reported(capsys, "Screenshots of the edit pages:", browser):
        for width in WIDTHS:
            context = browser.new_context()
            page = log_in(context, base, "editor")
            # The context's viewport option is not honoured by this Chromium; the page's is.
            page.set_viewport_size({"width": width, "height": 900})
            for name, url in pages.items():
                page.goto(base + url)
                assert page.locator("h1").is_visible()
                shots.take(page, f"{name}-{width}", full_page=True)
            # The checked state: the prediction above the form, and the party picker open.
            page.goto(f"{base}/flows/{flow.pk}/end/")
            page.get_by_label("Last day of the flow").fill(
                (date.today() - timedelta(days=1)).isoformat()
            )
            page.get_by_role("button", name="Check what it changes").click()
            page.wait_for_load_state()
            summary = page.locator(".prediction-summary").inner_text()
            assert summary.startswith("Ending the flow clears 1 critical"), summary
            shots.take(page, f"flow-end-checked-{width}", full_page=True)
            page.goto(f"{base}/agreements/new/")
            page.get_by_role("combobox", name="Parties").fill("a")
            page.get_by_role("option", name="Acme Support").click()
            page.get_by_role("combobox", name="Parties").fill("vo")
            page.get_by_role("option", name="VoIPX Europe").wait_for()
            shots.take(page, f"agreement-party-picker-{width}")
            context.close()
        assert record_version(flow) is not None
