"""Engagements of sub-processors: the model's rules, the services, the data migration from
`engaged_by`, the import kind and the parties' `engaged_by` shorthand, the party page and the
public list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flows.loading import register_load
from registry.engagements import (
    RECORDED_BEFORE,
    engagement_create,
    engagement_end,
    engagement_record,
    engagement_update,
)
from registry.importing.exporting import kind_export_rows
from registry.kinds import EngagementKind, PartyKind
from registry.models import (
    NOT_ENGAGING_ITSELF,
    ONE_OPEN_ENGAGEMENT,
    Engagement,
    engagement_problems,
)
from registry.selectors import objection_days_by_processor
from registry.services import VersionConflict, record_version
from tests.factories import (
    make_agreement,
    make_engagement,
    make_own_party,
    make_party,
    make_user,
    refused_by_the_database,
)
from tests.registry.importing.import_helpers import messages, run_import

pytestmark = pytest.mark.django_db

NOTICE = date(2024, 3, 1)


def _pair():
    return make_party("vendor", name="Vendor Mail"), make_party(
        "cloud", name="Cloud Hosting", relationship="subprocessor"
    )


# --- the model's rules and the services ----------------------------------------------------


def test_a_processor_engaging_itself_is_refused_by_the_service_and_the_database():
    vendor, _ = _pair()
    with pytest.raises(ValidationError, match="cannot engage itself"):
        engagement_create(processor=vendor, subprocessor=vendor)
    error = refused_by_the_database(
        lambda: Engagement.objects.create(processor=vendor, subprocessor=vendor)
    )
    assert error and "engagement_not_of_itself" in error
    assert [p.message for p in engagement_problems(processor=1, subprocessor=1)] == [
        NOT_ENGAGING_ITSELF
    ]


def test_a_second_open_engagement_of_a_pair_is_refused_and_an_ended_one_is_not():
    vendor, cloud = _pair()
    first = make_engagement(vendor, cloud, noticed_on=NOTICE)
    with pytest.raises(ValidationError) as refused:
        make_engagement(vendor, cloud)
    assert ONE_OPEN_ENGAGEMENT in str(refused.value)
    engagement_end(engagement=first, on=date(2024, 6, 30))
    again = make_engagement(vendor, cloud, noticed_on=date(2025, 1, 1))
    assert Engagement.objects.filter(processor=vendor, subprocessor=cloud).count() == 2
    assert again.ended_on is None


def test_a_sub_processor_may_be_engaged_by_several_processors():
    vendor, cloud = _pair()
    other = make_party("billing", name="Billing Co")
    make_engagement(vendor, cloud)
    make_engagement(other, cloud)
    assert sorted(cloud.engagements.values_list("processor__name", flat=True)) == [
        "Billing Co",
        "Vendor Mail",
    ]


def test_an_engagement_cannot_end_before_its_notice():
    vendor, cloud = _pair()
    engagement = make_engagement(vendor, cloud, noticed_on=NOTICE)
    with pytest.raises(ValidationError, match="before the processor gave notice"):
        engagement_end(engagement=engagement, on=NOTICE - timedelta(days=1))
    assert engagement_end(engagement=engagement, on=NOTICE).ended_on == NOTICE
    with pytest.raises(ValidationError, match="ended on 2024-03-01 already"):
        engagement_end(engagement=engagement, on=NOTICE + timedelta(days=3))


def test_an_update_keeps_history_and_refuses_a_stale_version():
    vendor, cloud = _pair()
    engagement = make_engagement(vendor, cloud)
    version = record_version(engagement)
    engagement_update(engagement=engagement, version=version, evidence="copy",
                      evidenced_on=NOTICE)  # fmt: skip
    assert engagement.history.count() == 2
    with pytest.raises(VersionConflict):
        engagement_update(engagement=engagement, version=version, notes="stale")
    # A save that changes nothing writes no history row.
    engagement_update(engagement=engagement, evidence="copy")
    assert engagement.history.count() == 2


def test_recording_an_engagement_reuses_the_open_one_and_fills_a_missing_notice():
    vendor, cloud = _pair()
    migrated = make_engagement(vendor, cloud, notice_source=RECORDED_BEFORE)
    found = engagement_record(processor=vendor, subprocessor=cloud, noticed_on=NOTICE,
                              notice_source="onboarding questionnaire")  # fmt: skip
    assert found.pk == migrated.pk
    found.refresh_from_db()
    assert (found.noticed_on, found.notice_source) == (NOTICE, "onboarding questionnaire")
    again = engagement_record(processor=vendor, subprocessor=cloud, noticed_on=date(2025, 1, 1))
    again.refresh_from_db()
    assert again.noticed_on == NOTICE  # a notice on record is kept


def test_the_engine_reads_every_engagement_in_one_query(django_assert_max_num_queries):
    vendor, cloud = _pair()
    make_engagement(vendor, cloud, noticed_on=NOTICE, evidence="statement", evidenced_on=NOTICE)
    (record,) = register_load().engagements
    assert (record.processor, record.subprocessor, record.noticed_on, record.evidence) == (
        "vendor",
        "cloud",
        NOTICE,
        "statement",
    )
    other = make_party("billing")
    for i in range(5):
        make_engagement(other, make_party(f"sub-{i}", relationship="subprocessor"))
    with CaptureQueriesContext(connection) as few:
        register_load()
    for i in range(5, 10):
        make_engagement(other, make_party(f"sub-{i}", relationship="subprocessor"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(register_load().engagements) == 11


# --- the objection deadline --------------------------------------------------------------


def test_the_objection_period_is_that_of_the_group_agreement_with_the_root_processor():
    own = make_own_party("acme", country="DE")
    vendor, cloud = _pair()
    backup = make_party("backup", relationship="subprocessor")
    loner = make_party("loner")
    make_agreement([own, vendor], kind="dpa", subprocessor_authorisation="general",
                   objection_days=14)  # fmt: skip
    make_engagement(vendor, cloud)
    days = objection_days_by_processor([vendor.pk, cloud.pk, loner.pk, backup.pk])
    # The vendor's own agreement; the cloud engages through the vendor's; none: 30 days.
    assert days == {vendor.pk: 14, cloud.pk: 14, loner.pk: 30, backup.pk: 30}


def test_the_party_page_lists_engagements_both_ways_with_the_deadline(
    viewer_client, django_assert_max_num_queries
):
    own = make_own_party("acme", country="DE")
    vendor, cloud = _pair()
    make_agreement([own, vendor], kind="dpa", subprocessor_authorisation="general",
                   objection_days=14)  # fmt: skip
    make_engagement(vendor, cloud, noticed_on=NOTICE, notice_source="https://vendor.example/subs",
                    evidence="statement", evidenced_on=NOTICE)  # fmt: skip
    page = viewer_client.get(cloud.get_absolute_url()).content.decode()
    assert "Processors that engage it" in page and "Vendor Mail" in page
    assert "2024-03-15" in page and "(14 days)" in page
    assert "The processor&#x27;s published statement, 2024-03-01" in page
    vendor_page = viewer_client.get(vendor.get_absolute_url()).content.decode()
    assert "Sub-processors it engages" in vendor_page and "Cloud Hosting" in vendor_page
    viewer_client.get(vendor.get_absolute_url())  # warm what is cached per process
    with CaptureQueriesContext(connection) as one:
        viewer_client.get(vendor.get_absolute_url())
    few = len(one.captured_queries)  # now: the next request empties the log
    for i in range(8):
        sub = make_party(f"sub-{i}", relationship="subprocessor")
        make_engagement(vendor, sub, noticed_on=NOTICE)
        make_engagement(make_party(f"other-{i}"), sub)
    viewer_client.get(vendor.get_absolute_url())
    with django_assert_max_num_queries(few):
        viewer_client.get(vendor.get_absolute_url())


# --- import and export -------------------------------------------------------------------

ENGAGEMENTS = "processor,subprocessor,noticed_on,notice_source,evidence,evidenced_on,ended_on\n"


def test_the_engagements_kind_creates_updates_ends_and_reimports_unchanged():
    _pair()
    make_party("billing", name="Billing Co")
    first = run_import(
        "engagements",
        ENGAGEMENTS + "vendor,cloud,2024-03-01,https://vendor.example/subs,statement,2024-03-01,\n"
        "billing,cloud,2024-04-01,letter,,,\n",
    )
    assert first.ok, messages(first)
    assert (first.new, first.updated) == (2, 0)
    header, rows = kind_export_rows(EngagementKind)
    assert header == list(EngagementKind.column_names())
    exported = ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    again = run_import("engagements", exported)
    assert again.ok and (again.new, again.updated, again.unchanged) == (0, 0, 2)
    ended = run_import("engagements", ENGAGEMENTS + "billing,cloud,,,,,2024-09-30\n")
    assert ended.ok and ended.updated == 1
    assert Engagement.objects.get(processor__slug="billing").ended_on == date(2024, 9, 30)
    reopened = run_import("engagements", ENGAGEMENTS + "billing,cloud,2025-01-02,letter,,,\n")
    assert reopened.ok and reopened.new == 1
    assert Engagement.objects.filter(processor__slug="billing").count() == 2


def test_an_engagements_row_with_a_bad_cell_says_where():
    _pair()
    report = run_import(
        "engagements",
        ENGAGEMENTS + "vendor,vendor,,,,,\nvendor,nobody,,,,,\nvendor,cloud,2024-03-01,,sworn,,\n"
        "vendor,cloud,2024-03-01,,,,2024-02-01\n",
    )
    assert not report.ok and not Engagement.objects.exists()
    text = " | ".join(messages(report))
    assert "line 2, column subprocessor: a processor cannot engage itself" in text
    assert "line 3, column subprocessor" in text and "nobody" in text
    assert "line 4, column evidence" in text
    assert (
        "line 5, column ended_on: an engagement cannot end (2024-02-01) before its notice" in text
    )


def test_the_parties_engaged_by_column_records_engagements_and_exports_them():
    make_party("vendor"), make_party("billing")
    report = run_import(
        "parties", "slug,name,relationship,country,engaged_by\ncloud,Cloud,subprocessor,US,"
        "vendor;billing\n",
    )  # fmt: skip
    assert report.ok, messages(report)
    engagements = Engagement.objects.filter(subprocessor__slug="cloud")
    assert sorted(engagements.values_list("processor__slug", flat=True)) == ["billing", "vendor"]
    header, rows = kind_export_rows(PartyKind)
    by_slug = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_slug["cloud"]["engaged_by"] == "billing;vendor"
    # A processor the column leaves out still engages the party; the row changes nothing.
    again = run_import(
        "parties", "slug,name,relationship,country,engaged_by\ncloud,Cloud,subprocessor,US,vendor\n"
    )
    assert again.ok and again.unchanged == 1 and engagements.count() == 2


# --- the public list ---------------------------------------------------------------------


def test_the_public_list_names_every_listed_processor_that_engages_a_sub_processor(client):
    from registry.publication import parties_publish

    make_own_party("acme", name="Acme")
    vendor, cloud = _pair()
    billing = make_party("billing", name="Billing Co")
    unlisted = make_party("hidden", name="Hidden Vendor", status="submitted")
    for party in (vendor, cloud, billing):
        party.status = "approved"
        party.save()
    long_ago = date.today() - timedelta(days=400)
    reviewer = make_user("counsel", role="reviewer")
    parties_publish(parties=[vendor, cloud, billing], decided_by=reviewer, notice_on=long_ago,
                    note="", today=long_ago)  # fmt: skip
    for processor in (vendor, billing, unlisted):
        make_engagement(processor, cloud, noticed_on=long_ago)
    page = client.get("/subprocessors/").content.decode()
    assert "engaged by Billing Co, Vendor Mail" in page
    assert "Hidden Vendor" not in page
