"""Migration 0012: each party's `engaged_by` becomes an open engagement, with no notice date
and a source that tells a reviewer what to fill in; 0013 then drops the column."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("registry", "0011_engagements_and_transfer_fields")]
AFTER = [("registry", "0013_party_engaged_by_moves_to_engagements")]


@pytest.mark.django_db(transaction=True)
def test_engaged_by_becomes_an_engagement_a_reviewer_can_complete():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Party = old.get_model("registry", "Party")
    vendor = Party.objects.create(slug="vendor", name="Vendor", relationship="processor",
                                  country="US")  # fmt: skip
    Party.objects.create(slug="cloud", name="Cloud", relationship="subprocessor", country="US",
                         engaged_by=vendor)  # fmt: skip
    Party.objects.create(slug="alone", name="Alone", relationship="subprocessor", country="US")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Engagement = new.get_model("registry", "Engagement")
    rows = list(
        Engagement.objects.values_list(
            "processor__slug", "subprocessor__slug", "noticed_on", "notice_source", "ended_on"
        )
    )
    assert rows == [
        ("vendor", "cloud", None, "Recorded as “engaged by” before engagements existed", None)
    ]
    assert "engaged_by" not in {f.name for f in new.get_model("registry", "Party")._meta.fields}
    # Backwards, the processor of the open engagement is `engaged_by` again.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    cloud = old.get_model("registry", "Party").objects.get(slug="cloud")
    assert cloud.engaged_by.slug == "vendor"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
