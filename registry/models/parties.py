"""Parties: the legal persons that send or receive personal data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from registry.choices import (
    PartyStatus,
    Relationship,
)
from registry.models.problems import (
    NOT_OWN_PARENT,
    ONE_OWN_COMPANY,
    ancestry_problems,
    own_company_problems,
    raise_problems,
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
        "EU-US DPF certified until",
        null=True,
        blank=True,
        help_text="End of the EU-US Data Privacy Framework self-certification.",
    )
    dpf_uk_certified_until = models.DateField(
        "UK Extension certified until",
        null=True,
        blank=True,
        help_text="End of the UK Extension to the EU-US DPF (it requires the EU-US certification).",
    )
    dpf_swiss_certified_until = models.DateField(
        "Swiss-US DPF certified until",
        null=True,
        blank=True,
        help_text="End of the Swiss-US Data Privacy Framework self-certification.",
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
                *ancestry_problems(key=self.pk, parent=self.parent_id, parent_of=_parent_id_of),
                *own_company_problems(key=self.pk, relationship=self.relationship, owners=owners),
            ]
        )


def _parent_id_of(pk: int) -> int | None:
    return Party.objects.filter(pk=pk).values_list("parent_id", flat=True).first()
