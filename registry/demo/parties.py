"""The demo's parties: the own company, its affiliates, vendors, sub-processors, third parties."""

from __future__ import annotations

from datetime import date, timedelta

from registry.demo.records import D, DemoParty

GROUP_SECURITY = (
    "Group information security policy (ISO/IEC 27001 aligned): encryption in transit "
    "(TLS 1.2+) and at rest (AES-256), single sign-on with multi-factor authentication, "
    "role-based access reviewed quarterly, logging and monitoring, annual penetration test, "
    "staff training."
)


def demo_parties(today: date) -> tuple[DemoParty, ...]:
    """Dates that must stay recent count from `today`."""
    return (
        DemoParty(
            "voipx",
            "VoIPX International",
            "own",
            "US",
            legal_name="VoIPX International Inc.",
            website="https://voipx.example",
            contact_email="legal@voipx.example",
            notes="3 Seabro Avenue, Suite B, Amityville, NY 11701.",
            security_measures=GROUP_SECURITY,
        ),
        DemoParty(
            "voipx-ireland",
            "VoIPX Europe",
            "affiliate",
            "IE",
            parent="voipx",
            legal_name="VoIPX Europe Limited",
            contact_email="dpo@voipx.example",
            security_measures=GROUP_SECURITY,
        ),
        DemoParty(
            "voipx-switzerland",
            "VoIPX Schweiz",
            "affiliate",
            "CH",
            parent="voipx",
            legal_name="VoIPX Schweiz GmbH",
            security_measures=GROUP_SECURITY,
        ),
        DemoParty(
            "voipx-uk",
            "VoIPX UK",
            "affiliate",
            "GB",
            parent="voipx-ireland",
            legal_name="VoIPX UK Ltd",
            security_measures=GROUP_SECURITY,
        ),
        DemoParty(
            "nimbus-hosting",
            "Nimbus Hosting",
            "processor",
            "US",
            legal_name="Nimbus Hosting LLC",
            processing_countries=("US", "IE"),
            website="https://nimbus.example",
            dpf_certified_until=today + timedelta(days=300),
            dpf_uk_certified_until=today + timedelta(days=300),
            dpf_swiss_certified_until=today + timedelta(days=300),
            notes="Hosts the VoIP platform and the web site.",
            security_measures=(
                "ISO/IEC 27001 and SOC 2 Type II certified data centres; encryption at rest, "
                "network segregation, 24/7 monitoring."
            ),
        ),
        DemoParty(
            "coldvault-storage",
            "Coldvault Storage",
            "subprocessor",
            "US",
            legal_name="Coldvault Storage Inc.",
            dpf_certified_until=today + timedelta(days=200),
            dpf_uk_certified_until=today + timedelta(days=200),
            dpf_swiss_certified_until=today + timedelta(days=200),
            notes="Off-site backups for Nimbus Hosting.",
            security_measures=(
                "Encrypted off-site backups (AES-256), keys held by Nimbus Hosting; access logged."
            ),
        ),
        DemoParty(
            "ledgerline-billing",
            "Ledgerline Billing",
            "processor",
            "US",
            legal_name="Ledgerline Billing Inc.",
            dpf_certified_until=D("2025-08-31"),
            dpf_uk_certified_until=D("2025-08-31"),
            pci_attested_on=D("2024-05-01"),
            notes="Billing and invoicing. DPF certification lapsed; PCI AOC out of date.",
            security_measures=(
                "PCI DSS programme (attestation out of date); encryption at rest; access by "
                "named staff."
            ),
        ),
        DemoParty(
            "printmail-services",
            "Printmail Services",
            "subprocessor",
            "MX",
            legal_name="Printmail Servicios S.A. de C.V.",
            notes="Prints and posts paper invoices for Ledgerline.",
        ),
        DemoParty(
            "paywell-payments",
            "Paywell Payments",
            "processor",
            "NL",
            legal_name="Paywell Payments B.V.",
            pci_attested_on=today - timedelta(days=120),
            notes="Card acquiring and payment processing.",
            security_measures=(
                "PCI DSS Level 1 service provider; tokenisation of card numbers; ISO/IEC 27001 "
                "certified."
            ),
        ),
        DemoParty(
            "mailspring-marketing",
            "Mailspring Marketing",
            "processor",
            "US",
            legal_name="Mailspring Marketing Inc.",
            notes="Marketing e-mail with unsubscribe. Not DPF-certified.",
            security_measures=(
                "Encryption in transit; multi-factor authentication for customer accounts."
            ),
        ),
        DemoParty(
            "postbox-relay",
            "Postbox Relay",
            "subprocessor",
            "FR",
            legal_name="Postbox Relay SAS",
            status="under_review",
            notes="E-mail delivery for Mailspring.",
        ),
        DemoParty(
            "clicktrace-analytics",
            "Clicktrace Analytics",
            "processor",
            "GB",
            legal_name="Clicktrace Analytics Ltd",
            notes="Web analytics: cookies and web beacons.",
            security_measures=(
                "IP addresses truncated on collection; data encrypted at rest; SOC 2 Type I."
            ),
        ),
        DemoParty(
            "callbridge-support",
            "Callbridge Support",
            "processor",
            "PH",
            legal_name="Callbridge Support Inc.",
            notes="Outsourced customer support desk in Manila.",
            security_measures=(
                "Clean-desk policy, no removable media, call recordings encrypted, staff "
                "background checks."
            ),
        ),
        DemoParty(
            "voxtranscribe",
            "VoxTranscribe",
            "subprocessor",
            "IN",
            legal_name="VoxTranscribe Private Limited",
            notes="Transcribes support calls for Callbridge.",
        ),
        DemoParty(
            "voiceprint-security",
            "VoicePrint Security",
            "processor",
            "IL",
            legal_name="VoicePrint Security Ltd",
            notes="Caller voice verification against account takeover.",
            security_measures=(
                "Voiceprints stored as templates, encrypted at rest; ISO/IEC 27001 certified."
            ),
        ),
        DemoParty(
            "partnerhub-resellers",
            "PartnerHub Resellers",
            "third_party",
            "US",
            legal_name="PartnerHub Resellers LLC",
            notes="'Selected business partners' who resell VoIPX plans.",
        ),
        DemoParty(
            "adreach-network",
            "AdReach Network",
            "third_party",
            "US",
            legal_name="AdReach Network Inc.",
            notes="Advertising network.",
        ),
        DemoParty(
            "bright-classroom",
            "Bright Classroom",
            "third_party",
            "US",
            legal_name="Bright Classroom Inc.",
            notes="Runs the school conferencing programme.",
        ),
        DemoParty(
            "confera-events",
            "Confera Events",
            "joint_controller",
            "DE",
            legal_name="Confera Events GmbH",
            notes="Co-hosts customer webinars.",
            security_measures=(
                "Encryption in transit and at rest; access limited to the events team."
            ),
        ),
        # Last, so that the parties before it keep their keys: announced to customers and
        # not yet in effect (registry/demo/publications.py), with no flow until then.
        DemoParty(
            "relaywave-sms",
            "RelayWave SMS",
            "processor",
            "DE",
            legal_name="RelayWave GmbH",
            processing_countries=("DE", "NL"),
            website="https://relaywave.example",
            notes="Will send two-factor codes by SMS once its objection period ends.",
        ),
        # Added after it (issue 17), so that every party keeps its key: one case each of
        # the later rules (registry/demo/flows.py says which).
        DemoParty(
            "feedbackly-surveys",
            "Feedbackly Surveys",
            "processor",
            "DE",
            legal_name="Feedbackly GmbH",
            status="offboarded",
            notes="Customer satisfaction surveys. Offboarded when its contract lapsed on "
            "2025-09-30.",
        ),
        DemoParty(
            "vettacheck-screening",
            "VettaCheck Screening",
            "processor",
            "US",
            legal_name="VettaCheck Inc.",
            notes="Pre-employment background checks for the Dublin office: identity, "
            "references, criminal records. Not DPF-certified.",
            security_measures="SOC 2 Type II; reports encrypted at rest; access by named staff.",
        ),
        DemoParty(
            "kestrel-archive",
            "Kestrel Archive",
            "processor",
            "US",
            legal_name="Kestrel Archive LLC",
            notes="Took a one-off copy of the EU customer archive for the platform migration "
            "of March 2025, and has hosted it since. Not DPF-certified.",
            security_measures="Encryption at rest; access logged.",
        ),
        DemoParty(
            "emerald-edge",
            "Emerald Edge Networks",
            "subprocessor",
            "IE",
            legal_name="Emerald Edge Networks DAC",
            notes="Dublin edge network for Nimbus Hosting: serves the customer portal and "
            "filters attacks.",
        ),
    )
