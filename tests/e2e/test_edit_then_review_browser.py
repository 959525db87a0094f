"""From an edit to its legal review in a real browser (Debian's headless Chromium driven by
Playwright): an editor adds, through the edit pages, a flow from VoIPX Europe (Germany) to
Acme Support (India) with no transfer mechanism, sees the prediction (1 critical:
NO_TRANSFER_MECHANISM) and confirms; a reviewer accepts the risk from the queue, a second
reviewer confirms it (four eyes: the finding is critical), and the findings list says who
accepted the risk until when. Screenshots under ci-artifacts/screenshots/edit-then-review/.

Select with `pytest -m e2e`; skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

from flows.choices import ReviewDecision
from flows.models import Flow
from flows.reviews.models import Review, ReviewConfirmation
from tests.e2e.browsing import BROWSER_TEST, Shots
from tests.e2e.test_editing_browser import add_flow_breaking_a_rule
from tests.e2e.test_review_browser import FIRST, SECOND, accept_with_second_reviewer

pytestmark = BROWSER_TEST


def test_an_editors_flow_breaks_a_critical_rule_and_two_reviewers_accept_the_risk(
    browser, live_server, capsys
):
    shots = Shots("edit-then-review")
    with shots.reported(capsys, "Screenshots of an edit and its review:", browser):
        rule, flow_id = add_flow_breaking_a_rule(browser, live_server.url, shots)
        accept_with_second_reviewer(browser, live_server.url, rule, flow_id, shots)
    assert rule == "NO_TRANSFER_MECHANISM"
    assert Flow.objects.get(pk=flow_id).history.get().history_user.username == "editor"
    review = Review.objects.get(rule=rule, flow_id=flow_id)
    assert review.decision == ReviewDecision.ACCEPT_RISK
    assert review.decided_by.username == FIRST and review.needs_second_reviewer
    assert ReviewConfirmation.objects.get().decided_by.username == SECOND
