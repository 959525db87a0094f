"""Reviews in the admin: read-only, since a decision must go through review_decide, which
records the fingerprint of the facts it judged (imported by flows.admin)."""

from django.contrib import admin
from django.http import HttpRequest

from flows.reviews.models import Review
from registry.admin import BadLookupsMixin


@admin.register(Review)
class ReviewAdmin(BadLookupsMixin, admin.ModelAdmin):
    list_display = ("rule", "flow", "decision", "decided_by", "decided_at", "review_by", "assignee")
    list_filter = ("decision", "rule")
    list_select_related = ("flow", "flow__source", "flow__target", "flow__purpose",
                           "decided_by", "assignee")  # fmt: skip
    search_fields = ("rule", "reason", "flow__reference")
    date_hierarchy = "decided_at"
    readonly_fields = [f.name for f in Review._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
