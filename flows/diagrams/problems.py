"""What is wrong with a flow, in the few words an edge label holds.

A finding's message is a sentence for its page; an edge has room for "Safe Harbor - invalid
since 2015-10-06". The words are the rule's title, and for the transfer mechanism rules the
facts the finding was made from (the flow's mechanism and the mechanism table), never parsed
from the message, so that rewording a message cannot garble a diagram.
"""

from __future__ import annotations

from datetime import date, timedelta

from flows.engine.jurisdictions import JurisdictionSnapshot
from flows.engine.records import Finding, FlowRecord, PartyRecord
from flows.engine.rules import rule_title
from flows.engine.wording import MECHANISM_LABELS


def mechanism_name(key: str) -> str:
    """'Safe Harbor', 'SCCs 2010/87/EU', 'Data Privacy Framework': a label without its article,
    to begin a short phrase."""
    label = MECHANISM_LABELS.get(key, key.replace("_", " "))
    for article in ("The ", "An ", "A "):
        label = label.removeprefix(article)
    return label[:1].upper() + label[1:]


def problem_words(
    finding: Finding,
    flow: FlowRecord | None,
    source: PartyRecord | None,
    snapshot: JurisdictionSnapshot,
    as_of: date,
) -> str:
    """A short phrase for a finding: its rule's words, with the mechanism and its date where
    the rule is about the transfer mechanism."""
    mechanism = flow.transfer_mechanism if flow is not None else ""
    if finding.rule == "INVALID_TRANSFER_MECHANISM" and mechanism:
        return f"{mechanism_name(mechanism)} - {_why_invalid(mechanism, source, snapshot, as_of)}"
    if finding.rule == "MISSING_TIA" and mechanism:
        return f"{mechanism_name(mechanism)} - no transfer impact assessment"
    return rule_title(finding.rule)


def _why_invalid(
    mechanism: str, source: PartyRecord | None, snapshot: JurisdictionSnapshot, as_of: date
) -> str:
    """'invalid since 2015-10-06' from the mechanism table of the regimes the data leaves
    (the source's), 'not valid before ...' for a tool that did not exist yet, else 'not valid
    for this transfer' (adequacy where there is none, a missing transfer agreement)."""
    regimes = snapshot.zone_regimes(source.country) if source and source.country else ()
    ends: list[date] = []
    starts: list[date] = []
    for regime in regimes or ("EU",):
        if snapshot.mechanism_valid(regime, mechanism):
            continue
        rows = snapshot.mechanism_rows(regime, mechanism)
        ends += [r.valid_to for r in rows if r.valid_to is not None and r.valid_to < as_of]
        starts += [r.valid_from for r in rows if r.valid_from is not None and r.valid_from > as_of]
    if ends:
        # The last day it could be relied on is valid_to: it is invalid from the next day.
        return f"invalid since {(max(ends) + timedelta(days=1)).isoformat()}"
    if starts:
        return f"not valid before {min(starts).isoformat()}"
    return "not valid for this transfer"
