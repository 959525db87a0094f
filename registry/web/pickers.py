"""Searchable pickers: a list of choices with a search box above it that filters them as one
types (registry/static/registry/picker.js, loaded by every page). Without JavaScript the box
stays hidden and every choice is shown, so a form works either way.

For lists a page can hold whole (countries, categories, purposes: tens to a few hundred
choices). A choice among thousands (parties) needs a search on the server instead.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.widgets import ChoiceWidget


class _Searchable(ChoiceWidget):
    template_name: str = "registry/widgets/picker.html"

    def __init__(self, *args: Any, search_label: str = "Search", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.search_label = search_label

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["search_label"] = self.search_label
        return context


class PickMany(_Searchable, forms.CheckboxSelectMultiple):
    """Several choices: checkboxes under a search box. A ticked box stays shown whatever
    the search, so that what is chosen is always in view."""


class PickOne(_Searchable, forms.RadioSelect):
    """One choice: radio buttons under a search box."""
