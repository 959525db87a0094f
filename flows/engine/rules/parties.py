"""The party rules: what the register says of a party must agree with its flows. An
offboarded party (the relationship ended) should neither receive nor send data any more.
"""

from __future__ import annotations

from collections.abc import Iterator

from flows.engine.context import RuleContext, flow_finding
from flows.engine.records import Finding

OFFBOARDED = "offboarded"


def flow_to_offboarded_party(ctx: RuleContext) -> Iterator[Finding]:
    """An active flow to or from a party whose status is offboarded: either the flow should
    have been ended when the relationship did, or the party still works with the data.

    Basis: GDPR Art. 28(3)(g) (at the end of the services the processor deletes or returns
    the personal data, at the controller's choice); Art. 5(1)(e) (storage limitation) and
    Art. 5(2) (accountability: the records must show what happens). Unverified: the wording
    of Art. 5(1)(e) and 5(2) as summarised here.
    """
    offboarded = {slug for slug, party in ctx.parties.items() if party.status == OFFBOARDED}
    if not offboarded:
        return
    for facts in ctx.flows:
        flow = facts.flow
        ends = [
            name
            for slug, name in ((flow.source, facts.source_name), (flow.target, facts.target_name))
            if slug in offboarded
        ]
        if not ends:
            continue
        who = " and ".join(ends)
        verb = "are" if len(ends) > 1 else "is"
        yield flow_finding(
            "FLOW_TO_OFFBOARDED_PARTY",
            "high",
            facts,
            f"{who} {verb} offboarded, but the flow of {ctx.category_names(flow.categories)} "
            f"from {facts.source_name} to {facts.target_name} is still recorded as active on "
            f"{ctx.as_of.isoformat()}.",
            "GDPR Art. 28(3)(g); Art. 5(1)(e), 5(2)",
            "If the flow stopped, record the day it ended and obtain the confirmation that the "
            "data was returned or deleted (Art. 28(3)(g)); if the data still moves, bring "
            f"{who} back through onboarding.",
        )
