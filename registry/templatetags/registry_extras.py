from typing import Any

from django import template
from django.utils.html import format_html

from flows.engine import rules

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """`{{ names|get_item:slug }}`: a dictionary look-up, falling back to the key itself."""
    return mapping.get(key, key)


@register.filter
def named(node: Any, form: str = "") -> str:
    """`{{ category|named }}`: a taxonomy entry (category, purpose, data subject) as people read
    it, its name, with the key after it in small type for the expert who types keys;
    `{{ category|named:"short" }}` in tables, the key only as the name's tooltip."""
    name = getattr(node, "name", "") or ""
    key = getattr(node, "key", "") or ""
    if not name or name == key:
        return format_html('<span class="taxon"><code>{}</code></span>', key)
    if form == "short":
        return format_html('<span class="taxon" title="{}">{}</span>', key, name)
    return format_html('<span class="taxon">{} <code class="key">{}</code></span>', name, key)


@register.filter
def rule_title(identifier: str) -> str:
    """`{{ finding.rule|rule_title }}`: a rule's title ("Invalid transfer mechanism")."""
    return rules.rule_title(identifier)
