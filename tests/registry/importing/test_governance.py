"""An import cannot publish and cannot hide a flow: processors it marks approved arrive as
submitted for a reviewer, and a `proposed` column is ignored with a message."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from flows.models import Flow
from registry.models import Party, Publication
from tests.factories import make_flow, make_own_party, make_party, make_user
from tests.registry.importing.import_helpers import messages, run_import
from tests.registry.publication_helpers import make_listed

pytestmark = pytest.mark.django_db

HEADER = "slug,name,relationship,country,engaged_by,status\n"
FILE = HEADER + (
    "acme,Acme,own,US,,approved\n"
    "sister,Acme Europe,affiliate,IE,,approved\n"
    "hosting,Hosting,processor,US,,approved\n"
    "billing,Billing,processor,US,,\n"
    "mailer,Mailer,processor,US,,approved\n"
    "backups,Backups,subprocessor,US,hosting,approved\n"
    "partner,Partner,third_party,US,,approved\n"
    "events,Events,joint_controller,DE,,approved\n"
    "draft-vendor,Draft Vendor,processor,US,,draft\n"
)


def _statuses() -> dict[str, str]:
    return dict(Party.objects.values_list("slug", "status"))


def test_processors_marked_approved_arrive_as_submitted_and_the_report_says_so():
    report = run_import("parties", FILE)
    assert report.ok, messages(report)
    assert (
        "3 processors and 1 sub-processor arrived as submitted: a reviewer approves them for "
        "the public list"
    ) in " ".join(report.warnings)
    assert _statuses() == {
        "acme": "approved", "sister": "approved", "hosting": "submitted",
        "billing": "submitted", "mailer": "submitted", "backups": "submitted",
        "partner": "approved", "events": "approved", "draft-vendor": "draft",
    }  # fmt: skip
    assert not Publication.objects.exists()


def test_a_dry_run_says_what_would_arrive_as_submitted():
    report = run_import(
        "parties", HEADER + "hosting,Hosting,processor,US,,approved\n", dry_run=True
    )
    assert report.warnings == [
        "1 processor would arrive as submitted: a reviewer approves it for the public list "
        "(Sub-processor decisions, /subprocessors/decisions/)."
    ]
    assert not Party.objects.exists()


def test_the_command_prints_the_message(tmp_path: Path):
    path = tmp_path / "parties.csv"
    path.write_text(FILE)
    out = StringIO()
    call_command("import_records", "parties", str(path), stdout=out, stderr=out)
    assert "arrived as submitted: a reviewer approves them for the public list" in out.getvalue()


def test_a_row_that_leaves_an_approved_processors_status_keeps_it_listed(client):
    make_listed("hosting", name="Old Name")
    report = run_import("parties", HEADER + "hosting,New Name,processor,US,,approved\n")
    assert report.ok and report.updated == 1 and report.warnings == []
    assert _statuses()["hosting"] == "approved"
    assert "New Name" in client.get(reverse("subprocessors")).content.decode()


def test_a_third_party_turned_processor_by_a_file_waits_for_a_reviewer():
    make_party("partner", relationship="third_party", status="approved")
    report = run_import("parties", HEADER + "partner,Partner,processor,US,,approved\n")
    assert report.ok and "1 processor arrived as submitted" in report.warnings[0]
    assert _statuses()["partner"] == "submitted"


def test_a_submitted_processor_imported_again_as_approved_is_unchanged():
    run_import("parties", HEADER + "hosting,Hosting,processor,US,,approved\n")
    report = run_import("parties", HEADER + "hosting,Hosting,processor,US,,approved\n")
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    assert "1 processor arrived as submitted" in report.warnings[0]


def test_imported_processors_wait_on_the_reviewers_page(client):
    run_import("parties", FILE)
    client.force_login(make_user("counsel", role="reviewer"))
    rows = client.get(reverse("subprocessor_decisions")).content.decode().split("<tbody>")[1]
    for name in ("Hosting", "Billing", "Mailer", "Backups"):
        assert f">{name}</a>" in rows
    assert ">Partner</a>" not in rows and ">Acme Europe</a>" not in rows


FLOW_HEADER = "reference,source,target,categories,purpose,role,started_on,proposed\n"


def test_a_proposed_column_in_a_flows_file_is_ignored_with_a_message():
    own, vendor = make_own_party("acme"), make_party("vendor")
    make_flow(own, vendor, reference="live")
    report = run_import(
        "flows",
        FLOW_HEADER
        + "live,acme,vendor,user.contact.email,essential.service,processor,2020-01-01,yes\n"
        + "new,acme,vendor,user.contact.email,essential.service,processor,2021-01-01,yes\n",
    )
    assert report.ok, messages(report)
    assert report.warnings == [
        "Column 'proposed' was ignored, like any column the flows import does not know: "
        "imported flows are live and checked by the rules. A flow is proposed only by an "
        "onboarding or an edit page, until a reviewer decides."
    ]
    assert set(Flow.objects.values_list("reference", "proposed")) == {
        ("live", False),
        ("new", False),
    }


def test_the_flow_admin_shows_proposed_but_offers_no_checkbox(client):
    own, vendor = make_own_party("acme"), make_party("vendor")
    flow = make_flow(own, vendor)
    client.force_login(make_user("root", role="admin", is_staff=True))
    page = client.get(reverse("admin:flows_flow_change", args=[flow.pk])).content.decode()
    assert "Proposed" in page
    assert 'name="proposed"' not in page
