"""The forms of the edit pages. Each parses what a person typed into the values a service
takes (`service_values`); the services validate the rules. Choices show names, with keys
as secondary text; parties, thousands of them, are picked through a search on the server
(registry.party_fields), and without JavaScript their names are typed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Exists, Model, OuterRef
from django.http import QueryDict
from django_countries import countries

from flows.choices import Art9Condition, LawfulBasis, Role, TransferMechanism
from flows.models import DataCategory, DataSubject, Purpose
from flows.services import flow_values
from registry.choices import (
    AgreementKind,
    EngagementEvidence,
    Relationship,
    SubprocessorAuthorisation,
)
from registry.models import SCC_2021_KINDS, Agreement, Engagement, Party
from registry.party_fields import PartiesField, PartyField
from registry.web.pickers import PickMany, PickOne

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
"""The largest signed document accepted, unless settings.AGREEMENT_DOCUMENT_MAX_BYTES says."""


def _date(**kwargs: Any) -> forms.DateField:
    return forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


def _optional(choices: Sequence[tuple[str, str]], empty: str) -> list[tuple[str, str]]:
    return [("", empty), *choices]


# --- names with their key ----------------------------------------------------------------


class _Named:
    def label_from_instance(self, obj: Model) -> str:
        return f"{obj.name} ({obj.key})"  # type: ignore[attr-defined]


class CategoriesField(_Named, forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=DataCategory.objects.order_by("name", "key"),
            to_field_name="key",
            widget=PickMany(search_label="Search the categories"),
            **kwargs,
        )


class DataSubjectsField(_Named, forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=DataSubject.objects.order_by("name", "key"),
            to_field_name="key",
            widget=PickMany(search_label="Search the data subjects"),
            **kwargs,
        )


class PurposeField(_Named, forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Purpose.objects.order_by("name", "key"),
            to_field_name="key",
            widget=PickOne(search_label="Search the purposes"),
            **kwargs,
        )


def _countries_field(label: str, help_text: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        choices=list(countries),
        widget=PickMany(search_label="Search the countries"),
    )


class VersionedForm(forms.Form):
    """A form based on one version of its record (the id of its latest history row): a
    save over a newer one is refused (registry.services.version_check)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def based_on(self) -> int | None:
        return self.cleaned_data.get("version")

    def rebase(self, version: int | None) -> None:
        """After a conflict the form comes back with the user's input, now based on the
        latest version: saving again keeps the user's values, knowingly."""
        data = cast(QueryDict, self.data).copy()
        data["version"] = "" if version is None else str(version)
        self.data = data


# --- the forms -----------------------------------------------------------------------------


