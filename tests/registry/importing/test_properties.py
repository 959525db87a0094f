"""Generated malformed files: the import never crashes and never writes half a file."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.models import Flow
from registry.models import Party
from tests.registry.importing.import_helpers import run_import, seed_parties

pytestmark = pytest.mark.django_db

PARTY_COLUMNS = ["slug", "name", "relationship", "country", "parent", "engaged_by",
                 "processing_countries", "dpf_certified_until", "status", "website"]  # fmt: skip
FLOW_COLUMNS = ["reference", "source", "target", "categories", "purpose", "role",
                "lawful_basis", "started_on", "ended_on", "transfer_agreement"]  # fmt: skip
GOOD = {
    "slug": ["acme", "cloudy", "new-co", "x1", "acme-hosting-inc"],
    "name": ["Acme", "Zürich AG", "=SUM(A1)"],
    "relationship": ["own", "processor", "subprocessor", "affiliate", "Processor (vendor)"],
    "country": ["US", "germany", "UK", "fr"],
    "parent": ["", "acme", "new-co", "x1"],
    "engaged_by": ["", "cloudy", "x1"],
    "processing_countries": ["", "US;DE", "United States"],
    "dpf_certified_until": ["", "2027-01-01"],
    "status": ["", "approved", "draft"],
    "website": ["", "example.com"],
    "reference": ["", "f-1", "f-2"],
    "source": ["acme", "cloudy"],
    "target": ["cloudy", "acme-hosting-inc", "acme"],
    "categories": ["user.name", "user.name;user.contact.email"],
    "purpose": ["essential.service"],
    "role": ["processor", "controller"],
    "lawful_basis": ["", "contract"],
    "started_on": ["2020-01-01", "2021-06-30"],
    "ended_on": ["", "2019-01-01", "2030-01-01"],
    "transfer_agreement": [""],
}
junk = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "nope", "2020-13-45", "Atlantis", ";;", "🙂", "a" * 10_050]),
)


def cell(column):
    return st.one_of(st.sampled_from(GOOD[column]), junk)


def file_of(columns):
    header = st.lists(st.sampled_from(columns + ["extra", ""]), min_size=1, max_size=12)

    @st.composite
    def build(draw):
        names = draw(header)
        rows = draw(
            st.lists(
                st.tuples(*[cell(n) if n in GOOD else junk for n in names]),
                max_size=6,
            )
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(names)
        writer.writerows(rows)
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
        return out.getvalue().encode(encoding, errors="replace")

    return build()


def register_state():
    return (
        list(Party.objects.order_by("slug").values_list("slug", "name", "parent_id", "updated_at")),
        list(Flow.objects.order_by("reference").values_list("reference", "updated_at")),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=file_of(PARTY_COLUMNS))
def test_generated_party_files_never_crash_nor_half_write(data):
    before = register_state()
    report = run_import("parties", data)
    if not report.ok:
        assert register_state() == before
        assert all(str(e) for e in report.errors)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=file_of(FLOW_COLUMNS), binary=st.binary(max_size=200))
def test_generated_flow_files_never_crash_nor_half_write(data, binary):
    if not Party.objects.filter(slug="acme").exists():
        seed_parties()
    for content in (data, binary):
        before = register_state()
        report = run_import("flows", content)
        if not report.ok:
            assert register_state() == before
