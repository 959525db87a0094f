"""Writes of the vendor onboarding: start, the link and its e-mails, the vendor's drafts and
submission, the decision.

The vendor's personal link and the session it opens are in `registry.onboarding.links`; what
the answers propose in `registry.onboarding.proposal`; the sub-processors the vendor names in
`registry.onboarding.subprocessors`.
"""

from __future__ import annotations

import secrets
import smtplib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from flows.models import DataCategory, DataSubject, Flow, Purpose
from flows.services import flow_upsert
from registry.choices import PartyStatus, Relationship
from registry.models import Party
from registry.onboarding.forms import STEP_NAMES
from registry.onboarding.links import EDITABLE_STATES
from registry.onboarding.models import (
    Onboarding,
    OnboardingDocument,
    OnboardingEvent,
    OnboardingState,
)
from registry.onboarding.proposal import (
    Proposal,
    bound_step,
    incomplete_steps,
    onboarding_proposal,
    own_company,
    senders_of,
)
from registry.onboarding.subprocessors import (
    free_slug,
    parse_matches,
    proposals_release,
    subprocessor_propose,
    subprocessors_match,
    subprocessors_set_status,
)
from registry.publication import parties_publish
from registry.roles import REVIEWER
from registry.selectors import organisation_name
from registry.services import agreement_upsert, party_upsert

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = ["bound_step", "incomplete_steps", "onboarding_proposal", "own_company"]

REOPENED_FOR_AT_LEAST = timedelta(days=7)


def _record(onboarding: Onboarding, action: str, actor: Any = None, detail: str = "") -> None:
    OnboardingEvent.objects.create(
        onboarding=onboarding, actor=actor, action=action, detail=detail[:2000]
    )


# --- Start --------------------------------------------------------------------------------


def _senders(slugs: Sequence[str] | None) -> list[Party]:
    """The own or affiliated companies named, checked: every slug one of them."""
    if not slugs:
        return [own_company()]
    found = list(
        Party.objects.filter(
            slug__in=set(slugs), relationship__in=(Relationship.OWN, Relationship.AFFILIATE)
        )
    )
    unknown = set(slugs) - {p.slug for p in found}
    if unknown:
        raise ValidationError(
            f"Only our own company and its affiliates can send the vendor data, not: "
            f"{', '.join(sorted(unknown))}."
        )
    return found


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
    senders: Sequence[str] | None = None,
) -> Onboarding:
    """Create the vendor as a draft party and its onboarding with a fresh link. `senders`
    (slugs of the own company or its affiliates) say who will send the vendor data; the
    own company alone when none is named."""
    own_company()
    sending = _senders(senders)
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
    onboarding.senders.set(sending)
    onboarding.intended_categories.set(DataCategory.objects.filter(key__in=categories))
    onboarding.intended_purposes.set(Purpose.objects.filter(key__in=purposes))
    _record(
        onboarding,
        "started",
        started_by,
        f"Link valid for {valid_days} days, until {onboarding.link_expires_at:%Y-%m-%d %H:%M} "
        f"UTC. Sent by: {', '.join(p.name for p in sending)}.",
    )
    return onboarding


# --- The link and the e-mails -------------------------------------------------------------


