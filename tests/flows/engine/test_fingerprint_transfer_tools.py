"""The transfer-tool facts in the fingerprint a reviewer's decision is tied to: recorded, they
are facts of the finding (changing them lapses the decision); not recorded, they leave the
fingerprint of a decision taken before they existed as it was."""

from dataclasses import replace

from flows.engine.fingerprint import AgreementIndex, facts_snapshot, fingerprint
from tests.flows.engine.record_builders import agreement, base_parties, flow, with_party

SCC = agreement("scc", "scc_2021_m2", "acme-uk", "cloudco")
ADDENDUM = agreement("addendum", "uk_addendum", "acme-uk", "cloudco")
FLOW = flow(
    1, "acme-uk", "cloudco", transfer_mechanism="uk_addendum", transfer_agreement="addendum"
)


def _snapshot(the_flow=FLOW, agreements=(SCC, ADDENDUM), parties=None):
    return facts_snapshot(the_flow, parties or base_parties(), AgreementIndex(agreements))


def test_facts_not_recorded_leave_no_trace_in_the_snapshot():
    snapshot = _snapshot()
    assert not [k for k in snapshot if k.endswith(("derogation_justification", "art10_authority",
                                                   "objection_days", ".amends",
                                                   "dpf_uk_certified_until",
                                                   "dpf_swiss_certified_until"))]  # fmt: skip


def test_each_recorded_fact_changes_the_fingerprint():
    before = fingerprint(_snapshot())
    justified = replace(FLOW, derogation_justification="Art. 49(1)(b)")
    authority = replace(FLOW, art10_authority="DPA 2018 Sch. 1")
    amending = replace(ADDENDUM, amends="scc")
    shorter = replace(SCC, objection_days=14)
    cloud = base_parties()["cloudco"]
    uk = with_party(base_parties(), replace(cloud, dpf_uk_certified_until=SCC.signed_on))
    swiss = with_party(base_parties(), replace(cloud, dpf_swiss_certified_until=SCC.signed_on))
    snapshots = {
        "flow.derogation_justification": _snapshot(the_flow=justified),
        "flow.art10_authority": _snapshot(the_flow=authority),
        "agreement addendum.amends": _snapshot(agreements=(SCC, amending)),
        "agreement scc.objection_days": _snapshot(agreements=(shorter, ADDENDUM)),
        "party cloudco.dpf_uk_certified_until": _snapshot(parties=uk),
        "party cloudco.dpf_swiss_certified_until": _snapshot(parties=swiss),
    }
    for fact, snapshot in snapshots.items():
        assert fact in snapshot
        assert fingerprint(snapshot) != before, fact
    assert snapshots["agreement addendum.amends"]["agreement addendum.amends"] == "scc"


def test_the_scc_an_addendum_amends_are_facts_even_between_other_parties():
    """The flow's transfer agreement is an Addendum between other parties: the SCCs it
    amends bear on the finding all the same."""
    other_scc = agreement("scc-other", "scc_2021_m2", "acme-de", "cloudco")
    addendum = agreement("add-other", "uk_addendum", "acme-de", "cloudco", amends="scc-other")
    the_flow = replace(FLOW, transfer_agreement="add-other")
    snapshot = _snapshot(the_flow=the_flow, agreements=(other_scc, addendum))
    assert snapshot["agreement scc-other.kind"] == "scc_2021_m2"
    terminated = replace(other_scc, terminated_on=SCC.signed_on)
    assert fingerprint(_snapshot(the_flow=the_flow, agreements=(terminated, addendum))) != (
        fingerprint(snapshot)
    )
