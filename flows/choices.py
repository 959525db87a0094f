"""Enumerations of the flows app. Values are stable: they appear in imports and JSON."""

from django.db import models


class Role(models.TextChoices):
    PROCESSOR = "processor", "Processor"
    SUBPROCESSOR = "subprocessor", "Sub-processor"
    CONTROLLER = "controller", "Controller"
    JOINT_CONTROLLER = "joint_controller", "Joint controller"


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", "Consent (Art. 6(1)(a))"
    CONTRACT = "contract", "Contract (Art. 6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Art. 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (Art. 6(1)(d))"
    PUBLIC_TASK = "public_task", "Public task (Art. 6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (Art. 6(1)(f))"


class Art9Condition(models.TextChoices):
    EXPLICIT_CONSENT = "explicit_consent", "Explicit consent (Art. 9(2)(a))"
    EMPLOYMENT = "employment", "Employment and social security (Art. 9(2)(b))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (Art. 9(2)(c))"
    NOT_FOR_PROFIT = "not_for_profit", "Not-for-profit body (Art. 9(2)(d))"
    MADE_PUBLIC = "made_public", "Made public by the data subject (Art. 9(2)(e))"
    LEGAL_CLAIMS = "legal_claims", "Legal claims (Art. 9(2)(f))"
    SUBSTANTIAL_PUBLIC_INTEREST = (
        "substantial_public_interest",
        "Substantial public interest (Art. 9(2)(g))",
    )
    HEALTH_CARE = "health_care", "Health or social care (Art. 9(2)(h))"
    PUBLIC_HEALTH = "public_health", "Public health (Art. 9(2)(i))"
    ARCHIVING = "archiving", "Archiving, research or statistics (Art. 9(2)(j))"


class TransferMechanism(models.TextChoices):
    ADEQUACY = "adequacy", "Adequacy decision"
    DPF = "dpf", "Data Privacy Framework (EU-US, UK extension, Swiss-US)"
    SCC_2021 = "scc_2021", "SCCs 2021"
    SCC_2010 = "scc_2010", "SCCs 2010 (repealed)"
    SCC_2004 = "scc_2004", "SCCs 2004 (repealed)"
    SCC_2001 = "scc_2001", "SCCs 2001 (repealed)"
    UK_IDTA = "uk_idta", "UK IDTA"
    UK_ADDENDUM = "uk_addendum", "UK Addendum"
    BCR = "bcr", "Binding corporate rules"
    SAFE_HARBOR = "safe_harbor", "Safe Harbor (invalid since 2015-10-06)"
    PRIVACY_SHIELD = "privacy_shield", "Privacy Shield (invalid since 2020-07-16)"
    DEROGATION = "derogation", "Art. 49 derogation"


class Regime(models.TextChoices):
    EU = "EU", "EU GDPR"
    UK = "UK", "UK GDPR"
    CH = "CH", "Swiss FADP"


class AdequacyScope(models.TextChoices):
    WHOLE = "whole", "Whole country"
    DPF = "dpf", "Only recipients certified under the Data Privacy Framework"
    SECTORAL = "sectoral", "Partial (sector or law), see notes"


class ReviewDecision(models.TextChoices):
    ACCEPT_RISK = "accept_risk", "Accept the risk"
    WAIVE = "waive", "Waive"
    REQUEST_CHANGE = "request_change", "Request a change"