def onboarding_send_link(*, onboarding: Onboarding, url: str, actor: Any, note: str = "") -> None:
    """E-mail the personal link to the vendor (console backend in development), in the
    organisation's name and from its configured sender (DEFAULT_FROM_EMAIL)."""
    organisation = organisation_name()
    send_mail(
        subject=f"{organisation} asks you to complete its vendor onboarding "
        f"({onboarding.party.name})",
        message=(
            (f"{note}\n\n" if note else "")
            + f"Hello,\n\n{organisation} asks you to tell it about {onboarding.party.name} "
            f"and how you will handle personal data for it ({onboarding.service})."
            f"\n\nYour personal link, valid until "
            f"{onboarding.link_expires_at:%Y-%m-%d %H:%M} UTC:\n{url}\n\nYou can save a draft "
            "at each step and come back later through the same link. Do not share it.\n\n"
            f"{organisation}\n"
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


def link_reissuable(onboarding: Onboarding) -> bool:
    """A new link helps only while the vendor may still answer."""
    return onboarding.state in EDITABLE_STATES


def onboarding_reissue_link(*, onboarding: Onboarding, actor: Any, valid_days: int = 14) -> None:
    """Give the vendor a new link (to e-mail with `onboarding_send_link`): every earlier
    link stops working, and the new one lasts `valid_days` from now."""
    if not link_reissuable(onboarding):
        raise ValidationError(
            "A new link can be issued only while the vendor may answer: "
            f"this onboarding is {onboarding.get_state_display().lower()}."
        )
    if not 1 <= valid_days <= 90:
        raise ValidationError("A link lasts from 1 to 90 days.")
    was = (
        "revoked"
        if onboarding.revoked_at
        else "expired"
        if onboarding.link_expires_at <= timezone.now()
        else "still valid"
    )
    onboarding.revoked_at = None
    onboarding.link_nonce = secrets.token_hex(8)
    onboarding.link_expires_at = timezone.now() + timedelta(days=valid_days)
    onboarding.save(update_fields=["revoked_at", "link_nonce", "link_expires_at", "updated_at"])
    _record(
        onboarding,
        "link_reissued",
        actor,
        f"New link valid until {onboarding.link_expires_at:%Y-%m-%d %H:%M} UTC; the earlier "
        f"link ({was}) no longer works.",
    )


def reviewer_addresses() -> list[str]:
    """The e-mail addresses of the active users with the reviewer role."""
    users = get_user_model().objects.filter(groups__name=REVIEWER, is_active=True)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def onboarding_notify_reviewers(*, onboarding: Onboarding, url: str) -> int:
    """Tell the reviewers that the vendor submitted, with the link to its onboarding; how
    many were told. A mail server that fails is recorded, never shown to the vendor."""
    addresses = reviewer_addresses()
    if not addresses:
        _record(onboarding, "reviewers_not_notified", None, "No reviewer has an e-mail address.")
        return 0
    organisation = organisation_name()
    attested = (
        f"Attested by {onboarding.attested_name} ({onboarding.attested_role}) on "
        f"{onboarding.attested_on:%Y-%m-%d}.\n\n"
        if onboarding.attested_on
        else ""
    )
    try:
        send_mail(
            subject=f"{organisation}: {onboarding.party.name} submitted its onboarding for review",
            message=(
                f"{onboarding.party.name} has answered every step of its onboarding "
                f"({onboarding.service}) and waits for a reviewer's decision.\n\n{attested}"
                f"Its answers and the findings approving would add:\n{url}\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=addresses,
        )
    except (OSError, smtplib.SMTPException) as error:
        _record(onboarding, "reviewers_not_notified", None, f"The mail server failed: {error}")
        return 0
    _record(onboarding, "reviewers_notified", None, f"E-mailed to {', '.join(addresses)}.")
    return len(addresses)


# --- The vendor's answers -----------------------------------------------------------------


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


# --- Submit and decide --------------------------------------------------------------------


def _set_status(party: Party, status: str) -> None:
    if party.status != status:
        party.status = status
        party.save(update_fields=["status", "updated_at"])


@dataclass(frozen=True)
class Attestation:
    """Who, for the vendor, attests that its answers are true (the day is the server's)."""

    name: str
    role: str


@transaction.atomic
def onboarding_submit(
    *, onboarding: Onboarding, attestation: Attestation | None = None
) -> Proposal:
    """The vendor submits: the party moves to submitted, its flows and sub-processors are
    recorded as proposed (outside the live register) for the reviewer. The vendor's pages
    always pass an attestation (recorded with today's date); only data seeded by staff,
    such as the demo's, is submitted without one."""
    onboarding = Onboarding.objects.select_for_update().get(pk=onboarding.pk)
    if onboarding.state not in EDITABLE_STATES:
        raise ValidationError("This onboarding cannot be submitted now.")
    missing = incomplete_steps(onboarding)
    if missing:
        raise ValidationError(f"Complete these steps first: {', '.join(missing)}.")
    if attestation is not None and not (attestation.name.strip() and attestation.role.strip()):
        raise ValidationError("Give your name and your role to attest the answers.")
    proposals_release(onboarding=onboarding)
    proposal = onboarding_proposal(onboarding)
    vendor = onboarding.party
    for name, value in proposal.vendor.items():
        setattr(vendor, name, value)
    vendor.notes = "\n".join(proposal.notes)
    vendor.status = PartyStatus.SUBMITTED
    vendor.full_clean()
    vendor.save()
    parties = {vendor.slug: vendor}
    parties.update({p.slug: p for p in [own_company(), *senders_of(onboarding)]})
    for sub in proposal.subprocessors:
        parties[sub.slug] = subprocessor_propose(
            onboarding=onboarding,
            slug=sub.slug,
            name=sub.name,
            country=sub.country,
            service=sub.service,
            processing_countries=sub.processing_countries,
        )
    categories = {c.key: c for c in DataCategory.objects.all()}
    subjects = {d.key: d for d in DataSubject.objects.all()}
    purposes = {p.key: p for p in Purpose.objects.all()}
    today = date.today()
    for spec in proposal.flows:
        flow = flow_upsert(
            reference=spec.reference,
            source=parties[spec.source],
            target=parties[spec.target],
            categories=[categories[k] for k in spec.categories],
            data_subjects=[subjects[k] for k in spec.data_subjects if k in subjects],
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
    onboarding.attested_name = attestation.name.strip()[:200] if attestation else ""
    onboarding.attested_role = attestation.role.strip()[:200] if attestation else ""
    onboarding.attested_on = today if attestation else None
    onboarding.save(
        update_fields=[
            "state",
            "submitted_at",
            "attested_name",
            "attested_role",
            "attested_on",
            "updated_at",
        ]
    )
    attested = (
        f" Attested by {onboarding.attested_name} ({onboarding.attested_role}) on {today}."
        if attestation
        else " Not attested (recorded by staff)."
    )
    _record(
        onboarding,
        "submitted",
        None,
        f"{len(proposal.flows)} proposed flows, {len(proposal.subprocessors)} sub-processors."
        + attested,
    )
    return proposal


DECISIONS = ("approve", "reject", "request_changes")
DECISION_WORDS = {
    "approve": "the vendor is approved",
    "reject": "the vendor is rejected",
    "request_changes": "changes are requested from the vendor, who gets the link again",
}
"""What each decision did, for the reviewer's confirmation."""


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
    reissued = False
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
        # A withdrawn link would leave the vendor nothing to open the reviewer's e-mail with.
        reissued = onboarding.revoked_at is not None
        if reissued:
            onboarding.revoked_at = None
            onboarding.link_nonce = secrets.token_hex(8)
    onboarding.reviewer_comment = comment.strip()
    onboarding.decided_at = now
    onboarding.save()
    _record(onboarding, decision, reviewer, comment.strip())
    if decision == "request_changes" and reissued:
        _record(
            onboarding,
            "link_reissued",
            reviewer,
            "The revoked link was replaced by a new one for the requested changes.",
        )
    return onboarding


def _subprocessor_agreements(onboarding: Onboarding) -> None:
    """Each sub-processor's agreement with the vendor (with flow-down or not, as the vendor
    answered), recorded between the vendor and the party its flows now go to."""
    proposal = onboarding_proposal(onboarding)  # after the matches: each row's real party
    slugs = {slug for spec in proposal.subprocessor_agreements for slug in spec.parties}
    parties = Party.objects.in_bulk(slugs, field_name="slug")
    vendor = onboarding.party
    for spec in proposal.subprocessor_agreements:
        sub = parties[spec.parties[1]]
        agreement_upsert(
            reference=spec.reference,
            kind=spec.kind,
            parties=[vendor, sub],
            title=f"Sub-processing agreement of {vendor.name} with {sub.name} "
            "(from the onboarding)",
            signed_on=spec.signed_on,
            flowdown=spec.flowdown,
        )


def _approve(onboarding: Onboarding, matches: Mapping[int, Party], reviewer: Any) -> None:
    proposal = onboarding_proposal(onboarding)
    subprocessors_match(onboarding=onboarding, matches=matches, actor=reviewer)
    vendor = onboarding.party
    # The vendor's agreements bind it and every company of ours that sends it data.
    ours = Party.objects.in_bulk(
        {slug for spec in proposal.agreements for slug in spec.parties}, field_name="slug"
    )
    agreements = {
        spec.reference: agreement_upsert(
            reference=spec.reference,
            kind=spec.kind,
            parties=[ours[slug] for slug in spec.parties],
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
    _subprocessor_agreements(onboarding)
    subprocessors_set_status(onboarding=onboarding, status=PartyStatus.APPROVED)
    # Approved is not yet listed (GDPR Art. 28(2)): the vendor and the sub-processors it
    # brings are announced today and reach the public list after the objection period.
    named = [p for p in onboarding.proposed_subprocessors.all() if p.status == PartyStatus.APPROVED]
    parties_publish(
        parties=[vendor, *named],
        decided_by=reviewer,
        notice_on=timezone.localdate(),
        note=f"Approved with the onboarding of {vendor.name}.",
    )


def proposed_flows(onboarding: Onboarding) -> list[Flow]:
    return list(
        onboarding.proposed_flows.select_related("source", "target", "purpose")
        .prefetch_related("categories", "data_subjects")
        .order_by("reference")
    )
