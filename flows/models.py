"""What moves where: the taxonomy, the flows and the jurisdiction tables the rules read."""

from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from flows.choices import (
    AdequacyScope,
    Art9Condition,
    LawfulBasis,
    Regime,
    Role,
    TransferMechanism,
)
from registry.models import (
    Agreement,
    Party,
    Problem,
    ancestry_problems,
    ends_before,
    raise_problems,
)

if TYPE_CHECKING:
    from registry.models import CountriesModelField, CountryModelField


class TaxonomyNode(models.Model):
    """A node of a dotted hierarchy such as `user.financial.bank_account` (fideslang)."""

    key = models.CharField("key", max_length=200, unique=True)
    name = models.CharField("name", max_length=200)
    description = models.TextField("description", blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="parent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subnodes",
    )
    updated_at = models.DateTimeField("updated", auto_now=True)
    # The type checker does not derive the foreign key's column on an abstract model.
    parent_id: int | None

    class Meta:
        abstract = True
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        nodes = type(self)._default_manager

        def parent_of(pk: int) -> int | None:
            node = nodes.filter(pk=pk).only("parent").first()
            return node.parent_id if node else None

        raise_problems(
            ancestry_problems(
                key=self.pk,
                parent=self.parent_id,
                parent_of=parent_of,
                noun=str(self._meta.verbose_name),
            )
        )


class DataCategory(TaxonomyNode):
    """A category of personal data. A flag set here holds for every descendant too."""

    special_category = models.BooleanField("special category (GDPR Art. 9)", default=False)
    criminal = models.BooleanField("criminal offence data (GDPR Art. 10)", default=False)
    children = models.BooleanField("children's data", default=False)
    payment_card = models.BooleanField("payment card data (PCI DSS)", default=False)
    credentials = models.BooleanField("credentials", default=False)

    class Meta(TaxonomyNode.Meta):
        verbose_name = "data category"
        verbose_name_plural = "data categories"


class Purpose(TaxonomyNode):
    """A purpose (data use). A sale or sharing of data needs the person's consent."""

    sale_or_share = models.BooleanField("sale or sharing of data", default=False)

    class Meta(TaxonomyNode.Meta):
        verbose_name = "purpose"
        verbose_name_plural = "purposes"


class DataSubject(TaxonomyNode):
    """A category of people the data is about: customers, employees, visitors..."""

    class Meta(TaxonomyNode.Meta):
        verbose_name = "data subject category"
        verbose_name_plural = "data subject categories"


# --- the rules of a flow ----------------------------------------------------------------
# `source` and `target` name parties the same way: primary keys in clean(), slugs in a file.

FLOW_TO_ITSELF = "A flow cannot go from a party to itself."
FLOW_ENDS_BEFORE_START = "A flow cannot end before it starts."


def flow_problems(
    *, source: Any, target: Any, started_on: date | None, ended_on: date | None
) -> list[Problem]:
    """A flow goes from one party to another, and does not end before it starts."""
    problems = []
    if source and source == target:
        problems.append(
            Problem(
                "target", FLOW_TO_ITSELF, f"a flow cannot go from a party to itself ('{target}')"
            )
        )
    if ends_before(ended_on, started_on):
        problems.append(
            Problem(
                "ended_on",
                FLOW_ENDS_BEFORE_START,
                f"a flow cannot end ({ended_on}) before it starts ({started_on})",
            )
        )
    return problems


def flow_categories_problems(categories: Collection[Any]) -> list[Problem]:
    """A flow carries at least one data category (the set is saved after the flow, so the
    services and the import check it, not clean())."""
    if categories:
        return []
    return [
        Problem(
            "categories",
            "A flow carries at least one data category.",
            "a flow carries at least one data category; list them separated by ';'",
        )
    ]


