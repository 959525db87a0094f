"""One test of "is this flow active on D", asked two ways: `flows.models.active_on` in SQL
for querysets and `flows.engine.records.is_active` on the loaded records. They must agree on
every flow and every day, the first and last day of a flow included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.engine.records import is_active
from flows.loading import register_load
from flows.models import Flow, active_on
from tests.factories import make_own_party, make_party, purpose

pytestmark = pytest.mark.django_db

ORIGIN = date(2020, 1, 1)
days = st.integers(min_value=0, max_value=60).map(lambda n: ORIGIN + timedelta(days=n))
periods = st.tuples(days, st.none() | st.integers(min_value=0, max_value=20)).map(
    lambda p: (p[0], None if p[1] is None else p[0] + timedelta(days=p[1]))
)


def _probes(spans: list[tuple[date, date | None]], picked: list[date]) -> set[date]:
    """The days picked, and the days around each start and end, where the tests could differ."""
    edges = {day for start, end in spans for day in (start, end) if day is not None}
    return set(picked) | {edge + timedelta(days=shift) for edge in edges for shift in (-1, 0, 1)}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spans=st.lists(periods, min_size=1, max_size=8), picked=st.lists(days, max_size=4))
def test_the_sql_and_the_record_test_of_activity_agree(spans, picked):
    # Examples share the test's transaction: each runs in a savepoint that is rolled back.
    with transaction.atomic():
        try:
            _check_activity(spans, picked)
        finally:
            transaction.set_rollback(True)


def _check_activity(spans: list[tuple[date, date | None]], picked: list[date]) -> None:
    own, vendor = make_own_party(), make_party("vendor")
    Flow.objects.bulk_create(
        Flow(
            reference=f"flow-{i}",
            source=own,
            target=vendor,
            purpose=purpose(),
            role="processor",
            started_on=start,
            ended_on=end,
        )
        for i, (start, end) in enumerate(spans)
    )
    records = register_load().flows
    assert len(records) == len(spans)
    for day in sorted(_probes(spans, picked)):
        in_sql = set(Flow.objects.filter(active_on(day)).values_list("id", flat=True))
        in_records = {flow.id for flow in records if is_active(flow, day)}
        assert in_sql == in_records, day


def test_a_flow_is_active_from_its_first_day_through_its_last(db):
    own, vendor = make_own_party(), make_party("vendor")
    Flow.objects.create(
        reference="f",
        source=own,
        target=vendor,
        purpose=purpose(),
        role="processor",
        started_on=date(2024, 1, 10),
        ended_on=date(2024, 1, 20),
    )
    [record] = register_load().flows
    for day, expected in [
        (date(2024, 1, 9), False),
        (date(2024, 1, 10), True),
        (date(2024, 1, 20), True),
        (date(2024, 1, 21), False),
    ]:
        assert Flow.objects.filter(active_on(day)).exists() is expected, day
        assert is_active(record, day) is expected, day
