from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """`{{ names|get_item:slug }}`: a dictionary look-up, falling back to the key itself."""
    return mapping.get(key, key)
