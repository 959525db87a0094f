"""Forms of the onboarding: the analyst's start form and the vendor's steps.

The vendor's answers are kept as typed (form data) in `Onboarding.answers`, one entry a step,
and every step's form is validated again from them at submission, so a draft may hold
anything while what reaches the register has passed these forms.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.formsets import DELETION_FIELD_NAME
from django_countries import countries

from flows.choices import LawfulBasis
from flows.models import DataCategory, DataSubject, Purpose
from registry.choices import Relationship
from registry.forms import choice_field
from registry.models import Party
from registry.onboarding.models import OnboardingDocumentKind
from registry.web.pickers import PickMany, PickOne


def _country_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in countries]


def _category_choices() -> list[tuple[str, str]]:
    return [(c.key, f"{c.name} ({c.key})") for c in DataCategory.objects.order_by("key")]


def _data_subject_choices() -> list[tuple[str, str]]:
    return [(d.key, f"{d.name} ({d.key})") for d in DataSubject.objects.order_by("name", "key")]


def _purpose_choices() -> list[tuple[str, str]]:
    return [(p.key, f"{p.name} ({p.key})") for p in Purpose.objects.order_by("key")]


def _countries() -> PickMany:
    return PickMany(search_label="Search the countries")


def _categories() -> PickMany:
    return PickMany(search_label="Search the categories")


def _purposes() -> PickMany:
    return PickMany(search_label="Search the purposes")


def _one_country() -> PickOne:
    return PickOne(search_label="Search the countries")


def sender_choices() -> list[tuple[str, str]]:
    """The own company first, then its affiliates by name: the companies that may send a
    vendor data."""
    parties = Party.objects.filter(
        relationship__in=(Relationship.OWN, Relationship.AFFILIATE)
    ).order_by("name", "pk")
    own_first = sorted(parties, key=lambda p: p.relationship != Relationship.OWN)
    return [
        (
            p.slug,
            f"{p.name} ({p.country.name}, "
            f"{'own company' if p.relationship == Relationship.OWN else 'affiliate'})",
        )
        for p in own_first
    ]


class OnboardingStartForm(forms.Form):
    name = forms.CharField(label="Vendor name", max_length=200)
    contact_email = forms.EmailField(
        label="Vendor contact e-mail", help_text="The personal link is sent to this address."
    )
    country = forms.ChoiceField(
        label="Vendor's country",
        help_text="The vendor can correct it in its form.",
        widget=_one_country(),
    )
    service = forms.CharField(label="Service it will provide", max_length=300)
    senders = forms.MultipleChoiceField(
        label="Companies of ours that will send it data",
        help_text="Each one chosen gets its own proposed flows to the vendor, so that a "
        "transfer from an affiliate abroad is checked too.",
        widget=PickMany(search_label="Search our companies"),
    )
    categories = forms.MultipleChoiceField(
        label="Data categories we intend to send", widget=_categories()
    )
    purposes = forms.MultipleChoiceField(
        label="Purposes we intend to send data for", widget=_purposes()
    )
    lawful_basis = forms.ChoiceField(
        label="Our lawful basis for sending it",
        choices=[("", "Not decided yet")] + list(LawfulBasis.choices),
        required=False,
    )
    valid_days = forms.IntegerField(
        label="Link valid for (days)", min_value=1, max_value=90, initial=14
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "country").choices = _country_choices()
        senders = sender_choices()
        choice_field(self, "senders").choices = senders
        if senders and not self.is_bound:
            self.initial.setdefault("senders", [senders[0][0]])
        choice_field(self, "categories").choices = _category_choices()
        choice_field(self, "purposes").choices = _purpose_choices()


# --- The vendor's steps -------------------------------------------------------------------


class IdentityForm(forms.Form):
    legal_name = forms.CharField(label="Legal name of your company", max_length=300)
    country = forms.ChoiceField(label="Country of establishment", choices=(), widget=_one_country())
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    contact_name = forms.CharField(label="Contact person", max_length=200)
    contact_email = forms.EmailField(label="Contact e-mail")
    dpo_name = forms.CharField(label="Data protection officer or privacy contact", max_length=200)
    dpo_email = forms.EmailField(label="DPO or privacy contact e-mail")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "country").choices = _country_choices()


class ServicesForm(forms.Form):
    services = forms.CharField(
        label="Services you will provide to us",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )
    purposes = forms.MultipleChoiceField(
        label="Purposes you will process our data for", widget=_purposes()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "purposes").choices = _purpose_choices()


class CategoriesForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label="Data categories you will receive", widget=_categories()
    )
    # Optional so that answers saved before the question existed still validate.
    data_subjects = forms.MultipleChoiceField(
        label="Whose data you will receive",
        help_text="The people the data is about: our customers, employees, job applicants...",
        required=False,
        widget=PickMany(search_label="Search the data subjects"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "categories").choices = _category_choices()
        choice_field(self, "data_subjects").choices = _data_subject_choices()


class CountriesForm(forms.Form):
    processing_countries = forms.MultipleChoiceField(
        label="Countries where you process or store our data",
        help_text="Tick every country: where servers, support staff or backups are.",
        widget=_countries(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "processing_countries").choices = _country_choices()


class SubprocessingAgreement:
    """What binds the vendor and one of its sub-processors (GDPR Art. 28(4): the same
    data-protection obligations, by contract)."""

    NONE = "none"
    WITHOUT_FLOWDOWN = "without_flowdown"
    FLOWDOWN = "flowdown"
    CHOICES = [
        (NONE, "No written agreement with it"),
        (WITHOUT_FLOWDOWN, "An agreement, but without our data-protection obligations"),
        (FLOWDOWN, "A sub-processing agreement that flows our data-protection obligations down"),
    ]
    LABELS = dict(CHOICES)


class SubprocessorForm(forms.Form):
    name = forms.CharField(label="Sub-processor name", max_length=200)
    country = forms.ChoiceField(label="Country of establishment", choices=(), widget=_one_country())
    processing_countries = forms.MultipleChoiceField(
        label="Countries where it processes our data",
        help_text="Leave empty if only in its country of establishment.",
        required=False,
        widget=_countries(),
    )
    service = forms.CharField(label="Service it provides", max_length=300)
    categories = forms.MultipleChoiceField(
        label="Data categories it receives", widget=_categories()
    )
    # Optional so that rows saved before the question existed still validate ("none").
    agreement = forms.ChoiceField(
        label="Agreement between you and this sub-processor",
        choices=SubprocessingAgreement.CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    agreement_signed_on = forms.DateField(
        label="Agreement signed on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "country").choices = _country_choices()
        choice_field(self, "processing_countries").choices = _country_choices()
        choice_field(self, "categories").choices = _category_choices()
        if not self.is_bound and not self.initial.get("agreement"):
            self.initial["agreement"] = SubprocessingAgreement.NONE

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["agreement"] = data.get("agreement") or SubprocessingAgreement.NONE
        signed = data.get("agreement_signed_on")
        if data["agreement"] != SubprocessingAgreement.NONE and not signed:
            self.add_error("agreement_signed_on", "Give the date the agreement was signed.")
        if signed and signed > date.today():
            self.add_error("agreement_signed_on", "A signature date cannot be in the future.")
        if signed and data["agreement"] == SubprocessingAgreement.NONE:
            self.add_error("agreement", "Say which agreement was signed on this date.")
        return data


class BaseSubprocessorFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this sub-processor"

    def clean(self) -> None:
        super().clean()
        names = [
            form.cleaned_data.get("name", "").strip().lower()
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get(DELETION_FIELD_NAME, False)
        ]
        if len(names) != len(set(names)):
            raise ValidationError("Each sub-processor appears once.")


SubprocessorFormSet = forms.formset_factory(
    SubprocessorForm, formset=BaseSubprocessorFormSet, extra=0, can_delete=True, max_num=50
)
SubprocessorFormSetWithNewRow = forms.formset_factory(
    SubprocessorForm, formset=BaseSubprocessorFormSet, extra=1, can_delete=True, max_num=50
)
"""The rows typed so far as initial forms, plus an empty one that may stay empty."""
SUBPROCESSOR_PREFIX = "sub"


class CertificationsForm(forms.Form):
    DPF_FRAMEWORKS = [("eu_us", "EU-US DPF"), ("uk", "UK extension"), ("swiss", "Swiss-US DPF")]

    dpf_frameworks = forms.MultipleChoiceField(
        label="Data Privacy Framework self-certifications",
        choices=DPF_FRAMEWORKS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    dpf_certified_until = forms.DateField(
        label="DPF certification valid until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    pci_attested_on = forms.DateField(
        label="Date of your latest PCI DSS attestation of compliance",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    iso27001 = forms.BooleanField(label="ISO/IEC 27001 certified", required=False)
    iso27001_until = forms.DateField(
        label="ISO/IEC 27001 certificate valid until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        today = date.today()
        until = data.get("dpf_certified_until")
        if data.get("dpf_frameworks") and not until:
            self.add_error("dpf_certified_until", "Give the end date of your DPF certification.")
        if until and not data.get("dpf_frameworks"):
            self.add_error("dpf_frameworks", "Tick the frameworks this end date is for.")
        if until and until < today:
            self.add_error("dpf_certified_until", "This certification has already ended.")
        frameworks = data.get("dpf_frameworks") or []
        if "uk" in frameworks and "eu_us" not in frameworks:
            self.add_error(
                "dpf_frameworks",
                "The UK Extension is joined through the EU-US DPF: tick the EU-US DPF too.",
            )
        attested = data.get("pci_attested_on")
        if attested and attested > today:
            self.add_error("pci_attested_on", "An attestation date cannot be in the future.")
        if data.get("iso27001") and not data.get("iso27001_until"):
            self.add_error("iso27001_until", "Give the end date of your ISO 27001 certificate.")
        return data


class DpaStatus:
    CHOICES = [
        ("none", "No DPA yet"),
        ("offered", "We offer our standard DPA"),
        ("signed", "A DPA is signed with you"),
    ]


SCC_MODULES = [
    ("", "No SCCs"),
    ("scc_2021_m2", "SCCs 2021, module 2 (controller to processor)"),
    ("scc_2021_m3", "SCCs 2021, module 3 (processor to processor)"),
    ("scc_2021_m1", "SCCs 2021, module 1 (controller to controller)"),
    ("scc_2021_m4", "SCCs 2021, module 4 (processor to controller)"),
]


class AgreementsForm(forms.Form):
    dpa = forms.ChoiceField(
        label="Data processing agreement", choices=DpaStatus.CHOICES, widget=forms.RadioSelect
    )
    dpa_signed_on = forms.DateField(
        label="DPA signed on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    scc_module = forms.ChoiceField(
        label="Standard contractual clauses", choices=SCC_MODULES, required=False
    )
    scc_signed_on = forms.DateField(
        label="SCCs signed on",
        required=False,
        help_text="Leave empty if the SCCs are offered but not yet signed.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        signed = data.get("dpa_signed_on")
        if data.get("dpa") == "signed" and not signed:
            self.add_error("dpa_signed_on", "Give the date the DPA was signed.")
        if signed and signed > date.today():
            self.add_error("dpa_signed_on", "A signature date cannot be in the future.")
        if data.get("scc_signed_on") and not data.get("scc_module"):
            self.add_error("scc_module", "Choose the SCC module that was signed.")
        return data


UPLOAD_TYPES = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
}


def upload_limit() -> int:
    return int(getattr(settings, "ONBOARDING_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))


class DocumentForm(forms.Form):
    """One upload: its kind is chosen, its type is checked by extension and content."""

    kind = forms.ChoiceField(label="Document type", choices=OnboardingDocumentKind.choices)
    file = forms.FileField(
        label="Document (PDF, PNG or JPEG)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = upload_limit()
        if upload.size and upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size // 1024} KB; the limit is {limit // 1024} KB."
            )
        name = (upload.name or "").lower()
        extension = name[name.rfind(".") :] if "." in name else ""
        if extension not in UPLOAD_TYPES:
            raise ValidationError("Upload a PDF, PNG or JPEG file.")
        content_type, magic = UPLOAD_TYPES[extension]
        head = upload.read(len(magic))
        upload.seek(0)
        if head != magic:
            raise ValidationError(f"This file is not a real {extension[1:].upper()} file.")
        upload.content_type = content_type
        return upload


class AttestationForm(forms.Form):
    """The vendor's statement, before submission, that its answers are true. The date is
    the day of the submission, recorded by the server."""

    name = forms.CharField(label="Your full name", max_length=200)
    role = forms.CharField(
        label="Your role at your company", max_length=200, help_text="For example: DPO, CISO."
    )
    confirm = forms.BooleanField(
        label="I confirm that these answers are true and complete to the best of my knowledge, "
        "and that I may give them for my company."
    )


STEPS: tuple[tuple[str, str, type[forms.Form] | None], ...] = (
    ("identity", "Your company", IdentityForm),
    ("services", "Services and purposes", ServicesForm),
    ("categories", "Data categories", CategoriesForm),
    ("countries", "Where you process data", CountriesForm),
    ("subprocessors", "Your sub-processors", None),
    ("certifications", "Certifications", CertificationsForm),
    ("agreements", "Agreements and documents", AgreementsForm),
)
STEP_NAMES: tuple[str, ...] = tuple(name for name, _, _ in STEPS)
STEP_TITLES: dict[str, str] = {name: title for name, title, _ in STEPS}
STEP_FORMS: dict[str, type[forms.Form] | None] = {name: form for name, _, form in STEPS}
