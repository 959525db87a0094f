"""The catalog: who the parties are and what they signed."""

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


class OnboardingState(models.TextChoices):
    """Where an onboarding stands; the party's own status follows it (draft while open)."""

    OPEN = "open", "Open: the vendor is filling in the form"
    SUBMITTED = "submitted", "Submitted: waiting for a reviewer"
    CHANGES_REQUESTED = "changes_requested", "Changes requested: reopened for the vendor"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Onboarding(models.Model):
    """A vendor's onboarding: the personal link it fills the form through, its answers, and
    the reviewer's decision. The link itself is never stored: it is signed from `pk` and
    `link_nonce`, so a new nonce (or revocation) kills every link issued before."""

    party = models.OneToOneField(
        Party, on_delete=models.PROTECT, related_name="onboarding", verbose_name="vendor"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="onboardings_started",
        verbose_name="started by",
    )
    contact_email = models.EmailField("vendor contact e-mail")
    service = models.CharField("service it will provide", max_length=300)
    intended_categories = models.ManyToManyField(
        "flows.DataCategory",
        related_name="onboardings",
        blank=True,
        verbose_name="data categories we intend to send",
    )
    intended_purposes = models.ManyToManyField(
        "flows.Purpose",
        related_name="onboardings",
        blank=True,
        verbose_name="purposes we intend to send data for",
    )
    lawful_basis = models.CharField(
        "our lawful basis", max_length=32, blank=True, help_text="For the flows to the vendor."
    )
    state = models.CharField(
        "state", max_length=32, choices=OnboardingState.choices, default=OnboardingState.OPEN
    )
    link_nonce = models.CharField("link nonce", max_length=32)
    link_expires_at = models.DateTimeField("link expires at")
    revoked_at = models.DateTimeField("link revoked at", null=True, blank=True)
    answers = models.JSONField(
        "vendor's answers",
        default=dict,
        blank=True,
        help_text="The form data of each step as typed, saved as a draft at every step.",
    )
    reviewer_comment = models.TextField("reviewer's comment", blank=True)
    proposed_flows = models.ManyToManyField(
        "flows.Flow", related_name="onboardings", blank=True, verbose_name="proposed flows"
    )
    proposed_subprocessors = models.ManyToManyField(
        Party,
        related_name="proposed_in_onboardings",
        blank=True,
        verbose_name="proposed sub-processors",
    )
    submitted_at = models.DateTimeField("submitted at", null=True, blank=True)
    decided_at = models.DateTimeField("decided at", null=True, blank=True)
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "onboarding"
        verbose_name_plural = "onboardings"

    def __str__(self) -> str:
        return f"Onboarding of {self.party}"

    def get_absolute_url(self) -> str:
        return reverse("onboarding_detail", args=[self.pk])


class OnboardingDocumentKind(models.TextChoices):
    DPA = "dpa", "Data processing agreement"
    SCC = "scc", "Standard contractual clauses"
    CERTIFICATE = "certificate", "Certificate or attestation (ISO 27001, PCI DSS, DPF)"
    OTHER = "other", "Other"


class OnboardingDocument(models.Model):
    """A file the vendor uploaded. Stored under MEDIA_ROOT (outside the static root) and
    served only through a view that checks the user's permission."""

    onboarding = models.ForeignKey(
        Onboarding, on_delete=models.CASCADE, related_name="documents", verbose_name="onboarding"
    )
    kind = models.CharField("kind", max_length=16, choices=OnboardingDocumentKind.choices)
    file = models.FileField("file", upload_to="onboarding/%Y/")
    original_name = models.CharField("original file name", max_length=255)
    content_type = models.CharField("content type", max_length=100)
    size = models.PositiveIntegerField("size in bytes")
    uploaded_at = models.DateTimeField("uploaded", auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = "onboarding document"
        verbose_name_plural = "onboarding documents"

    def __str__(self) -> str:
        return self.original_name


class OnboardingEvent(models.Model):
    """One step of an onboarding: who did what, and when."""

    onboarding = models.ForeignKey(
        Onboarding, on_delete=models.CASCADE, related_name="events", verbose_name="onboarding"
    )
    at = models.DateTimeField("when", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onboarding_events",
        verbose_name="user",
        help_text="Empty when the vendor acted through its link.",
    )
    action = models.CharField("action", max_length=40)
    detail = models.TextField("detail", blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "onboarding event"
        verbose_name_plural = "onboarding events"

    def __str__(self) -> str:
        return f"{self.action} by {self.who} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def who(self) -> str:
        return self.actor.get_username() if self.actor else "the vendor (through its link)"
