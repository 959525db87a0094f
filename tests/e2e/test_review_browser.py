"""Legal review in a real browser (Debian's headless Chromium driven by Playwright): a
critical finding set up through the services, one reviewer accepts the risk, the page says
it awaits a second reviewer, another reviewer confirms, and the findings list says who
accepted the risk until when. Screenshots of the queue, the finding's page and the findings
list at 1366 and 390 px wide go under ci-artifacts/screenshots/reviews/.

`accept_with_second_reviewer` is the reviewers' part alone, for a test that created its
flow through the edit pages. Select with `pytest -m e2e`.
"""

from __future__ import annotations

from datetime import date, timedelta

from flows.reviews.models import Review, ReviewConfirmation
from tests.e2e.browsing import BROWSER_TEST, WIDE, Shots, log_in
from tests.factories import make_agreement, make_flow, make_own_party, make_party, make_user

FIRST, SECOND = "counsel-one", "counsel-two"

pytestmark = BROWSER_TEST


def _reviewer(username: str, first_name: str, last_name: str) -> None:
    from django.contrib.auth import get_user_model

    if not get_user_model().objects.filter(username=username).exists():
        make_user(username, role="reviewer", first_name=first_name, last_name=last_name,
                  email=f"{username}@example.com")  # fmt: skip


def accept_with_second_reviewer(browser, base: str, rule: str, flow_id: int, shots: Shots) -> None:
    """Reviewer one accepts the risk of the critical finding `rule` on flow `flow_id` from
    the queue; the page says it awaits a second reviewer; reviewer two confirms it; the
    findings list then says "Risk accepted until ... by ...". Creates the two reviewers
    (counsel-one, counsel-two) when they do not exist."""
    _reviewer(FIRST, "Rachel", "First")
    _reviewer(SECOND, "Sam", "Second")
    until = (date.today() + timedelta(days=90)).isoformat()

    first = log_in(browser.new_context(viewport=WIDE), base, FIRST)
    first.get_by_role("link", name="Review", exact=True).click()
    first.wait_for_url(f"{base}/reviews/")
    first.get_by_label("Severity").select_option("critical")
    first.get_by_label("Rule").select_option(rule)
    first.get_by_role("button", name="Show").click()
    first.wait_for_load_state()
    review_link = f'a[href="/reviews/{rule}/{flow_id}/"]'
    row = first.locator("tr").filter(has=first.locator(review_link))
    assert row.get_by_text("Open", exact=True).is_visible()
    shots.both_widths(first, "queue", full_page=True)
    row.locator(review_link).click()
    first.wait_for_url(f"{base}/reviews/{rule}/{flow_id}/")
    first.get_by_label("Accept the risk").check()
    first.get_by_label("Reason or comment", exact=True).fill(
        "Standard contractual clauses are being signed; the board accepts the risk."
    )
    first.get_by_label("Review by (accepted risk)").fill(until)
    first.get_by_role("button", name="Record the decision").click()
    first.wait_for_load_state()
    assert first.get_by_text("It awaits a second reviewer.").is_visible()
    state = first.locator(".review-state").inner_text()
    assert state == "Risk acceptance awaiting a second reviewer (accepted by Rachel First)"
    assert first.get_by_text("You accepted this risk: another reviewer confirms").is_visible()
    assert first.get_by_role("button", name="Record my answer").count() == 0
    shots.both_widths(first, "awaiting-second-reviewer", full_page=True)

    second = log_in(browser.new_context(viewport=WIDE), base, SECOND)
    second.goto(f"{base}/reviews/?state=awaiting_second&rule={rule}")
    second.locator(review_link).click()
    second.wait_for_url(f"{base}/reviews/{rule}/{flow_id}/")
    second.get_by_label("Confirm the accepted risk").check()
    second.get_by_role("button", name="Record my answer").click()
    second.wait_for_load_state()
    assert second.get_by_text(f"Accepted risk confirmed on {rule}.").is_visible()
    words = f"Risk accepted until {until} by Rachel First"
    assert second.locator(".review-state").inner_text().startswith(words)

    second.get_by_role("link", name="All the facts of this finding").click()
    second.wait_for_load_state()
    assert words in second.locator(".review-state").first.inner_text()
    shots.both_widths(second, "finding-page", full_page=True)
    second.get_by_role("link", name="Findings", exact=True).first.click()
    second.wait_for_load_state()
    second.goto(f"{base}/findings/?rule={rule}&state=accepted")
    row = second.locator("tr").filter(has=second.locator(f'a[href^="/findings/{rule}/{flow_id}/"]'))
    assert row.get_by_text(f"{words}, confirmed by Sam Second").is_visible()
    shots.both_widths(second, "findings-list", full_page=True)
    for context in (first.context, second.context):
        context.close()


def test_a_critical_risk_is_accepted_with_a_second_reviewer(browser, live_server, capsys):
    own = make_own_party("voipx", name="VoIPX Europe", country="DE")
    cloud = make_party("cloudy", name="Cloudy Inc", country="US")
    make_agreement([own, cloud], reference="dpa-cloudy")
    flow = make_flow(own, cloud, reference="de-to-cloudy")
    shots = Shots("reviews")
    with shots.reported(capsys, "Screenshots of legal review:", browser):
        accept_with_second_reviewer(browser, live_server.url, "NO_TRANSFER_MECHANISM",
                                    flow.pk, shots)  # fmt: skip
    review = Review.objects.get()
    assert review.decided_by.username == FIRST and review.needs_second_reviewer
    assert ReviewConfirmation.objects.get().decided_by.username == SECOND