class Flow(models.Model):
    """Personal data of some categories sent by one party to another for one purpose."""

    reference = models.SlugField(
        "reference",
        max_length=200,
        unique=True,
        help_text="A stable name for the flow, used by imports and in reports.",
    )
    source = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="outgoing_flows", verbose_name="source"
    )
    target = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="incoming_flows", verbose_name="target"
    )
    categories = models.ManyToManyField(
        DataCategory, related_name="flows", verbose_name="data categories"
    )
    data_subjects = models.ManyToManyField(
        DataSubject, related_name="flows", blank=True, verbose_name="data subjects"
    )
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="flows", verbose_name="purpose"
    )
    role = models.CharField("recipient's role", max_length=32, choices=Role.choices)
    lawful_basis = models.CharField(
        "lawful basis", max_length=32, choices=LawfulBasis.choices, blank=True
    )
    art9_condition = models.CharField(
        "Art. 9 condition", max_length=32, choices=Art9Condition.choices, blank=True
    )
    processing_countries: "CountriesModelField" = CountryField(
        "processing countries",
        multiple=True,
        blank=True,
        help_text="Where the target processes this data; empty means the target's countries.",
    )
    transfer_mechanism = models.CharField(
        "transfer mechanism", max_length=32, choices=TransferMechanism.choices, blank=True
    )
    transfer_agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name="transfer agreement",
    )
    tia_on = models.DateField("transfer impact assessment on", null=True, blank=True)
    derogation_justification = models.TextField(
        "why a derogation applies",
        blank=True,
        help_text="For a transfer on an Art. 49 derogation: which one and why it applies to "
        "this occasional transfer (EDPB Guidelines 2/2018).",
    )
    art10_authority = models.CharField(
        "Art. 10 legal authority",
        max_length=300,
        blank=True,
        help_text="For criminal-offence data: the official authority, or the Union or Member "
        "State law, under which it is processed (GDPR Art. 10).",
    )
    started_on = models.DateField("started on")
    ended_on = models.DateField("ended on", null=True, blank=True)
    retention = models.CharField(
        "retention period",
        max_length=200,
        blank=True,
        help_text="How long the recipient keeps this data, e.g. “6 years after contract end” "
        "(GDPR Art. 30(1)(f)).",
    )
    description = models.TextField("description", blank=True)
    proposed = models.BooleanField(
        "proposed",
        default=False,
        db_index=True,
        help_text="Proposed by an onboarding and not yet approved: not part of the live "
        "register, so the rules and the lists leave it out.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    history = HistoricalRecords(m2m_fields=[categories])

    class Meta:
        ordering = ["reference"]
        verbose_name = "flow"
        verbose_name_plural = "flows"
        permissions = [("review_findings", "Can decide on findings and onboardings")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("target")),
                name="flow_source_differs_from_target",
                violation_error_message=FLOW_TO_ITSELF,
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="flow_ends_after_start",
                violation_error_message=FLOW_ENDS_BEFORE_START,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.purpose})"

    def get_absolute_url(self) -> str:
        return reverse("flow_detail", args=[self.pk])

    def clean(self) -> None:
        raise_problems(
            flow_problems(
                source=self.source_id,
                target=self.target_id,
                started_on=self.started_on,
                ended_on=self.ended_on,
            )
        )


def active_on(day: date) -> Q:
    """Flows active on `day`, for querysets: flows.engine.records.is_active in SQL (started on
    or before the day, not ended before it). A test holds the two to the same answers."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class ZoneMembership(models.Model):
    """A country inside a regime's own zone (the EEA for the EU GDPR), for a period."""

    regime = models.CharField("regime", max_length=2, choices=Regime.choices)
    country: "CountryModelField" = CountryField("country")
    valid_from = models.DateField("member from", null=True, blank=True)
    valid_to = models.DateField("member until", null=True, blank=True)
    notes = models.TextField("notes", blank=True)
    updated_at = models.DateTimeField("updated", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["regime", "country"]
        verbose_name = "zone membership"
        verbose_name_plural = "zone memberships"
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "country", "valid_from"], name="zone_membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="zone_membership_dates_in_order",
                violation_error_message="A membership cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country.code} in the {self.regime} zone"


class AdequacyDecision(models.Model):
    """A finding by a regime that a country protects personal data adequately, for a period."""

    regime = models.CharField("regime", max_length=2, choices=Regime.choices)
    country: "CountryModelField" = CountryField("country")
    instrument = models.CharField("instrument", max_length=300, blank=True)
    valid_from = models.DateField("valid from")
    valid_to = models.DateField("valid until", null=True, blank=True)
    scope = models.CharField(
        "scope", max_length=16, choices=AdequacyScope.choices, default=AdequacyScope.WHOLE
    )
    notes = models.TextField("notes", blank=True)
    verification = models.TextField(
        "verification", blank=True, help_text="How far the facts were checked, and where."
    )
    updated_at = models.DateTimeField("updated", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["regime", "country", "valid_from"]
        verbose_name = "adequacy decision"
        verbose_name_plural = "adequacy decisions"
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "country", "valid_from"], name="adequacy_decision_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="adequacy_dates_in_order",
                violation_error_message="A decision cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.regime} adequacy for {self.country.code} ({self.instrument})"


