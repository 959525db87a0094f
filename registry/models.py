"""The catalog: who the parties are and what they signed.

Each rule of a model is one function here (`party_problems`, `agreement_problems`...). The
model's `clean()`, the services and the import kinds call it; the import checks because bulk
writes skip `full_clean()`. Where the database holds a rule too (`Meta.constraints`), the
constraint and its function are tested to agree.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from registry.choices import (
    AgreementKind,
    PartyStatus,
    Relationship,
    SubprocessorAuthorisation,
)

if TYPE_CHECKING:
    from django_countries.fields import Country, MultipleCountriesDescriptor

    # The plugin types a CountryField as a CharField of `str`, but its descriptor gives a
    # Country, and with `multiple=True` a list-like MultipleCountriesDescriptor of them; both
    # take codes or Country objects. (values() and values_list() still give the stored text.)
    CountryModelField = models.CharField[str | Country, Country]
    CountriesModelField = models.CharField[
        str | Iterable[str | Country], MultipleCountriesDescriptor
    ]


@dataclass(frozen=True)
class Problem:
    """A broken rule: the field it is about, the sentence a form shows beside that field,
    and the clause an import shows for a row of a file, which names the values."""

    field: str
    message: str
    in_file: str


def raise_problems(problems: Iterable[Problem]) -> None:
    """The problems as one ValidationError by field (clean() and the services)."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    if errors:
        raise ValidationError(errors)


def ends_before(end: date | None, start: date | None) -> bool:
    """`end` falls before `start`; False while either is missing (or not yet a date)."""
    return isinstance(end, date) and isinstance(start, date) and end < start


# --- the rules of a party ---------------------------------------------------------------
# `key` names the party, and `engaged_by`, `parent` and `owners` name other parties the same
# way: primary keys in clean(), slugs in an import file, where new rows have no key yet.

ONE_OWN_COMPANY = "There is already an own company in the register."
NOT_ENGAGED_BY_ITSELF = "A party cannot engage itself."
NOT_OWN_PARENT = "A party cannot be its own parent."


def party_problems(*, key: Any, relationship: str, engaged_by: Any) -> list[Problem]:
    """A sub-processor names the processor that engaged it (GDPR Art. 28(2) and (4)), and
    no party engages itself."""
    problems = []
    if relationship == Relationship.SUBPROCESSOR and not engaged_by:
        problems.append(
            Problem(
                "engaged_by",
                "A sub-processor must name the processor that engaged it.",
                "a sub-processor must name the processor that engaged it (column engaged_by)",
            )
        )
    if engaged_by and engaged_by == key:
        problems.append(
            Problem("engaged_by", NOT_ENGAGED_BY_ITSELF, "a party cannot engage itself")
        )
    return problems


def ancestry_problems(
    *, key: Any, parent: Any, parent_of: Callable[[Any], Any], noun: str = "party"
) -> list[Problem]:
    """A party (or a node of a taxonomy, named by `noun`) cannot be its own parent, nor its
    own ancestor through a chain of parents. `parent_of(key)` is the parent of any other
    key, or a false value."""
    if not key or not parent:
        return []
    if parent == key:
        return [
            Problem(
                "parent",
                f"A {noun} cannot be its own parent.",
                f"a {noun} cannot be its own parent",
            )
        ]
    chain, current = [key], parent
    while current and current not in chain:
        chain.append(current)
        current = parent_of(current)
    if current != key:
        return []
    path = " → ".join(str(k) for k in [*chain, key])
    return [
        Problem(
            "parent",
            f"This parent would make the {noun} its own ancestor.",
            f"the parent '{parent}' would make '{key}' its own ancestor ({path})",
        )
    ]


def own_company_problems(*, key: Any, relationship: str, owners: Iterable[Any]) -> list[Problem]:
    """The register describes one own company; `owners` are the parties that are it."""
    if relationship != Relationship.OWN:
        return []
    others = sorted(str(owner) for owner in owners if owner != key)
    if not others:
        return []
    listed = ", ".join(f"'{other}'" for other in others)
    return [
        Problem(
            "relationship",
            ONE_OWN_COMPANY,
            f"there can be only one own company; {listed} is one too",
        )
    ]


