"""The demo's agreements: the written commitments between them."""

from __future__ import annotations

from datetime import date, timedelta

from registry.demo.records import CUSTOMER, D, DemoAgreement


def demo_agreements(today: date) -> tuple[DemoAgreement, ...]:
    """Dates that must stay recent count from `today`."""
    return (
        DemoAgreement(
            "iga-voipx-2014",
            "intra_group",
            ("voipx", "voipx-ireland", "voipx-switzerland"),
            "Intra-group data transfer agreement (Safe Harbor)",
            D("2014-03-01"),
            notes="Relies on VoIPX's Safe Harbor self-certification for EU and "
            "Swiss data sent to New York. Never updated since.",
        ),
        DemoAgreement(
            "scc-2004-voipx-ch-2015",
            "scc_2004_c2c",
            ("voipx-switzerland", "voipx"),
            "Standard contractual clauses 2004/915/EC, Switzerland to New York",
            D("2015-12-15"),
            effective_on=D("2016-01-01"),
            terminated_on=D("2017-01-12"),
            categories=CUSTOMER,
            notes="Signed when Safe Harbor stopped being a basis for Swiss data; "
            "replaced by the Swiss-US Privacy Shield.",
        ),
        DemoAgreement(
            "iga-voipx-uk-2021",
            "intra_group",
            ("voipx-ireland", "voipx-uk"),
            "Intra-group agreement Ireland-UK",
            D("2021-01-15"),
        ),
        DemoAgreement(
            "dpa-nimbus-2019",
            "dpa",
            ("voipx", "nimbus-hosting"),
            "Hosting DPA",
            D("2019-04-01"),
            expires_on=today + timedelta(days=60),
            subprocessor_authorisation="general",
            flowdown=True,
        ),
        DemoAgreement(
            "dpa-nimbus-eu-2023",
            "dpa",
            ("voipx-ireland", "nimbus-hosting"),
            "Hosting DPA (EU customers)",
            D("2023-09-01"),
            subprocessor_authorisation="general",
            flowdown=True,
        ),
        DemoAgreement(
            "dpa-nimbus-coldvault-2019",
            "dpa",
            ("nimbus-hosting", "coldvault-storage"),
            "Backup sub-processing agreement",
            D("2019-06-01"),
            flowdown=True,
        ),
        DemoAgreement(
            "dpa-ledgerline-2016",
            "dpa",
            ("voipx", "ledgerline-billing"),
            "Billing services DPA",
            D("2016-02-01"),
            subprocessor_authorisation="general",
        ),
        DemoAgreement(
            "dpa-ledgerline-eu-2018",
            "dpa",
            ("voipx-ireland", "ledgerline-billing"),
            "Billing services DPA (EU)",
            D("2018-05-25"),
        ),
        DemoAgreement(
            "scc-2010-ledgerline",
            "scc_2010_c2p",
            ("voipx-ireland", "ledgerline-billing"),
            "Standard contractual clauses 2010/87/EU",
            D("2018-05-25"),
            notes="Never replaced by the 2021 clauses.",
        ),
        DemoAgreement(
            "dpa-paywell-2020",
            "dpa",
            ("voipx", "voipx-ireland", "paywell-payments"),
            "Payment processing DPA",
            D("2020-01-10"),
        ),
        DemoAgreement(
            "pci-paywell-2020",
            "pci_responsibility",
            ("voipx", "paywell-payments"),
            "PCI DSS responsibility matrix",
            D("2020-01-10"),
        ),
        DemoAgreement(
            "dpa-mailspring-2022",
            "dpa",
            ("voipx", "voipx-ireland", "mailspring-marketing"),
            "E-mail marketing DPA",
            D("2022-03-01"),
            subprocessor_authorisation="none",
        ),
        DemoAgreement(
            "scc-2021-m2-mailspring",
            "scc_2021_m2",
            ("voipx-ireland", "mailspring-marketing"),
            "SCCs 2021, module 2",
            D("2022-03-01"),
        ),
        DemoAgreement(
            "dpa-mailspring-postbox-2023",
            "dpa",
            ("mailspring-marketing", "postbox-relay"),
            "Delivery sub-processing agreement",
            D("2023-01-10"),
            flowdown=True,
        ),
        DemoAgreement(
            "dpa-clicktrace-2020",
            "dpa",
            ("voipx", "clicktrace-analytics"),
            "Web analytics DPA",
            D("2020-07-01"),
            expires_on=D("2025-06-30"),
            notes="Expired; renewal stuck in procurement.",
        ),
        DemoAgreement(
            "dpa-callbridge-2021",
            "dpa",
            ("voipx", "voipx-ireland", "voipx-switzerland", "callbridge-support"),
            "Customer support DPA",
            D("2021-09-01"),
            subprocessor_authorisation="general",
        ),
        DemoAgreement(
            "scc-2021-m1-callbridge",
            "scc_2021_m1",
            ("voipx-switzerland", "callbridge-support"),
            "SCCs 2021 signed with the wrong module",
            D("2021-09-01"),
        ),
        DemoAgreement(
            "dpa-callbridge-vox-2022",
            "dpa",
            ("callbridge-support", "voxtranscribe"),
            "Transcription services agreement",
            D("2022-02-01"),
            flowdown=False,
            notes="No Art. 28(4) flow-down clause.",
        ),
        DemoAgreement(
            "dpa-voiceprint-2024",
            "dpa",
            ("voipx-ireland", "voiceprint-security"),
            "Voice verification DPA",
            D("2024-02-01"),
        ),
        DemoAgreement(
            "nda-partnerhub-2015",
            "nda",
            ("voipx", "partnerhub-resellers"),
            "Mutual non-disclosure agreement",
            D("2015-05-01"),
        ),
        DemoAgreement(
            "c2c-bright-classroom-2023",
            "c2c_sharing",
            ("voipx", "bright-classroom"),
            "School programme data sharing",
            D("2023-08-15"),
        ),
        DemoAgreement(
            "jca-confera-2024",
            "joint_controller_arrangement",
            ("voipx-ireland", "confera-events"),
            "Webinar joint-controller arrangement",
            D("2024-01-20"),
        ),
    )
