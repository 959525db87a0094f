from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from registry.models import Agreement, Party


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug", "relationship", "country", "status", "parent", "engaged_by")
    list_filter = ("relationship", "status", "country")
    list_select_related = ("parent", "engaged_by")
    search_fields = ("slug", "name", "legal_name", "contact_email")
    autocomplete_fields = ("parent", "engaged_by")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "title", "kind", "signed_on", "expires_on", "terminated_on")
    list_filter = ("kind", "flowdown", "subprocessor_authorisation")
    search_fields = ("reference", "title", "parties__name", "parties__slug")
    autocomplete_fields = ("parties", "categories")
    date_hierarchy = "signed_on"
