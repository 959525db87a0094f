"""What an onboarding's answers propose: the steps' forms bound to the saved answers, and
the parties, agreements and flows approving would put in the register.

Pure reads: nothing here writes. The submission (`services.onboarding_submit`) records the
proposal as proposed flows and parties; the prediction (`selectors.onboarding_prediction`)
evaluates it with the live register.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.text import slugify

from registry.choices import Relationship
from registry.models import Party
from registry.onboarding.forms import (
    STEP_FORMS,
    STEP_NAMES,
    SUBPROCESSOR_PREFIX,
    SubprocessingAgreement,
    SubprocessorFormSet,
)
from registry.onboarding.models import Onboarding
from registry.onboarding.subprocessors import free_slug


def own_company() -> Party:
    own = Party.objects.filter(relationship=Relationship.OWN).first()
    if own is None:
        raise ValidationError("The register has no own company: add it before onboarding.")
    return own


def senders_of(onboarding: Onboarding) -> list[Party]:
    """The companies of ours that send the vendor data, own company first; the own company
    alone for an onboarding started before senders were chosen."""
    chosen = sorted(
        onboarding.senders.all(), key=lambda p: (p.relationship != Relationship.OWN, p.name)
    )
    return chosen or [own_company()]


# --- The steps, bound to the saved answers ------------------------------------------------


def answers_as_data(onboarding: Onboarding, step: str) -> MultiValueDict | None:
    stored = onboarding.answers.get(step)
    return MultiValueDict(stored) if stored is not None else None


def bound_step(onboarding: Onboarding, step: str, data: Any = None) -> Any:
    """The step's form (or formset) bound to `data`, else to the saved draft, else unbound
    with what the analyst already told us."""
    data = data if data is not None else answers_as_data(onboarding, step)
    if step == "subprocessors":
        return SubprocessorFormSet(data, prefix=SUBPROCESSOR_PREFIX)
    form_class = STEP_FORMS[step]
    assert form_class is not None
    if data is not None:
        return form_class(data)
    return form_class(initial=_initial(onboarding, step))


def _initial(onboarding: Onboarding, step: str) -> dict[str, Any]:
    party = onboarding.party
    if step == "identity":
        return {
            "legal_name": party.legal_name or party.name,
            "country": party.country.code,
            "contact_email": onboarding.contact_email,
        }
    if step == "services":
        purposes = onboarding.intended_purposes.values_list("key", flat=True)
        return {"services": onboarding.service, "purposes": list(purposes)}
    if step == "categories":
        return {"categories": list(onboarding.intended_categories.values_list("key", flat=True))}
    if step == "agreements":
        return {"dpa": "none"}
    return {}


def incomplete_steps(onboarding: Onboarding) -> list[str]:
    """Steps whose saved answers do not pass validation (or were never saved)."""
    missing = []
    for step in STEP_NAMES:
        if step == "subprocessors" and step not in onboarding.answers:
            continue  # no sub-processors is a valid answer
        if step not in onboarding.answers or not bound_step(onboarding, step).is_valid():
            missing.append(step)
    return missing


def cleaned_answers(onboarding: Onboarding) -> dict[str, Any]:
    """Every step's answers as its form cleaned them; ValidationError naming the first
    step that is not complete."""
    cleaned: dict[str, Any] = {}
    for step in STEP_NAMES:
        bound = bound_step(onboarding, step) if step in onboarding.answers else None
        if step == "subprocessors":
            rows = []
            if bound is not None and bound.is_valid():
                rows = [f.cleaned_data for f in bound.forms if f.cleaned_data]
                rows = [r for r in rows if not r.get("DELETE")]
            cleaned[step] = rows
            continue
        if bound is None or not bound.is_valid():
            raise ValidationError(f"The step '{step}' is not complete.")
        cleaned[step] = bound.cleaned_data
    return cleaned


# --- What the answers propose -------------------------------------------------------------


@dataclass(frozen=True)
class ProposedAgreement:
    reference: str
    kind: str
    signed_on: date
    parties: tuple[str, ...] = ()
    """Slugs of its parties: the vendor and our companies (the own one and the senders)."""
    flowdown: bool = False


@dataclass(frozen=True)
class ProposedFlow:
    reference: str
    source: str
    target: str
    categories: tuple[str, ...]
    purpose: str
    role: str
    processing_countries: tuple[str, ...]
    lawful_basis: str = ""
    transfer_mechanism: str = ""
    transfer_agreement: str | None = None
    subprocessor_agreement: str | None = None
    """For a sub-processor's flow: the reference of the agreement the vendor says binds it."""
    data_subjects: tuple[str, ...] = ()
    """Keys of the data subjects whose data the flow carries (GDPR Art. 30(1)(c))."""