# --- the rules of the keys people type --------------------------------------------------

RESERVED_KEYS = frozenset({"new", "search"})
"""Slugs and references that are the addresses of pages (/parties/new/, /parties/search/,
/agreements/new/): a party or an agreement keyed so could never be opened."""


def reserved_key_problems(*, field: str, key: str, noun: str) -> list[Problem]:
    """A new party's slug or agreement's reference cannot be the address of a page."""
    if key not in RESERVED_KEYS:
        return []
    return [
        Problem(
            field,
            f"“{key}” is the address of a page; choose another {field} for the {noun}.",
            f"the {field} '{key}' is the address of a page; choose another",
        )
    ]


# --- the rules of an agreement ----------------------------------------------------------

AGREEMENT_NEEDS_START = "An agreement needs a signature or an effective date."
#: (constraint, later date, earlier date, what an agreement cannot do): one CheckConstraint
#: each, and agreement_problems() checks the same.
AGREEMENT_DATE_ORDER = (
    (
        "agreement_expires_after_effective",
        "expires_on",
        "effective_on",
        "expire before it takes effect",
    ),
    ("agreement_expires_after_signature", "expires_on", "signed_on", "expire before it is signed"),
    (
        "agreement_terminated_after_signature",
        "terminated_on",
        "signed_on",
        "end before it is signed",
    ),
)


def agreement_problems(
    *,
    signed_on: date | None,
    effective_on: date | None,
    expires_on: date | None,
    terminated_on: date | None,
) -> list[Problem]:
    """An agreement is signed or takes effect on some day, and ends after it starts."""
    problems = []
    if signed_on is None and effective_on is None:
        problems.append(
            Problem(
                "signed_on",
                AGREEMENT_NEEDS_START,
                "an agreement needs a signature date (signed_on) or an effective date",
            )
        )
    dates = {
        "signed_on": signed_on,
        "effective_on": effective_on,
        "expires_on": expires_on,
        "terminated_on": terminated_on,
    }
    for _constraint, later, earlier, what in AGREEMENT_DATE_ORDER:
        if ends_before(dates[later], dates[earlier]):
            problems.append(
                Problem(
                    later,
                    f"An agreement cannot {what}.",
                    f"an agreement cannot {what} ({later} {dates[later]} is before "
                    f"{earlier} {dates[earlier]})",
                )
            )
    return problems


def agreement_parties_problems(parties: Collection[Any]) -> list[Problem]:
    """An agreement binds two or more parties (the set is saved after the agreement, so
    the services and the import check it, not clean())."""
    if len(set(parties)) >= 2:
        return []
    return [
        Problem(
            "parties",
            "An agreement binds two or more parties.",
            "an agreement binds two or more parties; list them separated by ';'",
        )
    ]


