from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from registry.models import Agreement, Party
from registry.resources import AgreementResource, PartyResource
from registry.web.permissions import CAN_EXPORT, CAN_IMPORT


class RegisterImportExportMixin(ImportExportMixin):
    """The import and export pages, behind their own permissions (not add/change/view).

    Imports run the checked path (RegisterResource.import_data): every row checked, then
    all written in one transaction, or none. Admin log entries are skipped: the history
    of each record keeps who imported what.
    """

    skip_admin_log = True

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CAN_IMPORT)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CAN_EXPORT)

    def get_export_queryset(self, request: HttpRequest) -> QuerySet:
        """The rows of the change list, read with the resource's joins (no query per row)."""
        rows = super().get_export_queryset(request).values("pk")
        return self.resource_classes[0]().get_queryset().filter(pk__in=rows)


@admin.register(Party)
class PartyAdmin(RegisterImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [PartyResource]
    list_display = ("name", "slug", "relationship", "country", "status", "parent", "engaged_by")
    list_filter = ("relationship", "status", "country")
    list_select_related = ("parent", "engaged_by")
    search_fields = ("slug", "name", "legal_name", "contact_email")
    autocomplete_fields = ("parent", "engaged_by")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Agreement)
class AgreementAdmin(RegisterImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [AgreementResource]
    list_display = ("reference", "title", "kind", "signed_on", "expires_on", "terminated_on")
    list_filter = ("kind", "flowdown", "subprocessor_authorisation")
    search_fields = ("reference", "title", "parties__name", "parties__slug")
    autocomplete_fields = ("parties", "categories")
    date_hierarchy = "signed_on"


# The onboarding models register themselves in their own module.
