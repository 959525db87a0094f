"""The catalog: who the parties are and what they signed."""

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
    country = CountryField("country of establishment")
    processing_countries = CountryField(
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
                violation_error_message="There is already an own company in the register.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="party_not_own_parent",
                violation_error_message="A party cannot be its own parent.",
            ),
            models.CheckConstraint(
                condition=~Q(engaged_by=F("pk")),
                name="party_not_engaged_by_itself",
                violation_error_message="A party cannot engage itself.",
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
        errors: dict[str, str] = {}
        if self.relationship == Relationship.SUBPROCESSOR and self.engaged_by_id is None:
            errors["engaged_by"] = "A sub-processor must name the processor that engaged it."
        if self.engaged_by_id is not None and self.engaged_by_id == self.pk:
            errors["engaged_by"] = "A party cannot engage itself."
        if self.parent_id is not None and self._parent_chain_reaches_self():
            errors["parent"] = "This parent would make the party its own ancestor."
        if errors:
            raise ValidationError(errors)

    def _parent_chain_reaches_self(self) -> bool:
        if self.pk is None:
            return False
        seen: set[int] = set()
        current = self.parent
        while current is not None and current.pk not in seen:
            if current.pk == self.pk:
                return True
            seen.add(current.pk)
            current = current.parent
        return False


class Agreement(models.Model):
    """A written commitment between two or more parties: a DPA, SCCs, an intra-group agreement."""

    reference = models.SlugField("reference", max_length=100, unique=True)
    title = models.CharField("title", max_length=300, blank=True)
    kind = models.CharField("kind", max_length=40, choices=AgreementKind.choices)
    parties = models.ManyToManyField(Party, related_name="agreements", verbose_name="parties")
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
                violation_error_message="An agreement needs a signature or an effective date.",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(effective_on__isnull=True)
                | Q(expires_on__gte=F("effective_on")),
                name="agreement_expires_after_effective",
                violation_error_message="An agreement cannot expire before it takes effect.",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(expires_on__gte=F("signed_on")),
                name="agreement_expires_after_signature",
                violation_error_message="An agreement cannot expire before it is signed.",
            ),
            models.CheckConstraint(
                condition=Q(terminated_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(terminated_on__gte=F("signed_on")),
                name="agreement_terminated_after_signature",
                violation_error_message="An agreement cannot end before it is signed.",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.reference

    def get_absolute_url(self) -> str:
        return reverse("agreement_detail", args=[self.reference])

    @property
    def starts_on(self):
        return self.effective_on or self.signed_on