class Party(models.Model):
    """A legal person that sends or receives personal data: us, a group company, a vendor..."""

    slug = models.SlugField("slug", max_length=100, unique=True)
    name = models.CharField("name", max_length=200)
    legal_name = models.CharField("legal name", max_length=300, blank=True)
    relationship = models.CharField("relationship", max_length=32, choices=Relationship.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="parent company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidiaries",
        help_text="The company that owns this one, for group structure.",
    )
    engaged_by = models.ForeignKey(
        "self",
        verbose_name="engaged by",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engaged_subprocessors",
        help_text="For a sub-processor: the processor that engaged it.",
    )
    country: CountryModelField = CountryField("country of establishment")
    processing_countries: CountriesModelField = CountryField(
        "processing countries",
        multiple=True,
        blank=True,
        help_text="Where the party processes or stores data; empty means its own country.",
    )
    website = models.URLField("website", blank=True)
    contact_email = models.EmailField("privacy contact e-mail", blank=True)
    dpf_certified_until = models.DateField(
        "DPF certified until",
        null=True,
        blank=True,
        help_text="End of the Data Privacy Framework self-certification (EU-US, UK, Swiss).",
    )
    pci_attested_on = models.DateField(
        "PCI DSS attested on",
        null=True,
        blank=True,
        help_text="Date of the latest PCI DSS attestation of compliance.",
    )
    status = models.CharField(
        "onboarding status",
        max_length=32,
        choices=PartyStatus.choices,
        default=PartyStatus.DRAFT,
    )
    security_measures = models.TextField(
        "security measures",
        blank=True,
        help_text="A general description of the technical and organisational security "
        "measures this party applies (GDPR Art. 30(1)(g), Art. 32(1)).",
    )
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "slug"]
        verbose_name = "party"
        verbose_name_plural = "parties"
        permissions = [
            ("import_records", "Can import parties, agreements and flows"),
            ("export_records", "Can export the register"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["relationship"],
                condition=Q(relationship=Relationship.OWN),
                name="party_one_own_company",
                violation_error_message=ONE_OWN_COMPANY,
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="party_not_own_parent",
                violation_error_message=NOT_OWN_PARENT,
            ),
            models.CheckConstraint(
                condition=~Q(engaged_by=F("pk")),
                name="party_not_engaged_by_itself",
                violation_error_message=NOT_ENGAGED_BY_ITSELF,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("party_detail", args=[self.slug])

    @property
    def effective_processing_countries(self) -> list[str]:
        codes = [c.code for c in self.processing_countries]
        return codes or [self.country.code]

    def clean(self) -> None:
        # A lazy queryset: own_company_problems reads it only for an own company.
        owners = Party.objects.filter(relationship=Relationship.OWN).values_list("pk", flat=True)
        raise_problems(
            [
                *party_problems(
                    key=self.pk, relationship=self.relationship, engaged_by=self.engaged_by_id
                ),
                *ancestry_problems(key=self.pk, parent=self.parent_id, parent_of=_parent_id_of),
                *own_company_problems(key=self.pk, relationship=self.relationship, owners=owners),
            ]
        )


def _parent_id_of(pk: int) -> int | None:
    return Party.objects.filter(pk=pk).values_list("parent_id", flat=True).first()


def bound_party_message(party: object, references: Iterable[str]) -> str:
    """Why a party bound by agreements cannot be deleted, and what to do instead."""
    listed = ", ".join(sorted(references))
    return (
        f"{party} cannot be deleted: the agreements {listed} bind it. Offboard the party "
        "instead (set its status to offboarded); the agreements keep both sides."
    )


def bound_party_messages(parties: Iterable[Party]) -> list[str]:
    """For each of `parties` that agreements bind, why it cannot be deleted (one query).

    AgreementParty protects the party in the database layer of the ORM; this names the
    agreements in words for the admin and the services."""
    links = AgreementParty.objects.filter(party__in=[p.pk for p in parties]).values_list(
        "party__name", "agreement__reference"
    )
    by_party: dict[str, list[str]] = {}
    for name, reference in links:
        by_party.setdefault(name, []).append(reference)
    return [bound_party_message(name, refs) for name, refs in sorted(by_party.items())]


class AgreementParty(models.Model):
    """A party bound by an agreement. The party is protected: deleting it would leave the
    agreement with one side, so a party that signed is offboarded, never deleted."""

    agreement = models.ForeignKey(
        "Agreement",
        on_delete=models.CASCADE,
        related_name="party_links",
        verbose_name="agreement",
    )
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="agreement_links",
        verbose_name="party",
    )

    class Meta:
        # The table Django made for the implicit many-to-many, kept with its rows.
        db_table = "registry_agreement_parties"
        ordering = ["agreement", "party"]
        unique_together = [("agreement", "party")]
        verbose_name = "party bound by an agreement"
        verbose_name_plural = "parties bound by agreements"

    def __str__(self) -> str:
        return (
            f"{self.agreement.reference} binds {self.party}: offboard the party "
            "(status offboarded) instead of deleting it"
        )


class Agreement(models.Model):
    """A written commitment between two or more parties: a DPA, SCCs, an intra-group agreement."""

    reference = models.SlugField("reference", max_length=100, unique=True)
    title = models.CharField("title", max_length=300, blank=True)
    kind = models.CharField("kind", max_length=40, choices=AgreementKind.choices)
    parties = models.ManyToManyField(
        Party, through=AgreementParty, related_name="agreements", verbose_name="parties"
    )
    signed_on = models.DateField("signed on", null=True, blank=True)
    effective_on = models.DateField(
        "effective on", null=True, blank=True, help_text="Empty means from the signature."
    )
    expires_on = models.DateField("expires on", null=True, blank=True)
    terminated_on = models.DateField("terminated on", null=True, blank=True)
    categories = models.ManyToManyField(
        "flows.DataCategory",
        related_name="agreements",
        blank=True,
        verbose_name="data categories covered",
        help_text="None means every category. A category covers its descendants.",
    )
    flowdown = models.BooleanField(
        "flows obligations down to sub-processors",
        default=False,
        help_text="The same data-protection obligations bind any sub-processor (Art. 28(4)).",
    )
    subprocessor_authorisation = models.CharField(
        "sub-processor authorisation",
        max_length=16,
        choices=SubprocessorAuthorisation.choices,
        default=SubprocessorAuthorisation.NONE,
    )
    document = models.FileField("signed document", upload_to="agreements/%Y/", blank=True)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    history = HistoricalRecords(m2m_fields=[parties, categories])

    class Meta:
        ordering = ["reference"]
        verbose_name = "agreement"
        verbose_name_plural = "agreements"
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_on__isnull=False) | Q(effective_on__isnull=False),
                name="agreement_has_start_date",
                violation_error_message=AGREEMENT_NEEDS_START,
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{later}__isnull": True})
                    | Q(**{f"{earlier}__isnull": True})
                    | Q(**{f"{later}__gte": F(earlier)}),
                    name=name,
                    violation_error_message=f"An agreement cannot {what}.",
                )
                for name, later, earlier, what in AGREEMENT_DATE_ORDER
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.reference

    def get_absolute_url(self) -> str:
        return reverse("agreement_detail", args=[self.reference])

    @property
    def starts_on(self):
        return self.effective_on or self.signed_on

    def clean(self) -> None:
        raise_problems(
            agreement_problems(
                signed_on=self.signed_on,
                effective_on=self.effective_on,
                expires_on=self.expires_on,
                terminated_on=self.terminated_on,
            )
        )