@dataclass(frozen=True)
class ProposedSubprocessor:
    slug: str
    name: str
    country: str
    service: str
    processing_countries: tuple[str, ...] = ()
    agreement: str = SubprocessingAgreement.NONE
    agreement_signed_on: date | None = None

    @property
    def agreement_label(self) -> str:
        return SubprocessingAgreement.LABELS.get(self.agreement, self.agreement)


@dataclass(frozen=True)
class Proposal:
    """What approving the onboarding would put in the register."""

    vendor: dict[str, Any]
    agreements: tuple[ProposedAgreement, ...]
    """Between the vendor and our companies."""
    subprocessors: tuple[ProposedSubprocessor, ...]
    flows: tuple[ProposedFlow, ...]
    notes: list[str] = field(default_factory=list)
    subprocessor_agreements: tuple[ProposedAgreement, ...] = ()
    """Between the vendor and a sub-processor (its `parties` name the proposed slug; the
    reviewer may match the sub-processor to another party)."""


def _flow_reference(onboarding: Onboarding, sender: Party, us: Party, purpose: str) -> str:
    # The own company's flows keep the reference they had before senders could be chosen.
    middle = "" if sender.pk == us.pk else f"{sender.slug}-"
    return f"onboarding-{onboarding.pk}-{middle}{slugify(purpose.replace('.', '-'))}"[:200]


