"""The stored findings always equal a full evaluation of the register, whatever sequence of
writes came before, by whichever path: services, plain model saves, deletes, many-to-many
changes, imports, engagements of sub-processors, and changes to the tables every flow
reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.engine.rules import evaluate
from flows.findings.store import stored_findings
from flows.loading import register_load
from flows.models import DataCategory, FindingsState, Flow
from registry.engagements import engagement_end, engagement_record, engagement_update
from registry.importing.engine import records_import
from registry.models import Agreement, Engagement, Party
from tests.factories import (
    category,
    make_agreement,
    make_engagement,
    make_flow,
    make_own_party,
    make_party,
)

TODAY = date.today()
KEYS = (
    "user.contact.email",
    "user.contact",
    "user.financial.bank_account",
    "user.health_and_medical",
    "user.criminal_history",
)
COUNTRIES = ("US", "DE", "FR", "IN", "CH", "GB", "SG")
SLUGS = ("own", "europe", "swiss", "vendor-a", "vendor-b", "vendor-c", "sub-x", "sub-y", "ad-co")


def _register() -> dict[str, Party]:
    own = make_own_party("own", country="US")
    parties = {"own": own}
    parties["europe"] = make_party("europe", relationship="affiliate", country="IE", parent=own)
    parties["swiss"] = make_party("swiss", relationship="affiliate", country="CH", parent=own)
    for slug in ("vendor-a", "vendor-b", "vendor-c"):
        parties[slug] = make_party(slug, relationship="processor", country="US")
    for slug in ("sub-x", "sub-y"):
        parties[slug] = make_party(slug, relationship="subprocessor", country="IN")
        make_engagement(
            parties["vendor-a"],
            parties[slug],
            noticed_on=date(2018, 1, 1),
            evidence="copy",
            evidenced_on=date(2018, 1, 1),
        )
    parties["ad-co"] = make_party("ad-co", relationship="third_party", country="US")
    return parties


def assert_store_is_a_full_evaluation() -> None:
    expected = evaluate(register_load(), TODAY)
    assert stored_findings() == expected
    assert FindingsState.objects.get().as_of == TODAY


slugs = st.sampled_from(SLUGS)
days = st.integers(min_value=-4000, max_value=400).map(lambda n: TODAY + timedelta(days=n))


@st.composite
def flow_writes(draw: st.DrawFn) -> tuple:
    source, target = draw(st.lists(slugs, min_size=2, max_size=2, unique=True))
    return (
        "flow",
        draw(st.integers(0, 7)),
        source,
        target,
        draw(st.sets(st.sampled_from(KEYS), min_size=1, max_size=2)),
        draw(st.sampled_from(["processor", "subprocessor", "controller"])),
        draw(st.sampled_from(["", "contract", "consent"])),
        draw(st.sampled_from(["", "scc_2021", "safe_harbor", "dpf", "adequacy"])),
        draw(st.one_of(st.none(), days)),
        draw(st.sets(st.sampled_from(COUNTRIES), max_size=2)),
    )


@st.composite
def agreement_writes(draw: st.DrawFn) -> tuple:
    return (
        "agreement",
        draw(st.integers(0, 5)),
        draw(st.lists(slugs, min_size=2, max_size=3, unique=True)),
        draw(st.sampled_from(["dpa", "nda", "scc_2021_m2", "c2c_sharing", "intra_group"])),
        draw(days),
        draw(st.one_of(st.none(), days)),
        draw(st.sets(st.sampled_from(KEYS), max_size=1)),
        draw(st.booleans()),
        draw(st.sampled_from(["none", "general", "specific"])),
    )


party_writes = st.tuples(
    st.just("party"),
    st.sampled_from(SLUGS[3:]),
    st.sampled_from(COUNTRIES),
    st.sampled_from(["approved", "under_review", "offboarded"]),
    st.one_of(st.none(), days),
    st.sampled_from(["processor", "subprocessor", "third_party"]),
)
engagement_writes = st.tuples(
    st.just("engagement"),
    st.sampled_from(SLUGS[3:8]),
    st.sampled_from(SLUGS[3:8]),
    st.sampled_from(["record", "update", "end", "delete", "import"]),
    st.one_of(st.none(), days),
    st.sampled_from(["", "copy", "statement"]),
    st.booleans(),
)
other_writes = st.one_of(
    st.tuples(st.just("delete_flow"), st.integers(0, 7)),
    st.tuples(st.just("propose_flow"), st.integers(0, 7), st.booleans()),
    st.tuples(st.just("delete_agreement"), st.integers(0, 5)),
    st.tuples(st.just("move_flow"), st.integers(0, 7), slugs),
    st.tuples(st.just("flag_category"), st.sampled_from(KEYS), st.booleans()),
    st.tuples(st.just("import_party"), st.sampled_from(SLUGS[3:]), st.sampled_from(COUNTRIES)),
    st.tuples(st.just("reparent"), st.sampled_from(SLUGS[3:6]), st.booleans()),
)
chain_writes = st.tuples(
    # An onward hop from a party outside the zones, then the flow that brings it data of an
    # origin (or ends it): the hop's findings follow the flow upstream of it.
    st.just("chain"),
    st.integers(0, 7),
    st.integers(0, 7),
    st.sampled_from(["europe", "swiss", "own"]),
    st.sampled_from(["vendor-a", "vendor-b", "ad-co"]),
    st.sampled_from(["sub-x", "sub-y", "vendor-c", "vendor-a"]),
    st.sampled_from(["processor", "subprocessor", "controller"]),
    st.sampled_from(KEYS),
    st.one_of(st.none(), days),
)
writes = st.one_of(
    flow_writes(), agreement_writes(), party_writes, engagement_writes, other_writes, chain_writes
)


def _apply(write: tuple, parties: dict[str, Party]) -> None:
    kind, *args = write
    if kind == "flow":
        n, source, target, keys, role, basis, mechanism, ended, countries = args
        started = date(2019, 1, 1)
        make_flow(
            parties[source],
            parties[target],
            reference=f"flow-{n}",
            categories=[category(k) for k in sorted(keys)],
            role=role,
            lawful_basis=basis,
            transfer_mechanism=mechanism,
            started_on=started,
            ended_on=ended if ended is not None and ended >= started else None,
            processing_countries=sorted(countries),
        )
    elif kind == "agreement":
        n, members, agreement_kind, signed, expires, keys, flowdown, authorisation = args
        make_agreement(
            [parties[s] for s in members],
            reference=f"agreement-{n}",
            kind=agreement_kind,
            signed_on=signed,
            expires_on=expires if expires is not None and expires >= signed else None,
            categories=[category(k) for k in sorted(keys)],
            flowdown=flowdown,
            subprocessor_authorisation=authorisation,
        )
    elif kind == "party":
        slug, country, status, certified, relationship = args
        party = Party.objects.get(slug=slug)
        party.country, party.status, party.dpf_certified_until = country, status, certified
        party.relationship = relationship
        party.save()
    elif kind == "engagement":
        _apply_engagement(*args)
    elif kind == "chain":
        upstream, hop, origin, via, target, role, key, ended = args
        started = date(2019, 1, 1)
        if via != target:
            make_flow(
                parties[via], parties[target], reference=f"flow-{hop}", role=role,
                categories=[category(key)],
            )  # fmt: skip
            make_flow(
                parties[origin], parties[via], reference=f"flow-{upstream}",
                categories=[category(key)], started_on=started,
                ended_on=ended if ended is not None and ended >= started else None,
            )  # fmt: skip
    elif kind == "delete_flow":
        Flow.objects.filter(reference=f"flow-{args[0]}").delete()
    elif kind == "propose_flow":
        for flow in Flow.objects.filter(reference=f"flow-{args[0]}"):
            flow.proposed = args[1]
            flow.save()
    elif kind == "delete_agreement":
        Agreement.objects.filter(reference=f"agreement-{args[0]}", transfers=None).delete()
    elif kind == "move_flow":
        for flow in Flow.objects.filter(reference=f"flow-{args[0]}").exclude(source__slug=args[1]):
            flow.target = Party.objects.get(slug=args[1])
            flow.save()
    elif kind == "flag_category":
        node = DataCategory.objects.get(key=args[0])
        node.special_category = args[1]
        node.save()
    elif kind == "import_party":
        slug, country = args
        party = Party.objects.get(slug=slug)
        engaged_by = ";".join(
            party.engagements.filter(ended_on__isnull=True)
            .order_by("processor__slug")
            .values_list("processor__slug", flat=True)
        )
        data = (
            "slug,name,relationship,country,engaged_by\n"
            f"{slug},{party.name},{party.relationship},{country},{engaged_by}\n"
        ).encode()
        report = records_import(kind="parties", filename="parties.csv", data=data)
        assert not report.errors, report.errors
    elif kind == "reparent":
        party = Party.objects.get(slug=args[0])
        party.parent = Party.objects.get(slug="own") if args[1] else None
        party.relationship = "affiliate" if args[1] else "processor"
        party.save()


def _apply_engagement(
    processor: str, subprocessor: str, action: str, on: date | None, evidence: str, objected: bool
) -> None:
    """An engagement written by a service, a delete or an import."""
    if processor == subprocessor:
        return
    p, s = Party.objects.get(slug=processor), Party.objects.get(slug=subprocessor)
    found = Engagement.objects.filter(processor=p, subprocessor=s, ended_on__isnull=True).first()
    evidenced_on = on if evidence else None
    try:
        if action == "record":
            engagement_record(processor=p, subprocessor=s, noticed_on=on, notice_source="list")
        elif action == "update" and found is not None:
            objected_on = on if objected else None
            engagement_update(engagement=found, noticed_on=on, evidence=evidence,
                              evidenced_on=evidenced_on, objected_on=objected_on)  # fmt: skip
        elif action == "end" and found is not None:
            engagement_end(engagement=found, on=on or TODAY)
    except ValidationError:
        return  # an end before the notice, say: refused, nothing written
    if action == "delete":
        Engagement.objects.filter(processor=p, subprocessor=s).delete()
    elif action == "import":
        data = (
            "processor,subprocessor,noticed_on,evidence,evidenced_on\n"
            f"{processor},{subprocessor},{on or ''},{evidence},{evidenced_on or ''}\n"
        ).encode()
        report = records_import(kind="engagements", filename="engagements.csv", data=data)
        assert not report.errors, report.errors


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(writes, min_size=1, max_size=10))
def test_stored_findings_always_equal_a_full_evaluation(sequence: list[tuple]) -> None:
    with transaction.atomic():
        parties = _register()
        for write in sequence:
            _apply(write, parties)
            assert_store_is_a_full_evaluation()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_change_too_large_to_follow_is_refreshed_by_the_background_task(settings) -> None:
    """Past the inline size, the whole register is evaluated by the task (run here by the
    immediate backend), which also clears the "being refreshed" mark."""
    parties = _register()
    make_flow(parties["europe"], parties["vendor-a"], reference="flow-1")
    settings.FINDINGS_INLINE_FLOWS = 0
    node = DataCategory.objects.get(key="user.contact.email")
    node.special_category = True
    node.save()
    assert_store_is_a_full_evaluation()
    assert FindingsState.objects.get().refresh_requested_at is None
    assert any(f.rule == "SPECIAL_CATEGORY_NO_ART9_CONDITION" for f in stored_findings())