class PartyForm(VersionedForm):
    field_order = ["name", "slug"]

    slug = forms.SlugField(
        label="Slug",
        max_length=100,
        required=False,
        help_text="The short name imports and addresses use; made from the name when left "
        "empty. It cannot change once the party is created.",
    )
    name = forms.CharField(label="Name", max_length=200)
    legal_name = forms.CharField(label="Legal name", max_length=300, required=False)
    relationship = forms.ChoiceField(
        label="Relationship",
        choices=Relationship.choices,
        widget=forms.RadioSelect,
        help_text="A new processor or sub-processor waits for a reviewer's decision.",
    )
    country = forms.ChoiceField(
        label="Country of establishment",
        choices=list(countries),
        widget=PickOne(search_label="Search the countries"),
    )
    processing_countries = _countries_field(
        "Processing countries",
        "Where it processes or stores data; none chosen means its own country.",
    )
    parent = PartyField(
        label="Parent company",
        required=False,
        help_text="The company that owns this one, for group structure.",
    )
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    contact_email = forms.EmailField(label="Privacy contact e-mail", required=False)
    dpf_certified_until = _date(
        label="EU-US DPF certified until",
        required=False,
        help_text="End of its EU-US Data Privacy Framework self-certification.",
    )
    dpf_uk_certified_until = _date(
        label="UK Extension certified until",
        required=False,
        help_text="End of the UK Extension to the EU-US DPF (it requires the EU-US certification).",
    )
    dpf_swiss_certified_until = _date(
        label="Swiss-US DPF certified until",
        required=False,
        help_text="End of its Swiss-US Data Privacy Framework self-certification.",
    )
    pci_attested_on = _date(label="PCI DSS attested on", required=False)
    security_measures = forms.CharField(
        label="Security measures",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A general description of its technical and organisational measures "
        "(encryption, access control, certifications...), as the records of processing "
        "give it (GDPR Art. 30(1)(g)).",
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, party: Party | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if party is not None:
            del self.fields["slug"]

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("slug", None)
        data["processing_countries"] = list(data["processing_countries"])
        return data


def party_initial(party: Party) -> dict[str, Any]:
    return {
        "name": party.name,
        "legal_name": party.legal_name,
        "relationship": party.relationship,
        "country": party.country.code,
        "processing_countries": [c.code for c in party.processing_countries],
        "parent": party.parent,
        "website": party.website,
        "contact_email": party.contact_email,
        "dpf_certified_until": party.dpf_certified_until,
        "dpf_uk_certified_until": party.dpf_uk_certified_until,
        "dpf_swiss_certified_until": party.dpf_swiss_certified_until,
        "pci_attested_on": party.pci_attested_on,
        "security_measures": party.security_measures,
        "notes": party.notes,
    }


class AgreementForm(VersionedForm):
    reference = forms.SlugField(
        label="Reference",
        max_length=100,
        help_text="The agreement's short name, used by imports and flows. It cannot change "
        "once the agreement is created.",
    )
    title = forms.CharField(label="Title", max_length=300, required=False)
    kind = forms.ChoiceField(label="Kind", choices=_optional(AgreementKind.choices, "Choose…"))
    parties = PartiesField(
        label="Parties",
        help_text="Two or more: type a few letters of each name and pick it (or type their "
        "slugs, separated by commas).",
    )
    signed_on = _date(label="Signed on", required=False)
    effective_on = _date(
        label="Effective on", required=False, help_text="Empty means from the signature."
    )
    expires_on = _date(label="Expires on", required=False)
    terminated_on = _date(
        label="Terminated on",
        required=False,
        help_text="Set by Terminate; clear it here only to correct a mistake.",
    )
    categories = CategoriesField(
        label="Data categories covered",
        required=False,
        help_text="None chosen means every category. A category covers its descendants.",
    )
    flowdown = forms.BooleanField(
        label="Flows obligations down to sub-processors",
        required=False,
        help_text="The same data-protection obligations bind any sub-processor (Art. 28(4)).",
    )
    subprocessor_authorisation = forms.ChoiceField(
        label="Sub-processor authorisation",
        choices=SubprocessorAuthorisation.choices,
        initial=SubprocessorAuthorisation.NONE,
        widget=forms.RadioSelect,
    )
    objection_days = forms.IntegerField(
        label="Objection period (days)",
        min_value=0,
        max_value=365,
        initial=30,
        required=False,
        help_text="Under a general authorisation, the days we have to object to a new "
        "sub-processor after the processor's notice (GDPR Art. 28(2)); empty means 30.",
    )
    amends = forms.ModelChoiceField(
        label="Amends (for a UK Addendum)",
        queryset=Agreement.objects.all(),
        to_field_name="reference",
        required=False,
        help_text="The SCCs 2021 between the same parties that this UK Addendum amends: "
        "type a few letters of their reference or title and pick them.",
        error_messages={"invalid_choice": "No agreement has this reference."},
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, agreement: Agreement | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = AgreementReferenceInput(kinds=SCC_2021_KINDS)
        self.fields["amends"].widget = widget
        if agreement is not None:
            del self.fields["reference"]
            widget.parties = tuple(p.pk for p in agreement.parties.all())
            widget.excluded = agreement.pk
        else:
            del self.fields["terminated_on"]

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("reference", None)
        data["categories"] = list(data["categories"])
        if data.get("objection_days") is None:
            data["objection_days"] = 30
        return data


def agreement_initial(agreement: Agreement) -> dict[str, Any]:
    return {
        "title": agreement.title,
        "kind": agreement.kind,
        "parties": list(agreement.parties.all()),
        "signed_on": agreement.signed_on,
        "effective_on": agreement.effective_on,
        "expires_on": agreement.expires_on,
        "terminated_on": agreement.terminated_on,
        "categories": list(agreement.categories.all()),
        "flowdown": agreement.flowdown,
        "subprocessor_authorisation": agreement.subprocessor_authorisation,
        "objection_days": agreement.objection_days,
        "amends": agreement.amends.reference if agreement.amends else "",
        "notes": agreement.notes,
    }


def document_limit() -> int:
    return int(getattr(settings, "AGREEMENT_DOCUMENT_MAX_BYTES", DOCUMENT_MAX_BYTES))


class DocumentForm(VersionedForm):
    """The signed document: a PDF, checked by its name and its first bytes, size-limited."""

    document = forms.FileField(
        label="Signed document (PDF)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def clean_document(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["document"]
        limit = document_limit()
        if upload.size and upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size // 1024} KB; the limit is {limit // 1024} KB."
            )
        if not (upload.name or "").lower().endswith(".pdf"):
            raise ValidationError("Upload the signed document as a PDF file.")
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise ValidationError("This file is not a PDF, although its name ends in .pdf.")
        return upload


TRANSFER_KINDS = (
    "scc_2021_m1", "scc_2021_m2", "scc_2021_m3", "scc_2021_m4", "scc_2010_c2p", "scc_2004_c2c",
    "scc_2001_c2c", "uk_idta", "uk_addendum", "bcr",
)  # fmt: skip
"""The kinds of agreement that implement a transfer mechanism."""
OFFERED_AGREEMENTS = 300
"""Transfer agreements offered as completions; any other is typed by its reference."""


class AgreementReferenceInput(forms.TextInput):
    """A reference input that offers the register's agreements of some kinds (the transfer
    tools, unless told) as the browser's own completions (a datalist: searchable as one
    types, with or without JavaScript), each labelled with its title, kind and parties'
    names; those naming both of the `parties` (a flow's) come first."""

    template_name = "registry/widgets/agreement_reference.html"

    def __init__(self, kinds: Collection[str] = TRANSFER_KINDS) -> None:
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false"})
        self.kinds = tuple(kinds)
        self.parties: tuple[int, ...] = ()
        self.excluded: int | None = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["attrs"]["list"] = f"{widget['attrs'].get('id', name)}_choices"
        agreements = Agreement.objects.filter(kind__in=self.kinds)
        if self.excluded is not None:
            agreements = agreements.exclude(pk=self.excluded)
        if self.parties:
            naming_both = Agreement.objects.filter(parties=self.parties[0]).filter(
                parties=self.parties[-1]
            )
            agreements = agreements.annotate(
                naming=Exists(naming_both.filter(pk=OuterRef("pk")))
            ).order_by("-naming", "reference")
        else:
            agreements = agreements.order_by("reference")
        chosen = agreements.prefetch_related("parties")[:OFFERED_AGREEMENTS]
        widget["options"] = [
            (
                a.reference,
                f"{a.title + ' — ' if a.title else ''}{a.get_kind_display()}: "
                f"{', '.join(sorted(p.name for p in a.parties.all()))}",
            )
            for a in chosen
        ]
        return context


TransferAgreementInput = AgreementReferenceInput
"""The flow form's transfer agreement: any transfer tool."""


class FlowForm(VersionedForm):
    reference = forms.SlugField(
        label="Reference",
        max_length=200,
        required=False,
        help_text="Made from its parties and purpose when left empty. It cannot change once "
        "the flow is created.",
    )
    source = PartyField(label="Source (the party that sends the data)")
    target = PartyField(label="Target (the party that receives it)")
    categories = CategoriesField(label="Data categories")
    data_subjects = DataSubjectsField(
        label="Data subjects",
        required=False,
        help_text="Whom the data is about: customers, employees, job applicants...",
    )
    purpose = PurposeField(label="Purpose")
    role = forms.ChoiceField(
        label="Recipient's role", choices=Role.choices, widget=forms.RadioSelect
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        choices=_optional(LawfulBasis.choices, "None recorded"),
        required=False,
    )
    art9_condition = forms.ChoiceField(
        label="Art. 9 condition",
        choices=_optional(Art9Condition.choices, "None"),
        required=False,
        help_text="For special categories of data (GDPR Art. 9(2)).",
    )
    art10_authority = forms.CharField(
        label="Art. 10 legal authority (for criminal-offence data)",
        max_length=300,
        required=False,
        help_text="For criminal convictions and offences data: the official authority, or "
        "the Union or Member State law, under which it is processed (GDPR Art. 10).",
    )
    processing_countries = _countries_field(
        "Processing countries",
        "Where the target processes this data; none chosen means the target's countries.",
    )
    transfer_mechanism = forms.ChoiceField(
        label="Transfer mechanism",
        choices=_optional(TransferMechanism.choices, "None"),
        required=False,
    )
    transfer_agreement = forms.ModelChoiceField(
        label="Transfer agreement",
        queryset=Agreement.objects.all(),
        to_field_name="reference",
        required=False,
        widget=TransferAgreementInput,
        help_text="The agreement that provides the mechanism: type a few letters of its "
        "reference and pick it.",
        error_messages={"invalid_choice": "No agreement has this reference."},
    )
    derogation_justification = forms.CharField(
        label="Why the derogation applies (for an Art. 49 derogation)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="With the transfer mechanism “Art. 49 derogation”: which derogation, and "
        "why it applies to this occasional transfer (EDPB Guidelines 2/2018).",
    )
    tia_on = _date(label="Transfer impact assessment on", required=False)
    started_on = _date(label="Started on")
    ended_on = _date(label="Ended on", required=False)
    retention = forms.CharField(
        label="Retention period",
        max_length=200,
        required=False,
        help_text="How long the target keeps the data, e.g. “6 years after contract end”.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, flow: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if flow is not None:
            del self.fields["reference"]
            widget = self.fields["transfer_agreement"].widget
            assert isinstance(widget, TransferAgreementInput)
            widget.parties = (flow.source_id, flow.target_id)

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["categories"] = list(data["categories"])
        data["data_subjects"] = list(data["data_subjects"])
        data["processing_countries"] = list(data["processing_countries"])
        return data


def flow_initial(flow: Any) -> dict[str, Any]:
    # The form names the transfer agreement by the reference a person types.
    agreement = flow.transfer_agreement
    return {**flow_values(flow), "transfer_agreement": agreement.reference if agreement else ""}


class EndForm(VersionedForm):
    """The day something ends: an offboarding, a termination, the end of a flow."""

    on = _date(label="On", help_text="The last day it counts; today unless you say otherwise.")

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].label = label


class EngagementForm(VersionedForm):
    """A processor engaging a sub-processor: the notice, our objection or specific
    authorisation, and how the sub-processing agreement is evidenced. The pair is chosen
    when the engagement is recorded; its end has a page of its own."""

    processor = PartyField(label="Processor (the party that engages)")
    subprocessor = PartyField(label="Sub-processor (the party it engages)")
    noticed_on = _date(
        label="Notice given on",
        required=False,
        help_text="When the processor told us: the date of its published list or its letter.",
    )
    notice_source = forms.CharField(
        label="Notice source",
        max_length=500,
        required=False,
        help_text="Where the notice is: the address of the published list, the letter.",
    )
    objected_on = _date(label="We objected on", required=False)
    objection = forms.CharField(
        label="Our objection", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    authorised_on = _date(
        label="Specifically authorised on",
        required=False,
        help_text="Where our agreement requires specific authorisation: the date we gave it.",
    )
    evidence = forms.ChoiceField(
        label="Sub-processing agreement evidenced by",
        choices=_optional(EngagementEvidence.choices, "Nothing yet"),
        required=False,
    )
    evidenced_on = _date(label="Evidence dated", required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, engagement: Engagement | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if engagement is not None:
            del self.fields["processor"]
            del self.fields["subprocessor"]

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


def engagement_initial(engagement: Engagement) -> dict[str, Any]:
    return {
        name: getattr(engagement, name)
        for name in (
            "noticed_on", "notice_source", "objected_on", "objection", "authorised_on",
            "evidence", "evidenced_on", "notes",
        )
    }  # fmt: skip
