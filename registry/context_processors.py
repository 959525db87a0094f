"""Values every template may show."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from registry.selectors import organisation_name


def organisation(request: HttpRequest) -> dict[str, object]:
    """`organisation`: the own company's name. Lazy: a page that does not show it does not
    query for it."""
    return {"organisation": SimpleLazyObject(organisation_name)}
