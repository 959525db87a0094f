"""Enumerations of the catalog. Values are stable: they appear in imports, exports and JSON."""

from django.db import models


class Relationship(models.TextChoices):
    OWN = "own", "Own company"
    AFFILIATE = "affiliate", "Affiliate (group company)"
    PROCESSOR = "processor", "Processor (vendor)"
    SUBPROCESSOR = "subprocessor", "Sub-processor"
    THIRD_PARTY = "third_party", "Independent third party"
    JOINT_CONTROLLER = "joint_controller", "Joint controller"


class PartyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    OFFBOARDED = "offboarded", "Offboarded"


class AgreementKind(models.TextChoices):
    DPA = "dpa", "Data processing agreement (GDPR Art. 28)"
    SCC_2021_M1 = "scc_2021_m1", "SCCs 2021, module 1 (controller to controller)"
    SCC_2021_M2 = "scc_2021_m2", "SCCs 2021, module 2 (controller to processor)"
    SCC_2021_M3 = "scc_2021_m3", "SCCs 2021, module 3 (processor to processor)"
    SCC_2021_M4 = "scc_2021_m4", "SCCs 2021, module 4 (processor to controller)"
    SCC_2010_C2P = "scc_2010_c2p", "SCCs 2010/87/EU (controller to processor)"
    SCC_2004_C2C = "scc_2004_c2c", "SCCs 2004/915/EC (controller to controller)"
    SCC_2001_C2C = "scc_2001_c2c", "SCCs 2001/497/EC (controller to controller)"
    UK_IDTA = "uk_idta", "UK International Data Transfer Agreement"
    UK_ADDENDUM = "uk_addendum", "UK Addendum to the EU SCCs"
    BCR = "bcr", "Binding corporate rules"
    INTRA_GROUP = "intra_group", "Intra-group data transfer agreement"
    JOINT_CONTROLLER_ARRANGEMENT = (
        "joint_controller_arrangement",
        "Joint-controller arrangement (GDPR Art. 26)",
    )
    C2C_SHARING = "c2c_sharing", "Controller-to-controller data sharing agreement"
    CCPA_SERVICE_PROVIDER = "ccpa_service_provider", "CCPA service-provider contract"
    PCI_RESPONSIBILITY = "pci_responsibility", "PCI DSS responsibility acknowledgment"
    NDA = "nda", "Non-disclosure agreement"


class SubprocessorAuthorisation(models.TextChoices):
    GENERAL = "general", "General written authorisation"
    SPECIFIC = "specific", "Specific prior authorisation"
    NONE = "none", "No sub-processors allowed"


class EngagementEvidence(models.TextChoices):
    """How we know that a processor bound its sub-processor by contract (GDPR Art. 28(4))."""

    COPY = "copy", "A copy of the sub-processing agreement we hold"
    ATTESTATION = "attestation", "The processor's written attestation"
    STATEMENT = "statement", "The processor's published statement"
