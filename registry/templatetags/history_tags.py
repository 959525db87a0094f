"""{% history_section obj %}: the change history of a party, agreement or flow on its page."""

from typing import Any

from django import template

from flows.history.changes import history_of

register = template.Library()


@register.inclusion_tag("includes/history_section.html")
def history_section(instance: Any) -> dict[str, Any]:
    return {"entries": history_of(instance)}
