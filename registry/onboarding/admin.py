"""The onboarding models in the admin: read-mostly, for support and audits.

Decisions go through the reviewer's page (registry/onboarding/views.py), which records who
decided and when; the admin does not offer them.
"""

from django.contrib import admin

from registry.admin import BadLookupsMixin
from registry.onboarding.models import Onboarding, OnboardingDocument, OnboardingEvent


class OnboardingEventInline(admin.TabularInline):
    model = OnboardingEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "detail")


@admin.register(Onboarding)
class OnboardingAdmin(BadLookupsMixin, admin.ModelAdmin):
    list_display = ("party", "state", "started_by", "link_expires_at", "revoked_at", "created_at")
    list_filter = ("state",)
    list_select_related = ("party", "started_by")
    search_fields = ("party__name", "party__slug", "contact_email", "service")
    # The attestation is the vendor's own statement: never typed in by staff.
    readonly_fields = (
        "party",
        "started_by",
        "link_nonce",
        "answers",
        "submitted_at",
        "decided_at",
        "attested_name",
        "attested_role",
        "attested_on",
    )
    autocomplete_fields = ("intended_categories", "intended_purposes")
    filter_horizontal = ("senders", "proposed_flows", "proposed_subprocessors")
    inlines = [OnboardingEventInline]


@admin.register(OnboardingDocument)
class OnboardingDocumentAdmin(BadLookupsMixin, admin.ModelAdmin):
    list_display = ("original_name", "kind", "onboarding", "size", "uploaded_at")
    list_filter = ("kind",)
    list_select_related = ("onboarding__party",)
    # The file is evidence: it is downloaded through the permission-checked onboarding page.
    readonly_fields = ("onboarding", "file", "original_name", "content_type", "size")


@admin.register(OnboardingEvent)
class OnboardingEventAdmin(BadLookupsMixin, admin.ModelAdmin):
    list_display = ("at", "onboarding", "action", "actor")
    list_filter = ("action",)
    list_select_related = ("onboarding__party", "actor")
    readonly_fields = ("onboarding", "at", "actor", "action", "detail")
