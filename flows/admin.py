from django.contrib import admin

from flows.models import (
    AdequacyDecision,
    DataCategory,
    DataSubject,
    FindingsState,
    Flow,
    MechanismValidity,
    Purpose,
    StoredFinding,
    ZoneMembership,
)
from flows.resources import DataCategoryResource, FlowResource, PurposeResource
from registry.admin import (
    BadLookupsMixin,
    ReadOnlyAdmin,
    RegisterHistoryAdmin,
    RegisterImportExportMixin,
    SetsHistoryMixin,
    VersionGuardMixin,
)


class TaxonomyAdmin(BadLookupsMixin, admin.ModelAdmin):
    list_display: tuple[str, ...] = ("key", "name", "parent")
    list_select_related = ("parent",)
    search_fields = ("key", "name", "description")
    autocomplete_fields = ("parent",)


@admin.register(DataCategory)
class DataCategoryAdmin(RegisterImportExportMixin, TaxonomyAdmin):
    resource_classes = [DataCategoryResource]
    list_display = (
        "key",
        "name",
        "special_category",
        "criminal",
        "children",
        "payment_card",
        "credentials",
    )
    list_filter = ("special_category", "criminal", "children", "payment_card", "credentials")


@admin.register(Purpose)
class PurposeAdmin(RegisterImportExportMixin, TaxonomyAdmin):
    resource_classes = [PurposeResource]
    list_display = ("key", "name", "sale_or_share")
    list_filter = ("sale_or_share",)


@admin.register(DataSubject)
class DataSubjectAdmin(TaxonomyAdmin):
    pass


@admin.register(Flow)
class FlowAdmin(
    VersionGuardMixin, SetsHistoryMixin, RegisterImportExportMixin, RegisterHistoryAdmin
):
    resource_classes = [FlowResource]
    list_display = (
        "reference",
        "source",
        "target",
        "purpose",
        "role",
        "lawful_basis",
        "transfer_mechanism",
        "started_on",
        "ended_on",
    )
    list_filter = ("role", "lawful_basis", "transfer_mechanism")
    list_select_related = ("source", "target", "purpose")
    search_fields = ("reference", "source__name", "target__name", "purpose__key")
    autocomplete_fields = (
        "source",
        "target",
        "purpose",
        "categories",
        "data_subjects",
        "transfer_agreement",
    )
    date_hierarchy = "started_on"
    # A proposed flow is outside the rules until a reviewer decides: only the onboarding and
    # the edit workflows set it, never a free checkbox.
    readonly_fields = ("proposed",)


@admin.register(ZoneMembership)
class ZoneMembershipAdmin(BadLookupsMixin, admin.ModelAdmin):
    list_display = ("regime", "country", "valid_from", "valid_to")
    list_filter = ("regime",)
    search_fields = ("country", "notes")


@admin.register(AdequacyDecision)
class AdequacyDecisionAdmin(BadLookupsMixin, admin.ModelAdmin):
    list_display = ("regime", "country", "instrument", "valid_from", "valid_to", "scope")
    list_filter = ("regime", "scope")
    search_fields = ("country", "instrument", "notes")


@admin.register(MechanismValidity)
class MechanismValidityAdmin(BadLookupsMixin, admin.ModelAdmin):
    list_display = ("regime", "mechanism", "valid_from", "valid_to", "citation")
    list_filter = ("regime", "mechanism")
    search_fields = ("mechanism", "citation", "notes")


@admin.register(StoredFinding)
class StoredFindingAdmin(ReadOnlyAdmin):
    """Today's findings as stored (flows.findings): every write keeps them current."""

    list_display = ("rule", "severity", "flow", "message", "computed_at")
    list_filter = ("severity", "rule")
    list_select_related = ("flow__source", "flow__target", "flow__purpose")
    search_fields = ("message", "parties_text")


@admin.register(FindingsState)
class FindingsStateAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "computed_at", "refresh_requested_at")
