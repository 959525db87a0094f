"""Reviews in the admin: read-only, since a decision must go through review_decide, which
records the fingerprint of the facts it judged, and a second reviewer's answer through
review_confirm, which holds it to four eyes (imported by flows.admin)."""

from django.contrib import admin
from django.http import HttpRequest

from flows.reviews.models import Review, ReviewConfirmation
from registry.admin import BadLookupsMixin


class _ReadOnly(BadLookupsMixin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(_ReadOnly):
    list_display = ("rule", "flow", "decision", "decided_by", "decided_at", "review_by",
                    "assignee", "needs_second_reviewer")  # fmt: skip
    list_filter = ("decision", "rule", "needs_second_reviewer")
    list_select_related = ("flow", "flow__source", "flow__target", "flow__purpose",
                           "decided_by", "assignee")  # fmt: skip
    search_fields = ("rule", "reason", "flow__reference")
    date_hierarchy = "decided_at"
    readonly_fields = [f.name for f in Review._meta.fields]


@admin.register(ReviewConfirmation)
class ReviewConfirmationAdmin(_ReadOnly):
    list_display = ("review", "confirmed", "decided_by", "decided_at")
    list_filter = ("confirmed",)
    list_select_related = ("review", "decided_by")
    search_fields = ("review__rule", "reason", "review__flow__reference")
    readonly_fields = [f.name for f in ReviewConfirmation._meta.fields]
