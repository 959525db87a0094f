"""`{% inline_diagram scope key as_of %}`: the diagram figure on the category and party pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.http import Http404

from flows.diagrams.views import diagram_context, diagram_request

register = template.Library()


@register.inclusion_tag("flows/diagrams/figure.html")
def inline_diagram(scope: str, key: str, as_of: date | None = None) -> dict[str, Any]:
    params = {"scope": scope, scope: key, "as_of": as_of.isoformat() if as_of else ""}
    try:
        return diagram_context(diagram_request(params))
    except Http404:
        return {}