def onboarding_proposal(onboarding: Onboarding) -> Proposal:
    """Turn the vendor's (valid) answers into parties, agreements and flows: a flow from
    each sending company for each purpose, and one to each sub-processor."""
    answers = cleaned_answers(onboarding)
    identity, certs, agreements = (
        answers["identity"],
        answers["certifications"],
        answers["agreements"],
    )
    vendor = onboarding.party
    us = own_company()
    senders = senders_of(onboarding)
    ours = tuple(dict.fromkeys([us.slug, *(s.slug for s in senders)]))
    countries = tuple(sorted(answers["countries"]["processing_countries"]))
    notes = [
        f"Services: {answers['services']['services']}",
        f"Contact: {identity['contact_name']} <{identity['contact_email']}>",
        f"DPO or privacy contact: {identity['dpo_name']} <{identity['dpo_email']}>",
    ]
    if certs.get("iso27001"):
        notes.append(f"ISO/IEC 27001 certified until {certs['iso27001_until']}.")
    if certs.get("dpf_frameworks"):
        notes.append("DPF: " + ", ".join(certs["dpf_frameworks"]) + ".")
    if agreements["dpa"] == "offered":
        notes.append("The vendor offers its standard DPA (not signed yet).")
    proposed_agreements = []
    parties = (*ours, vendor.slug)
    if agreements["dpa"] == "signed":
        proposed_agreements.append(
            ProposedAgreement(
                f"onboarding-{onboarding.pk}-dpa", "dpa", agreements["dpa_signed_on"], parties
            )
        )
    scc_reference = None
    if agreements.get("scc_module") and agreements.get("scc_signed_on"):
        scc_reference = f"onboarding-{onboarding.pk}-scc"
        proposed_agreements.append(
            ProposedAgreement(
                scc_reference, agreements["scc_module"], agreements["scc_signed_on"], parties
            )
        )
    elif agreements.get("scc_module"):
        notes.append(f"SCCs offered ({agreements['scc_module']}), not signed yet.")
    mechanism, transfer_agreement = "", None
    frameworks = certs.get("dpf_frameworks") or []
    if "eu_us" in frameworks and certs.get("dpf_certified_until"):
        mechanism = "dpf"
    elif scc_reference:
        mechanism, transfer_agreement = "scc_2021", scc_reference
    categories = tuple(sorted(answers["categories"]["categories"]))
    # The same people's data reaches the vendor's sub-processors.
    subjects = tuple(sorted(answers["categories"].get("data_subjects") or ()))
    purposes = sorted(answers["services"]["purposes"])
    flows = [
        ProposedFlow(
            reference=_flow_reference(onboarding, sender, us, purpose),
            source=sender.slug,
            target=vendor.slug,
            categories=categories,
            purpose=purpose,
            role="processor",
            processing_countries=countries,
            lawful_basis=onboarding.lawful_basis,
            transfer_mechanism=mechanism,
            transfer_agreement=transfer_agreement,
            data_subjects=subjects,
        )
        for sender in senders
        for purpose in purposes
    ]
    # Once submitted, each row's party is the target of its recorded flow; before, a fresh
    # slug that no party has (and none of the rows before it).
    recorded = dict(
        onboarding.proposed_flows.filter(role="subprocessor").values_list(
            "reference", "target__slug"
        )
    )
    taken: set[str] = set()
    subprocessors, sub_agreements = [], []
    for i, row in enumerate(answers["subprocessors"], start=1):
        reference = f"onboarding-{onboarding.pk}-sub-{i}-{slugify(row['name'])}"[:200]
        slug = recorded.get(reference) or free_slug(f"{vendor.slug} {row['name']}", taken=taken)
        taken.add(slug)
        where = tuple(sorted(row.get("processing_countries") or [row["country"]]))
        kind = row.get("agreement") or SubprocessingAgreement.NONE
        signed = row.get("agreement_signed_on")
        agreement_reference = None
        if kind != SubprocessingAgreement.NONE and signed:
            agreement_reference = f"onboarding-{onboarding.pk}-sub-{i}-dpa"
            sub_agreements.append(
                ProposedAgreement(
                    agreement_reference,
                    "dpa",
                    signed,
                    (vendor.slug, slug),
                    flowdown=kind == SubprocessingAgreement.FLOWDOWN,
                )
            )
        subprocessors.append(
            ProposedSubprocessor(
                slug, row["name"], row["country"], row["service"], where, kind, signed
            )
        )
        flows.append(
            ProposedFlow(
                reference=reference,
                source=vendor.slug,
                target=slug,
                categories=tuple(sorted(row["categories"])),
                purpose=purposes[0],
                role="subprocessor",
                processing_countries=where,
                lawful_basis=onboarding.lawful_basis,
                subprocessor_agreement=agreement_reference,
                data_subjects=subjects,
            )
        )
    vendor_fields = {
        "legal_name": identity["legal_name"],
        "country": identity["country"],
        "processing_countries": countries,
        "website": identity.get("website") or "",
        "contact_email": identity["dpo_email"],
        # One end date for the frameworks ticked (a DPF self-certification renews them
        # together); the EU-US field is the EU-US framework alone.
        **{
            field: certs.get("dpf_certified_until") if framework in frameworks else None
            for framework, field in (
                ("eu_us", "dpf_certified_until"),
                ("uk", "dpf_uk_certified_until"),
                ("swiss", "dpf_swiss_certified_until"),
            )
        },
        "pci_attested_on": certs.get("pci_attested_on"),
    }
    return Proposal(
        vendor=vendor_fields,
        agreements=tuple(proposed_agreements),
        subprocessors=tuple(subprocessors),
        flows=tuple(flows),
        notes=notes,
        subprocessor_agreements=tuple(sub_agreements),
    )
