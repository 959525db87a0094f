"""The admin site of the register: Django's, with one address made safe.

The "view on site" redirect (/admin/r/<content type>/<key>/) looks the object up with the
key as typed. Django answers 404 for a key that raises ValueError, but a key that a UUID
primary key refuses (ValidationError) or an integer too large for SQLite (OverflowError)
escaped as a 500. Any such key is an object that does not exist.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    try:
        return shortcut(request, content_type_id, object_id)
    except (ValidationError, OverflowError) as error:
        raise Http404("There is no such object.") from error


class RegisterAdminSite(admin.AdminSite):
    def get_urls(self) -> list[URLResolver | URLPattern]:
        safe = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(view_on_site),
            name="view_on_site",
        )
        return [
            safe if getattr(u, "name", None) == "view_on_site" else u for u in super().get_urls()
        ]
