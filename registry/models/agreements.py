"""Agreements and the parties they bind."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from registry.choices import (
    AgreementKind,
    SubprocessorAuthorisation,
)
from registry.models.parties import Party
from registry.models.problems import (
    AGREEMENT_DATE_ORDER,
    AGREEMENT_NEEDS_START,
    agreement_problems,
    raise_problems,
)


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
    objection_days = models.PositiveSmallIntegerField(
        "objection period (days)",
        default=30,
        help_text="Under a general authorisation, the days we have to object to a new "
        "sub-processor after the processor's notice (GDPR Art. 28(2)).",
    )
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amended_by",
        verbose_name="amends",
        help_text="For a UK Addendum: the SCCs 2021 between the same parties that it amends.",
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