class PublicationChange(models.TextChoices):
    ADDED = "added", "Added to the public list"
    REMOVED = "removed", "Removed from the public list"


PUBLISHED_RELATIONSHIPS = (Relationship.PROCESSOR, Relationship.SUBPROCESSOR)
NOTICE_BEFORE_EFFECT = "A change cannot take effect before the notice is given."


class Publication(models.Model):
    """A reviewer's decision that a processor or sub-processor joins (or leaves) the public
    list: customers are told on the notice date and the change takes effect after the
    objection period, on the effective date (GDPR Art. 28(2): the controller is informed of
    intended additions or replacements and may object). Never edited: a later decision is a
    new row, and the latest one in effect on a day says whether the party is listed."""

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="publications", verbose_name="party"
    )
    change = models.CharField(
        "change", max_length=16, choices=PublicationChange.choices, default=PublicationChange.ADDED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publications_decided",
        verbose_name="decided by",
        help_text="Empty for the parties listed before decisions were recorded.",
    )
    decided_at = models.DateTimeField("decided at")
    notice_on = models.DateField("notice date")
    effective_on = models.DateField("effective date")
    note = models.TextField("note", blank=True)

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = "publication on the public list"
        verbose_name_plural = "publications on the public list"
        indexes = [models.Index(fields=["party", "effective_on"], name="publication_party_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_on__gte=F("notice_on")),
                name="publication_effective_after_notice",
                violation_error_message=NOTICE_BEFORE_EFFECT,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.get_change_display().lower()} on {self.effective_on}"

    def clean(self) -> None:
        if ends_before(self.effective_on, self.notice_on):
            raise ValidationError({"effective_on": NOTICE_BEFORE_EFFECT})