class MechanismValidity(models.Model):
    """The period in which a transfer mechanism may be relied on under a regime."""

    regime = models.CharField("regime", max_length=2, choices=Regime.choices)
    mechanism = models.CharField("mechanism", max_length=32, choices=TransferMechanism.choices)
    valid_from = models.DateField("valid from", null=True, blank=True)
    valid_to = models.DateField("valid until", null=True, blank=True)
    citation = models.CharField("citation", max_length=300, blank=True)
    notes = models.TextField("notes", blank=True)
    updated_at = models.DateTimeField("updated", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["regime", "mechanism"]
        verbose_name = "transfer mechanism validity"
        verbose_name_plural = "transfer mechanism validities"
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "mechanism"], name="mechanism_validity_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="mechanism_validity_dates_in_order",
                violation_error_message="A period cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mechanism} under {self.regime}"


class StoredFinding(models.Model):
    """One of today's findings, as the rules computed it, kept current by every write
    (flows.findings.keeping) so that every page and every worker reads the same findings
    with SQL filters, counts and paging. Findings on past dates are computed on the fly.

    Rows of one (rule, flow) are written together in the engine's order, so ordering by
    (severity_rank, rule, flow, id) is the order of `Finding.sort_key`.
    """

    rule = models.CharField("rule", max_length=64)
    severity = models.CharField("severity", max_length=16)
    severity_rank = models.PositiveSmallIntegerField("severity rank")
    """0 for critical, 4 for info: ordering by it puts the worst first."""
    flow = models.ForeignKey(
        Flow, on_delete=models.CASCADE, related_name="stored_findings", verbose_name="flow"
    )
    source = models.CharField("source (slug)", max_length=200)
    target = models.CharField("target (slug)", max_length=200)
    # Lists are written `|a|b|c|` (empty: ""): a key is matched as `|key|`, never as a part
    # of a longer one, and reading them back is a split, where JSON would be decoded row by
    # row.
    categories = models.TextField("category keys, |-delimited", blank=True)
    path = models.TextField("path (slugs in order), |-delimited", blank=True)
    parties_text = models.TextField("parties, |-delimited")
    """Source, target and every step of the path, for the party filter."""
    message = models.TextField("message")
    citation = models.TextField("citation")
    remedy = models.TextField("remedy")
    fingerprint = models.CharField("fingerprint of the facts", max_length=64)
    """Of the facts behind the findings of this (rule, flow), as a review decision stores it."""
    leads_group = models.BooleanField("first of its (rule, flow)", default=True)
    """The review queue lists one row per (rule, flow): the first one."""
    flow_started_on = models.DateField("flow started on")
    """Since when an undecided finding has waited: the review queue's order, by index."""
    computed_at = models.DateTimeField("computed at")

    class Meta:
        ordering = ["severity_rank", "rule", "flow_id", "id"]
        verbose_name = "finding"
        verbose_name_plural = "findings"
        indexes = [
            models.Index(fields=["severity_rank", "rule", "flow", "id"], name="finding_order"),
            models.Index(fields=["flow", "rule"], name="finding_flow"),
            models.Index(fields=["severity"], name="finding_severity"),  # the tabs' counts
            models.Index(
                fields=["severity_rank", "flow_started_on", "rule", "flow"],
                condition=Q(leads_group=True),
                name="finding_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} on flow {self.flow_id}"


class FindingsState(models.Model):
    """The one row that says which day the stored findings are for, and whether a refresh
    is under way (a page then says that the findings are being refreshed)."""

    as_of = models.DateField("findings for", null=True)
    computed_at = models.DateTimeField("last refreshed", null=True)
    refresh_requested_at = models.DateTimeField("refresh requested", null=True)
    """Set while a full refresh waits or runs in the background; cleared when it ends."""

    class Meta:
        verbose_name = "state of the stored findings"
        verbose_name_plural = "state of the stored findings"

    def __str__(self) -> str:
        return f"findings for {self.as_of}"
