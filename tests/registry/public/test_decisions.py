"""The reviewers' page of publication decisions: who may open it, the bulk approval and
rejection, the filters, bad input, and a constant number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import Party, Publication
from tests.factories import make_engagement, make_own_party, make_party, make_user
from tests.registry.importing.import_helpers import run_import

pytestmark = pytest.mark.django_db
TODAY = date.today()
URL = reverse("subprocessor_decisions")


@pytest.fixture
def imported(db) -> dict[str, Party]:
    """What an editor's import brings: two processors and a sub-processor held back."""
    make_own_party("voipx", name="VoIPX")
    report = run_import(
        "parties",
        "slug,name,relationship,country,engaged_by,status\n"
        "nimbus,Nimbus Hosting,processor,US,,approved\n"
        "coldvault,Coldvault Storage,subprocessor,US,nimbus,approved\n"
        "ledgerline,Ledgerline Billing,processor,US,,approved\n",
    )
    assert report.ok
    return {p.slug: p for p in Party.objects.exclude(relationship="own")}


@pytest.fixture
def counsel(client):
    user = make_user("counsel", role="reviewer")
    client.force_login(user)
    return user


def _ids(*parties: Party) -> list[str]:
    return [str(p.pk) for p in parties]


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_viewers_and_editors_may_neither_see_nor_decide(client, imported, role):
    client.force_login(make_user(role, role=role))
    assert client.get(URL).status_code == 403
    data = {"action": "approve", "parties": _ids(imported["nimbus"]), "notice_on": TODAY}
    assert client.post(URL, data).status_code == 403
    assert not Publication.objects.exists()
    assert Party.objects.get(slug="nimbus").status == "submitted"


def test_a_visitor_is_sent_to_the_login_page(client, imported):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_reviewer_sees_what_waits_with_names_and_labels(client, imported, counsel):
    page = client.get(URL).content.decode()
    for name in ("Nimbus Hosting", "Coldvault Storage", "Ledgerline Billing"):
        assert name in page
    assert "Sub-processor" in page and "Processor (vendor)" in page and "Submitted" in page
    assert "VoIPX" not in page.split("<tbody>")[1], "the own company needs no decision"
    assert "Approve for the public list" in page and "Reject" in page
    assert "30 days later" in page


def test_an_approved_processor_without_a_publication_waits_too(client, counsel):
    make_party("admin-set", name="Set In Admin", status="approved")
    page = client.get(URL).content.decode()
    assert "Set In Admin" in page and "Approved, not published" in page


def test_approving_in_bulk_records_one_publication_each_with_one_notice_date(
    client, imported, counsel
):
    notice = TODAY + timedelta(days=2)
    chosen = (imported["nimbus"], imported["coldvault"])
    data = {"action": "approve", "parties": _ids(*chosen), "notice_on": notice,
            "note": "DPAs signed in March."}  # fmt: skip
    response = client.post(URL, data, follow=True)
    page = response.content.decode()
    effective = notice + timedelta(days=30)
    assert (
        f"Approved Coldvault Storage, Nimbus Hosting for the public list: announced on "
        f"{notice}, listed from {effective} (2 publications recorded)."
    ) in page
    assert "Ledgerline Billing" in page
    assert "Nimbus Hosting" not in page.split("<tbody>")[1]
    publications = Publication.objects.order_by("party__name")
    assert [(p.party.name, p.notice_on, p.effective_on, p.decided_by, p.note)
            for p in publications] == [
        ("Coldvault Storage", notice, effective, counsel, "DPAs signed in March."),
        ("Nimbus Hosting", notice, effective, counsel, "DPAs signed in March."),
    ]  # fmt: skip
    assert set(Party.objects.filter(pk__in=[p.pk for p in chosen]).values_list(
        "status", flat=True)) == {"approved"}  # fmt: skip
    assert Party.history.filter(slug="nimbus", status="approved").get().history_user == counsel


def test_rejecting_keeps_them_off_the_public_list(client, imported, counsel):
    data = {"action": "reject", "parties": _ids(imported["ledgerline"]), "note": "No DPA."}
    page = client.post(URL, data, follow=True).content.decode()
    assert "Rejected Ledgerline Billing: they stay off the public list." in page
    assert Party.objects.get(slug="ledgerline").status == "rejected"
    assert not Publication.objects.exists()
    assert "Ledgerline Billing" not in page.split("<tbody>")[1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "approve"}, "Tick at least one party to decide on."),
        ({"action": "approve", "parties": ["nimbus"]}, "Tick parties of the list only."),
        ({"action": "approve", "parties": ["9" * 40]}, "Tick parties of the list only."),
        ({"action": "approve", "parties": ["999999"]}, "no longer wait for a decision"),
        ({"action": "approve", "parties": "NIMBUS", "notice_on": "2001-01-01"},
         "The notice date cannot be in the past"),
        ({"action": "approve", "parties": "NIMBUS", "notice_on": "soon"}, "Enter a valid date."),
        ({"action": "publish", "parties": "NIMBUS"}, "Choose “Approve for the public list”"),
    ],
)  # fmt: skip
def test_bad_input_says_what_is_wrong_and_changes_nothing(client, imported, counsel, data, message):
    if data.get("parties") == "NIMBUS":
        data = {**data, "parties": _ids(imported["nimbus"])}
    response = client.post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Publication.objects.exists()
    assert set(Party.objects.exclude(relationship="own").values_list("status", flat=True)) == {
        "submitted"
    }


def test_the_filters_narrow_by_relationship_and_by_processor(client, imported, counsel):
    def rows(**filters: str) -> str:
        return client.get(URL, filters).content.decode().split("<tbody>")[1].split("</tbody>")[0]

    subs = rows(relationship="subprocessor")
    assert ">Coldvault Storage</a>" in subs and ">Nimbus Hosting</a>" not in subs
    assert "engaged by Nimbus Hosting" in subs
    nimbus = rows(processor="nimbus")
    assert ">Nimbus Hosting</a>" in nimbus and ">Coldvault Storage</a>" in nimbus
    assert "Ledgerline Billing" not in nimbus


def test_a_decision_keeps_the_filters(client, imported, counsel):
    data = {"action": "reject", "parties": _ids(imported["coldvault"])}
    response = client.post(f"{URL}?relationship=subprocessor", data)
    assert response.status_code == 302 and response["Location"].endswith(
        "?relationship=subprocessor"
    )


def test_the_page_makes_the_same_queries_for_a_few_and_for_many(client, counsel):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    processor = make_party("proc", status="submitted")
    for i in range(3):
        sub = make_party(f"few-{i}", relationship="subprocessor", status="submitted")
        make_engagement(processor, sub)
    few = queries()
    for i in range(70):
        sub = make_party(f"many-{i:02d}", relationship="subprocessor", status="submitted")
        make_engagement(processor, sub)
    page = client.get(URL).content.decode()
    assert "Page 1 of 2" in page
    assert queries() == few


def test_the_demos_onboardings_are_decided_on_their_own_pages_not_here(client, counsel):
    from django.core.management import call_command

    call_command("seed_demo", today=TODAY, stdout=open("/dev/null", "w"))
    assert Party.objects.filter(status="submitted").exists(), "an onboarding waits for review"
    page = client.get(URL).content.decode()
    assert "Nothing waits for a decision." in page
