"""Writes of the vendor onboarding: start, the vendor's drafts and submission, the decision.

The vendor's personal link and the session it opens are in `registry.onboarding.links`; the
sub-processors the vendor names in `registry.onboarding.subprocessors`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.text import slugify

from flows.models import DataCategory, Flow, Purpose
from flows.services import flow_upsert
from registry.choices import PartyStatus, Relationship
from registry.models import Party
from registry.onboarding.forms import (
    STEP_FORMS,
    STEP_NAMES,
    SUBPROCESSOR_PREFIX,
    SubprocessorFormSet,
)
from registry.onboarding.links import EDITABLE_STATES
from registry.onboarding.models import (
    Onboarding,
    OnboardingDocument,
    OnboardingEvent,
    OnboardingState,
)
from registry.onboarding.subprocessors import (
    free_slug,
    parse_matches,
    proposals_release,
    subprocessor_propose,
    subprocessors_match,
    subprocessors_set_status,
)
from registry.services import agreement_upsert, party_upsert

if TYPE_CHECKING:
    from django.contrib.auth.models import User

REOPENED_FOR_AT_LEAST = timedelta(days=7)


def _record(onboarding: Onboarding, action: str, actor: Any = None, detail: str = "") -> None:
    OnboardingEvent.objects.create(
        onboarding=onboarding, actor=actor, action=action, detail=detail[:2000]
    )


# --- Start --------------------------------------------------------------------------------


def own_company() -> Party:
    own = Party.objects.filter(relationship=Relationship.OWN).first()
    if own is None:
        raise ValidationError("The register has no own company: add it before onboarding.")
    return own


@transaction.atomic
def onboarding_start(
    *,
    started_by: User,
    name: str,
    country: str,
    contact_email: str,
    service: str,
    categories: list[str],
    purposes: list[str],
    lawful_basis: str = "",
    valid_days: int = 14,
) -> Onboarding:
    """Create the vendor as a draft party and its onboarding with a fresh link."""
    own_company()
    party = party_upsert(
        slug=free_slug(name),
        name=name,
        relationship=Relationship.PROCESSOR,
        country=country,
        contact_email=contact_email,
        status=PartyStatus.DRAFT,
    )
    onboarding = Onboarding(
        party=party,
        started_by=started_by,
        contact_email=contact_email,
        service=service,
        lawful_basis=lawful_basis,
        link_nonce=secrets.token_hex(8),
        link_expires_at=timezone.now() + timedelta(days=valid_days),
    )
    onboarding.full_clean()
    onboarding.save()
    onboarding.intended_categories.set(DataCategory.objects.filter(key__in=categories))
    onboarding.intended_purposes.set(Purpose.objects.filter(key__in=purposes))
    _record(
        onboarding,
        "started",
        started_by,
        f"Link valid for {valid_days} days, until {onboarding.link_expires_at:%Y-%m-%d %H:%M} UTC.",
    )
    return onboarding


def onboarding_send_link(*, onboarding: Onboarding, url: str, actor: Any, note: str = "") -> None:
    """E-mail the personal link to the vendor (console backend in development)."""
    send_mail(
        subject=f"Your onboarding as a vendor: {onboarding.party.name}",
        message=(
            (f"{note}\n\n" if note else "")
            + f"Hello,\n\nPlease tell us about {onboarding.party.name} and how you will handle "
            f"personal data for us ({onboarding.service}).\n\nYour personal link, valid until "
            f"{onboarding.link_expires_at:%Y-%m-%d %H:%M} UTC:\n{url}\n\nYou can save a draft "
            "at each step and come back later through the same link. Do not share it.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[onboarding.contact_email],
    )
    _record(onboarding, "link_sent", actor, f"Link e-mailed to {onboarding.contact_email}.")


def onboarding_revoke(*, onboarding: Onboarding, actor: Any) -> None:
    """Withdraw the link: every copy of it stops working for good."""
    onboarding.revoked_at = timezone.now()
    onboarding.link_nonce = secrets.token_hex(8)
    onboarding.save(update_fields=["revoked_at", "link_nonce", "updated_at"])
    _record(onboarding, "link_revoked", actor)


# --- The vendor's answers -----------------------------------------------------------------


def answers_as_data(onboarding: Onboarding, step: str) -> MultiValueDict | None:
    stored = onboarding.answers.get(step)
    return MultiValueDict(stored) if stored is not None else None


def onboarding_save_step(*, onboarding: Onboarding, step: str, data: Any, valid: bool) -> None:
    """Keep what the vendor typed on a step as a draft, valid or not."""
    if step not in STEP_NAMES:
        raise ValueError(step)
    kept = {key: data.getlist(key) for key in data if key not in ("csrfmiddlewaretoken", "action")}
    onboarding.answers = {**onboarding.answers, step: kept}
    onboarding.save(update_fields=["answers", "updated_at"])
    _record(onboarding, "step_saved", None, f"{step}: {'complete' if valid else 'draft'}")


def upload_limits() -> tuple[int, int]:
    """How many documents an onboarding may hold, and how many bytes in all."""
    return (
        int(getattr(settings, "ONBOARDING_MAX_DOCUMENTS", 10)),
        int(getattr(settings, "ONBOARDING_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)),
    )


@transaction.atomic
def onboarding_add_document(
    *, onboarding: Onboarding, kind: str, upload: UploadedFile
) -> OnboardingDocument:
    """Keep a file the vendor uploaded, within the onboarding's limits of count and total
    size (ValidationError saying which, and nothing written, when over)."""
    onboarding = Onboarding.objects.select_for_update().get(pk=onboarding.pk)
    max_count, max_bytes = upload_limits()
    held = list(onboarding.documents.values_list("size", flat=True))
    size = upload.size or 0
    if len(held) >= max_count:
        raise ValidationError(
            f"The document was not uploaded: this form already holds {len(held)} documents, "
            f"the most it can hold."
        )
    if sum(held) + size > max_bytes:
        raise ValidationError(
            f"The document was not uploaded: with it, the documents of this form would "
            f"total {_megabytes(sum(held) + size)}; the limit is {_megabytes(max_bytes)}."
        )
    document = OnboardingDocument(
        onboarding=onboarding,
        kind=kind,
        original_name=(upload.name or "document")[:255],
        content_type=upload.content_type or "application/octet-stream",
        size=size,
    )
    document.file.save(upload.name or "document", upload, save=False)
    document.full_clean()
    document.save()
    _record(onboarding, "document_uploaded", None, f"{document.get_kind_display()}: {document}")
    return document


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


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


# --- What the answers propose -------------------------------------------------------------


@dataclass(frozen=True)
class ProposedAgreement:
    reference: str
    kind: str
    signed_on: date


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


@dataclass(frozen=True)
class ProposedSubprocessor:
    slug: str
    name: str
    country: str
    service: str


@dataclass(frozen=True)
class Proposal:
    """What approving the onboarding would put in the register."""

    vendor: dict[str, Any]
    agreements: tuple[ProposedAgreement, ...]
    subprocessors: tuple[ProposedSubprocessor, ...]
    flows: tuple[ProposedFlow, ...]
    notes: list[str] = field(default_factory=list)


def _cleaned(onboarding: Onboarding) -> dict[str, Any]:
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


def onboarding_proposal(onboarding: Onboarding) -> Proposal:
    """Turn the vendor's (valid) answers into parties, agreements and flows."""
    answers = _cleaned(onboarding)
    identity, certs, agreements = (
        answers["identity"],
        answers["certifications"],
        answers["agreements"],
    )
    vendor = onboarding.party
    us = own_company()
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
    if agreements["dpa"] == "signed":
        proposed_agreements.append(
            ProposedAgreement(f"onboarding-{onboarding.pk}-dpa", "dpa", agreements["dpa_signed_on"])
        )
    scc_reference = None
    if agreements.get("scc_module") and agreements.get("scc_signed_on"):
        scc_reference = f"onboarding-{onboarding.pk}-scc"
        proposed_agreements.append(
            ProposedAgreement(scc_reference, agreements["scc_module"], agreements["scc_signed_on"])
        )
    elif agreements.get("scc_module"):
        notes.append(f"SCCs offered ({agreements['scc_module']}), not signed yet.")
    mechanism, transfer_agreement = "", None
    if "eu_us" in (certs.get("dpf_frameworks") or []) and certs.get("dpf_certified_until"):
        mechanism = "dpf"
    elif scc_reference:
        mechanism, transfer_agreement = "scc_2021", scc_reference
    categories = tuple(sorted(answers["categories"]["categories"]))
    purposes = sorted(answers["services"]["purposes"])
    flows = [
        ProposedFlow(
            reference=f"onboarding-{onboarding.pk}-{slugify(purpose.replace('.', '-'))}"[:200],
            source=us.slug,
            target=vendor.slug,
            categories=categories,
            purpose=purpose,
            role="processor",
            processing_countries=countries,
            lawful_basis=onboarding.lawful_basis,
            transfer_mechanism=mechanism,
            transfer_agreement=transfer_agreement,
        )
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
    subprocessors = []
    for i, row in enumerate(answers["subprocessors"], start=1):
        reference = f"onboarding-{onboarding.pk}-sub-{i}-{slugify(row['name'])}"[:200]
        slug = recorded.get(reference) or free_slug(f"{vendor.slug} {row['name']}", taken=taken)
        taken.add(slug)
        subprocessors.append(
            ProposedSubprocessor(slug, row["name"], row["country"], row["service"])
        )
        flows.append(
            ProposedFlow(
                reference=reference,
                source=vendor.slug,
                target=slug,
                categories=tuple(sorted(row["categories"])),
                purpose=purposes[0],
                role="subprocessor",
                processing_countries=(row["country"],),
                lawful_basis=onboarding.lawful_basis,
            )
        )
    vendor_fields = {
        "legal_name": identity["legal_name"],
        "country": identity["country"],
        "processing_countries": countries,
        "website": identity.get("website") or "",
        "contact_email": identity["dpo_email"],
        "dpf_certified_until": certs.get("dpf_certified_until"),
        "pci_attested_on": certs.get("pci_attested_on"),
    }
    return Proposal(
        vendor=vendor_fields,
        agreements=tuple(proposed_agreements),
        subprocessors=tuple(subprocessors),
        flows=tuple(flows),
        notes=notes,
    )


# --- Submit and decide --------------------------------------------------------------------


def _set_status(party: Party, status: str) -> None:
    if party.status != status:
        party.status = status
        party.save(update_fields=["status", "updated_at"])


@transaction.atomic
def onboarding_submit(*, onboarding: Onboarding) -> Proposal:
    """The vendor submits: the party moves to submitted, its flows and sub-processors are
    recorded as proposed (outside the live register) for the reviewer."""
    onboarding = Onboarding.objects.select_for_update().get(pk=onboarding.pk)
    if onboarding.state not in EDITABLE_STATES:
        raise ValidationError("This onboarding cannot be submitted now.")
    missing = incomplete_steps(onboarding)
    if missing:
        raise ValidationError(f"Complete these steps first: {', '.join(missing)}.")
    proposals_release(onboarding=onboarding)
    proposal = onboarding_proposal(onboarding)
    vendor = onboarding.party
    for name, value in proposal.vendor.items():
        setattr(vendor, name, value)
    vendor.notes = "\n".join(proposal.notes)
    vendor.status = PartyStatus.SUBMITTED
    vendor.full_clean()
    vendor.save()
    parties = {vendor.slug: vendor, own_company().slug: own_company()}
    for sub in proposal.subprocessors:
        parties[sub.slug] = subprocessor_propose(
            onboarding=onboarding,
            slug=sub.slug,
            name=sub.name,
            country=sub.country,
            service=sub.service,
        )
    categories = {c.key: c for c in DataCategory.objects.all()}
    purposes = {p.key: p for p in Purpose.objects.all()}
    today = date.today()
    for spec in proposal.flows:
        flow = flow_upsert(
            reference=spec.reference,
            source=parties[spec.source],
            target=parties[spec.target],
            categories=[categories[k] for k in spec.categories],
            purpose=purposes[spec.purpose],
            role=spec.role,
            started_on=today,
            lawful_basis=spec.lawful_basis,
            processing_countries=spec.processing_countries,
            transfer_mechanism=spec.transfer_mechanism,
            description=f"Proposed by the onboarding of {vendor.name}.",
        )
        # flow_upsert records live flows; this one waits for the reviewer (same transaction).
        flow.proposed = True
        flow.save(update_fields=["proposed", "updated_at"])
        onboarding.proposed_flows.add(flow)
    onboarding.state = OnboardingState.SUBMITTED
    onboarding.submitted_at = timezone.now()
    onboarding.save(update_fields=["state", "submitted_at", "updated_at"])
    _record(
        onboarding,
        "submitted",
        None,
        f"{len(proposal.flows)} proposed flows, {len(proposal.subprocessors)} sub-processors.",
    )
    return proposal


DECISIONS = ("approve", "reject", "request_changes")


@transaction.atomic
def onboarding_decide(
    *,
    onboarding: Onboarding,
    reviewer: Any,
    decision: str,
    comment: str = "",
    matches: Mapping[int, int] | None = None,
) -> Onboarding:
    """A reviewer approves (party and flows go live), rejects, or asks for changes (the
    vendor's link opens again with the comment). On approval, `matches` (a proposed
    sub-processor's pk -> an existing party's pk) says which sub-processors the vendor
    named are parties the register already has (GDPR Art. 28(2): the controller, not the
    vendor, decides who processes its data)."""
    onboarding = (
        Onboarding.objects.select_for_update().select_related("party").get(pk=onboarding.pk)
    )
    if onboarding.state != OnboardingState.SUBMITTED:
        raise ValidationError("Only a submitted onboarding can be decided.")
    if decision not in DECISIONS:
        raise ValidationError(f"Unknown decision '{decision}'.")
    if decision == "request_changes" and not comment.strip():
        raise ValidationError({"comment": "Say what the vendor should change."})
    vendor = onboarding.party
    now = timezone.now()
    if decision == "approve":
        chosen = parse_matches(onboarding, matches or {})
        _approve(onboarding, chosen, reviewer)
        onboarding.state = OnboardingState.APPROVED
    elif decision == "reject":
        _set_status(vendor, PartyStatus.REJECTED)
        subprocessors_set_status(onboarding=onboarding, status=PartyStatus.REJECTED)
        onboarding.state = OnboardingState.REJECTED
    else:
        _set_status(vendor, PartyStatus.DRAFT)
        onboarding.state = OnboardingState.CHANGES_REQUESTED
        onboarding.link_expires_at = max(onboarding.link_expires_at, now + REOPENED_FOR_AT_LEAST)
    onboarding.reviewer_comment = comment.strip()
    onboarding.decided_at = now
    onboarding.save()
    _record(onboarding, decision, reviewer, comment.strip())
    return onboarding


def _approve(onboarding: Onboarding, matches: Mapping[int, Party], reviewer: Any) -> None:
    proposal = onboarding_proposal(onboarding)
    subprocessors_match(onboarding=onboarding, matches=matches, actor=reviewer)
    vendor, us = onboarding.party, own_company()
    agreements = {
        spec.reference: agreement_upsert(
            reference=spec.reference,
            kind=spec.kind,
            parties=[us, vendor],
            title=f"{spec.kind.upper()} with {vendor.name} (from its onboarding)",
            signed_on=spec.signed_on,
        )
        for spec in proposal.agreements
    }
    by_reference = {spec.reference: spec for spec in proposal.flows}
    for flow in onboarding.proposed_flows.all():
        spec = by_reference.get(flow.reference)
        flow.proposed = False
        if spec and spec.transfer_agreement:
            flow.transfer_agreement = agreements[spec.transfer_agreement]
        flow.full_clean()
        flow.save()
    _set_status(vendor, PartyStatus.APPROVED)
    subprocessors_set_status(onboarding=onboarding, status=PartyStatus.APPROVED)


def proposed_flows(onboarding: Onboarding) -> list[Flow]:
    return list(
        onboarding.proposed_flows.select_related("source", "target", "purpose")
        .prefetch_related("categories")
        .order_by("reference")
    )
