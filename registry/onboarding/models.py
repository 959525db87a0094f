"""A vendor's onboarding: its personal link, its answers, its documents and its events."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from registry.models import Party


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
    # Empty for onboardings started before senders were chosen: the own company sent alone.
    senders = models.ManyToManyField(
        Party,
        related_name="onboardings_sending",
        blank=True,
        verbose_name="companies that send the vendor data",
        help_text="The own company or its affiliates; each gets its own proposed flows.",
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
    # Who, for the vendor, attested that the answers are true, and on which day (the day of
    # the submission, recorded by the server, never typed).
    attested_name = models.CharField("attested by (name)", max_length=200, blank=True)
    attested_role = models.CharField("attested by (role)", max_length=200, blank=True)
    attested_on = models.DateField("attested on", null=True, blank=True)
    reviewer_comment = models.TextField("reviewer's comment", blank=True)
    proposed_flows = models.ManyToManyField(
        "flows.Flow", related_name="onboardings", blank=True, verbose_name="proposed flows"
    )
    # Only parties this onboarding created for the vendor's named sub-processors: the
    # reviewer may match one to an existing party, which is never written to.
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
        db_table = "registry_onboarding"  # the table it had when onboarding lived in registry
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
        db_table = "registry_onboardingdocument"
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
        db_table = "registry_onboardingevent"
        ordering = ["at", "id"]
        verbose_name = "onboarding event"
        verbose_name_plural = "onboarding events"

    def __str__(self) -> str:
        return f"{self.action} by {self.who} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def who(self) -> str:
        return self.actor.get_username() if self.actor else "the vendor (through its link)"
