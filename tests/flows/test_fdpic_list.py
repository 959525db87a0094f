"""Migration 0014 seeds the FDPIC's list of states with adequate protection before the revised
FADP (until 2023-08-31), as rows reviewers edit, each marked unverified; the engine reads them
as it reads the other adequacy rows."""

from datetime import date

import pytest

from flows.engine.jurisdictions import Jurisdictions
from flows.loading import register_load
from flows.models import AdequacyDecision

pytestmark = pytest.mark.django_db


def test_the_fdpic_list_is_seeded_until_2023_08_31_and_marked_unverified():
    rows = AdequacyDecision.objects.filter(regime="CH", valid_to=date(2023, 8, 31))
    assert {"GB", "AR", "IL", "NZ", "MC"} <= {
        str(c) for c in rows.values_list("country", flat=True)
    }
    assert all("Unverified" in row.verification for row in rows)
    uk = rows.get(country="GB")
    assert uk.valid_from == date(2021, 1, 1)
    assert rows.get(country="CA").scope == "sectoral"
    assert not rows.filter(country__in=["US", "JP"]).exists()


def test_the_annex_1_rows_point_to_the_fdpic_rows_before_them():
    annex = AdequacyDecision.objects.get(regime="CH", country="GB", valid_from=date(2023, 9, 1))
    assert "FDPIC" in annex.notes and "[gap]" not in annex.notes


def test_swiss_exporters_find_the_uk_adequate_on_either_side_of_2023_09_01():
    reg = register_load()
    tables = Jurisdictions(reg.zones, reg.adequacy, reg.mechanisms)
    for day in (date(2021, 1, 1), date(2023, 8, 31), date(2023, 9, 1)):
        assert tables.adequate("CH", "GB", day)
    assert tables.adequate("CH", "MC", date(2023, 8, 31))
    assert not tables.adequate("CH", "JP", date(2022, 1, 1))
