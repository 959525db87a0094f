"""The regime follows the data (issue 17, item 3): origin regimes propagated along the active
flows (flows/engine/origins.py), onward hops judged as restricted transfers, and the onward
transfer principle of the US frameworks.

Acme GmbH (DE), Acme Ltd (GB) and Acme AG (CH) send contact data to CloudCo Hosting, a US
processor, which passes it on to sub-processors in India, Singapore and Australia.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from flows.engine.context import RuleContext
from flows.engine.records import EngagementRecord, Finding, FlowRecord, Register
from tests.flows.engine.record_builders import (
    AS_OF,
    CONTACT,
    EMAIL,
    PHONE,
    agreement,
    findings,
    flow,
    party,
    register,
)

DAY = timedelta(days=1)
TRANSFER_RULES = {
    "NO_TRANSFER_MECHANISM",
    "INVALID_TRANSFER_MECHANISM",
    "MISSING_TIA",
    "SCC_MODULE_MISMATCH",
}
SUBS = {2: "sub-in", 3: "sub-sg", 4: "sub-au"}


def parties(**cloudco: Any) -> dict[str, Any]:
    records = [
        party("acme", "own", "US", name="Acme Voice"),
        party("acme-de", "affiliate", "DE", name="Acme GmbH", parent="acme"),
        party("acme-uk", "affiliate", "GB", name="Acme Ltd", parent="acme"),
        party("acme-ch", "affiliate", "CH", name="Acme AG", parent="acme"),
        party("dataco", "processor", "DE", name="DataCo"),
        party("cloudco", "processor", "US", name="CloudCo Hosting", **cloudco),
        party("sub-in", "subprocessor", "IN", name="Indigo Support"),
        party("sub-sg", "subprocessor", "SG", name="Lion Analytics"),
        party("sub-au", "subprocessor", "AU", name="Wattle Backup"),
    ]
    return {record.slug: record for record in records}


def first_hop(source: str = "acme-de", **kw: Any) -> FlowRecord:
    """The first transfer, to CloudCo Hosting, on SCCs 2021 with a TIA: clean of itself."""
    kw.setdefault("transfer_mechanism", "scc_2021")
    kw.setdefault("transfer_agreement", f"scc-{source}")
    kw.setdefault("tia_on", date(2019, 1, 1))
    return flow(1, source, "cloudco", **kw)


def onward(id: int, target: str, **kw: Any) -> FlowRecord:
    return flow(id, "cloudco", target, role="subprocessor", **kw)


def chain(
    source: str = "acme-de",
    hops: tuple[FlowRecord, ...] | None = None,
    extra: tuple = (),
    engagements: tuple[EngagementRecord, ...] = (),
    upstream: FlowRecord | None = None,
    **cloudco: Any,
) -> Register:
    hops = hops if hops is not None else tuple(onward(i, slug) for i, slug in SUBS.items())
    agreements = [
        agreement(f"dpa-{source}", "dpa", source, "cloudco", flowdown=True),
        agreement(f"scc-{source}", "scc_2021_m2", source, "cloudco"),
        *extra,
    ]
    first = upstream if upstream is not None else first_hop(source)
    reg = register([first, *hops], agreements, parties=parties(**cloudco))
    return replace(reg, engagements=engagements)


def on(reg: Register, flow_id: int, as_of: date = AS_OF) -> list[Finding]:
    """The transfer findings of one flow."""
    return [f for f in findings(reg, as_of) if f.flow == flow_id and f.rule in TRANSFER_RULES]


def rules(reg: Register, flow_id: int, as_of: date = AS_OF) -> set[str]:
    return {f.rule for f in on(reg, flow_id, as_of)}


# -- the example -------------------------------------------------------------------


def test_each_onward_hop_of_eu_origin_data_needs_a_transfer_tool():
    reg = chain()
    assert rules(reg, 1) == set()  # the first transfer has its SCCs and TIA
    for flow_id, country in ((2, "IN"), (3, "SG"), (4, "AU")):
        [found] = on(reg, flow_id)
        assert found.rule == "NO_TRANSFER_MECHANISM"
        assert found.severity == "critical"
        assert "onward transfer of EU-origin data" in found.message
        assert "CloudCo Hosting (US) holds data that came from the EEA" in found.message
        assert f"processes the data in {country}, which is outside the EEA" in found.message
        assert "not adequate for the EU GDPR on 2024-06-01" in found.message
        assert found.citation == "GDPR Arts. 44-46 and 49"


def test_sccs_2021_module_3_with_a_tia_cover_the_onward_hop():
    m3 = agreement("scc-cloudco-in", "scc_2021_m3", "cloudco", "sub-in")
    hop = onward(
        2,
        "sub-in",
        transfer_mechanism="scc_2021",
        transfer_agreement="scc-cloudco-in",
        tia_on=date(2023, 1, 1),
    )
    reg = chain(hops=(hop,), extra=(m3,))
    assert rules(reg, 2) == set()


def test_the_wrong_module_on_an_onward_hop_is_a_module_mismatch():
    m2 = agreement("scc-cloudco-in", "scc_2021_m2", "cloudco", "sub-in")
    hop = onward(
        2, "sub-in", transfer_mechanism="scc_2021", transfer_agreement="scc-cloudco-in",
        tia_on=date(2023, 1, 1),
    )  # fmt: skip
    [found] = on(chain(hops=(hop,), extra=(m2,)), 2)
    assert found.rule == "SCC_MODULE_MISMATCH"
    assert "the flow (onward transfer of EU-origin data) goes from a processor" in found.message
    assert "SCCs 2021 module 3 (processor to processor) is needed" in found.message


def test_an_onward_hop_on_sccs_without_a_tia_misses_it():
    m3 = agreement("scc-cloudco-in", "scc_2021_m3", "cloudco", "sub-in")
    hop = onward(2, "sub-in", transfer_mechanism="scc_2021", transfer_agreement="scc-cloudco-in")
    [found] = on(chain(hops=(hop,), extra=(m3,)), 2)
    assert found.rule == "MISSING_TIA"
    assert found.message.startswith(
        "The onward transfer of EU-origin data from CloudCo Hosting to Indigo Support relies on"
    )


def test_an_onward_hop_on_sccs_with_no_transfer_agreement_is_invalid():
    hop = onward(2, "sub-in", transfer_mechanism="scc_2021", tia_on=date(2023, 1, 1))
    [found] = on(chain(hops=(hop,)), 2)
    assert found.rule == "INVALID_TRANSFER_MECHANISM"
    assert found.message.startswith(
        "The onward transfer of EU-origin data from CloudCo Hosting to Indigo Support is "
        "restricted under the EU GDPR"
    )


@pytest.mark.parametrize(
    ("source", "origin", "zone", "law"),
    [
        ("acme-uk", "UK-origin", "the United Kingdom", "UK GDPR"),
        ("acme-ch", "Swiss-origin", "Switzerland", "Swiss FADP"),
    ],
)
def test_uk_and_swiss_origin_data_follow_their_own_regime(source, origin, zone, law):
    [found] = on(chain(source, hops=(onward(2, "sub-in"),)), 2)
    assert found.rule == "NO_TRANSFER_MECHANISM"
    assert f"onward transfer of {origin} data" in found.message
    assert f"holds data that came from {zone}" in found.message
    assert f"not adequate for the {law}" in found.message
    assert "EU GDPR" not in found.message


def test_data_that_never_came_from_a_zone_is_no_restricted_transfer():
    reg = chain("acme", hops=(onward(2, "sub-in"),), upstream=flow(1, "acme", "cloudco"))
    assert rules(reg, 2) == set()


def test_only_related_categories_carry_the_origin():
    """CloudCo receives EU-origin email addresses: passing on phone numbers (a sibling) is no
    onward transfer of them; passing on contact data (their parent) is."""
    assert rules(chain(hops=(onward(2, "sub-in", categories=(PHONE,)),)), 2) == set()
    assert rules(chain(hops=(onward(2, "sub-in", categories=(CONTACT,)),)), 2) == {
        "NO_TRANSFER_MECHANISM"
    }


def test_an_ended_upstream_flow_carries_no_origin():
    hops = (onward(2, "sub-in"),)
    ended_before = chain(hops=hops, upstream=first_hop(ended_on=AS_OF - DAY))
    assert rules(ended_before, 2) == set()
    ends_that_day = chain(hops=hops, upstream=first_hop(ended_on=AS_OF))
    assert rules(ends_that_day, 2) == {"NO_TRANSFER_MECHANISM"}
    not_started = chain(hops=hops, upstream=first_hop(started_on=AS_OF + DAY))
    assert rules(not_started, 2) == set()


def test_the_origin_follows_chains_of_any_depth():
    hops = (onward(2, "sub-in", transfer_mechanism="derogation"), flow(3, "sub-in", "sub-sg"))
    [found] = on(chain(hops=hops), 3)
    assert found.rule == "NO_TRANSFER_MECHANISM"
    assert "Indigo Support (IN) holds data that came from the EEA" in found.message


def test_a_hop_from_inside_the_eea_is_a_first_transfer_and_may_be_an_onward_one_too():
    """Acme Ltd (GB) sends to DataCo (DE), adequate for the UK: DataCo's hop to India is a
    first transfer under the EU GDPR and an onward transfer of UK-origin data."""
    upstream = flow(1, "acme-uk", "dataco")
    hop = flow(2, "dataco", "sub-in", role="subprocessor")
    reg = replace(
        register([upstream, hop], [agreement("dpa", "dpa", "acme-uk", "dataco")], parties()),
    )
    [found] = on(reg, 2)
    assert found.rule == "NO_TRANSFER_MECHANISM"
    assert "DataCo (DE) is in the EEA" in found.message
    assert "onward transfer of UK-origin data: DataCo (DE) holds data" in found.message
    hop = flow(2, "dataco", "sub-in", role="subprocessor", transfer_mechanism="scc_2021")
    reg = register([upstream, hop], [agreement("dpa", "dpa", "acme-uk", "dataco")], parties())
    invalid = next(f for f in on(reg, 2) if f.rule == "INVALID_TRANSFER_MECHANISM")
    assert invalid.message.startswith(
        "The transfer (an onward transfer of UK-origin data) from DataCo to Indigo Support"
    )


def test_origin_regimes_at_each_party():
    reg = chain(hops=(onward(2, "sub-in"),))
    origins = RuleContext(reg, AS_OF).origins
    assert origins.at("acme-de", (EMAIL,)) == ("EU",)
    assert origins.at("cloudco", (EMAIL,)) == ("EU",)
    assert origins.at("sub-in", (EMAIL,)) == ("EU",)
    assert origins.at("cloudco", (PHONE,)) == ()
    assert origins.at("acme", (EMAIL,)) == ()  # nothing flows to the US parent


# -- ONWARD_TRANSFER_UNCOVERED keeps flagging the first hop -----------------------------------


def test_the_first_hop_from_the_own_party_is_flagged_with_the_path_to_the_onward_hop():
    """EU-origin data reaches the own company in the US, goes to DPF-certified CloudCo and on
    to India with no transfer tool."""
    home = flow(5, "acme-de", "acme", role="controller")
    first = flow(1, "acme", "cloudco")
    reg = register(
        [home, first, onward(2, "sub-in")],
        [
            agreement("ig", "intra_group", "acme-de", "acme"),
            agreement("dpa", "dpa", "acme", "cloudco", flowdown=True),
        ],
        parties(dpf_certified_until=date(2030, 1, 1)),
    )
    found = [f for f in findings(reg) if f.rule == "ONWARD_TRANSFER_UNCOVERED"]
    assert [(f.flow, f.path) for f in found] == [(1, ("acme", "cloudco", "sub-in"))]
    assert "is a restricted transfer with no transfer mechanism" in found[0].message
    assert rules(reg, 1) == set()  # CloudCo's certification makes the US adequate for it
    assert rules(reg, 2) == {"NO_TRANSFER_MECHANISM"}


# -- the onward transfer principle of the US frameworks ------------------------------------


def engaged(on: date | None = AS_OF, evidence: str = "attestation", **kw: Any) -> EngagementRecord:
    return EngagementRecord("cloudco", "sub-in", evidence=evidence, evidenced_on=on, **kw)


CERTIFIED: dict[str, Any] = {"dpf_certified_until": date(2030, 1, 1)}


def test_a_dpf_certified_recipient_with_an_evidenced_subprocessing_agreement_is_covered():
    hops = (onward(2, "sub-in"),)
    assert rules(chain(hops=hops, engagements=(engaged(),), **CERTIFIED), 2) == set()


@pytest.mark.parametrize(
    ("why", "engagements", "certification", "extra"),
    [
        ("no engagement", (), CERTIFIED, ()),
        ("evidence dated the day after", (engaged(AS_OF + DAY),), CERTIFIED, ()),
        ("no evidence", (engaged(None, evidence=""),), CERTIFIED, ()),
        ("engagement ended the day before", (engaged(ended_on=AS_OF - DAY),), CERTIFIED, ()),
        (
            "certification ended the day before",
            (engaged(),),
            {"dpf_certified_until": AS_OF - DAY},
            (),
        ),
        ("not certified", (engaged(),), {}, ()),
        (
            "an agreement between the two without flow-down",
            (engaged(),),
            CERTIFIED,
            (agreement("sub-dpa", "dpa", "cloudco", "sub-in", flowdown=False),),
        ),
    ],
)
def test_the_onward_transfer_principle_needs_each_of_its_conditions(
    why, engagements, certification, extra
):
    reg = chain(hops=(onward(2, "sub-in"),), engagements=engagements, extra=extra, **certification)
    assert rules(reg, 2) == {"NO_TRANSFER_MECHANISM"}, why


def test_the_principle_holds_on_the_last_day_of_the_certification_and_of_the_engagement():
    reg = chain(
        hops=(onward(2, "sub-in"),),
        engagements=(engaged(ended_on=AS_OF),),
        dpf_certified_until=AS_OF,
    )
    assert rules(reg, 2) == set()


def test_a_qualifying_agreement_with_flowdown_between_the_two_is_evidence_enough():
    sub_dpa = agreement("sub-dpa", "dpa", "cloudco", "sub-in", flowdown=True)
    reg = chain(hops=(onward(2, "sub-in"),), extra=(sub_dpa,), **CERTIFIED)
    assert rules(reg, 2) == set()


def test_each_regime_needs_its_own_framework():
    """UK-origin data: the EU-US certification alone is not the UK Extension."""
    hops = (onward(2, "sub-in"),)
    eu_only = chain("acme-uk", hops=hops, engagements=(engaged(),), **CERTIFIED)
    assert rules(eu_only, 2) == {"NO_TRANSFER_MECHANISM"}
    uk = chain(
        "acme-uk", hops=hops, engagements=(engaged(),),
        dpf_certified_until=date(2030, 1, 1), dpf_uk_certified_until=date(2030, 1, 1),
    )  # fmt: skip
    assert rules(uk, 2) == set()
    swiss = chain(
        "acme-ch", hops=hops, engagements=(engaged(),), dpf_swiss_certified_until=date(2030, 1, 1)
    )
    assert rules(swiss, 2) == set()
