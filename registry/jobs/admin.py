from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from registry.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Every job, to read: a job changes only through its task."""

    list_display = ("title", "started_by", "status", "created_at", "finished_at")
    list_filter = ("status",)
    list_select_related = ("started_by",)
    search_fields = ("title", "started_by__username")
    exclude = ("result",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("result")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
