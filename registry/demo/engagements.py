"""The demo's sub-processors as their processors engaged them: each told us through its
published sub-processor list, which states that the sub-processor is bound by the same
data-protection terms, some weeks before the first data reached it. Coldvault Storage backs
up two vendors. One breach on purpose: Emerald Edge Networks, listed by Nimbus Hosting with
no word on its terms, and nothing else evidencing its sub-processing agreement."""

from __future__ import annotations

from datetime import date

from registry.demo.records import D, DemoEngagement


def _listed(processor: str, subprocessor: str, on: str, site: str) -> DemoEngagement:
    return DemoEngagement(
        processor=processor,
        subprocessor=subprocessor,
        noticed_on=D(on),
        notice_source=f"https://{site}.example/legal/subprocessors",
        evidence="statement",
        evidenced_on=D(on),
    )


def demo_engagements(today: date) -> tuple[DemoEngagement, ...]:
    # Noticed well before each sub-processor flow started: the objection period (30 days
    # under the demo's DPAs) was over when the data first reached the sub-processor.
    return (
        _listed("nimbus-hosting", "coldvault-storage", "2019-03-01", "nimbus"),
        _listed("ledgerline-billing", "coldvault-storage", "2020-03-02", "ledgerline"),
        _listed("ledgerline-billing", "printmail-services", "2018-10-01", "ledgerline"),
        _listed("mailspring-marketing", "postbox-relay", "2022-11-01", "mailspring"),
        _listed("callbridge-support", "voxtranscribe", "2021-12-01", "callbridge"),
        # Breach on purpose: Nimbus's list names Emerald Edge, but says nothing of the terms
        # it is bound by, and we hold no copy or attestation of its agreement.
        DemoEngagement(
            processor="nimbus-hosting",
            subprocessor="emerald-edge",
            noticed_on=D("2024-05-02"),
            notice_source="https://nimbus.example/legal/subprocessors",
        ),
    )
