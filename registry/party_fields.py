"""Form fields that pick parties: the edit pages' and the list filters'.

Thousands of parties cannot be a select list: the input is a search by name that asks the
server as one types (registry/static/registry/party-search.js; /parties/search/). Without
JavaScript a person types the party's name (or its slug, for those who know it): a name is
matched case-insensitively, on the name and then on the legal name, and resolves to the
party; an unknown or ambiguous name is refused with the names that come close.
"""

from __future__ import annotations

import difflib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from registry.models import Party

SUGGESTIONS = 3
"""How many close names a refusal offers."""


def typed_parts(value: Any) -> list[str]:
    """What a party input holds, split into one entry per party: slugs from the script,
    or names or slugs typed by hand, separated by commas or semicolons."""
    if not value:
        return []
    if isinstance(value, str):
        separator = ";" if ";" in value else ","
        return [s for s in (part.strip() for part in value.split(separator)) if s]
    if isinstance(value, Party):
        return [value.slug]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in typed_parts(v)]
    return [str(value)]


def parties_typed(entries: list[str]) -> list[Party]:
    """The party each entry names, by slug, else by name, else by legal name (each
    case-insensitive), in the order typed, in one query; ValidationError naming every entry
    that matches no party or several."""
    if not entries:
        return []
    match = Q()
    for entry in entries:
        match |= Q(slug__iexact=entry) | Q(name__iexact=entry) | Q(legal_name__iexact=entry)
    candidates = list(Party.objects.filter(match))
    found: dict[int, Party] = {}
    problems: list[str] = []
    for entry in entries:
        key = entry.casefold()
        matches: dict[int, Party] = {}
        for attribute in ("slug", "name", "legal_name"):
            matches = {p.pk: p for p in candidates if getattr(p, attribute).casefold() == key}
            if matches:
                break
        if len(matches) == 1:
            found.update(matches)
        elif matches:
            names = ", ".join(sorted(f"{p.name} ({p.slug})" for p in matches.values()))
            problems.append(f"“{entry}” names several parties: {names}; pick one from the list.")
        else:
            problems.append(f"No party is named “{entry}”.{_did_you_mean(entry)}")
    if problems:
        raise ValidationError(" ".join(problems))
    return list(found.values())


def _did_you_mean(entry: str) -> str:
    names = Party.objects.filter(name__icontains=entry[:3]).values_list("name", flat=True)[:500]
    close = difflib.get_close_matches(entry, list(names), n=SUGGESTIONS, cutoff=0.6)
    return f" Did you mean {', '.join(f'“{n}”' for n in close)}?" if close else ""


class PartySearchInput(forms.TextInput):
    """A party input that the script turns into a search by name. The names of the chosen
    parties travel with it, so that the script shows names, not slugs."""

    allow_multiple_selected = False

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        slugs = typed_parts(value)
        found = dict(Party.objects.filter(slug__in=slugs).values_list("slug", "name"))
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-party-search"] = reverse("party_search")
        widget_attrs["data-party-names"] = "\n".join(
            f"{slug}\t{found.get(slug, slug)}" for slug in slugs
        )
        if self.allow_multiple_selected:
            widget_attrs["data-many"] = "1"
        return context

    def format_value(self, value: Any) -> str | None:
        return ", ".join(typed_parts(value)) or None


class PartiesSearchInput(PartySearchInput):
    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


_HELP = "Type a few letters of its name and pick it (or type its name in full)."


class PartyField(forms.Field):
    """One party, picked by name: a Party."""

    widget = PartySearchInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _HELP)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Party | None:
        if isinstance(value, Party):
            return value
        # One party: what was typed is one name, commas and all ("Acme, Inc.").
        text = str(value or "").strip()
        return parties_typed([text])[0] if text else None

    def prepare_value(self, value: Any) -> Any:
        return value.slug if isinstance(value, Party) else value


class PartiesField(forms.Field):
    """Several parties, picked by name: a list of Party in the order typed."""

    widget = PartiesSearchInput

    def to_python(self, value: Any) -> list[Party]:
        return parties_typed(list(dict.fromkeys(typed_parts(value))))

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(typed_parts(value))


class PartyFilterField(PartyField):
    """A list filter's party: by name or slug, cleaned to the party's slug (the filters
    and the stored findings match on slugs)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Party")
        kwargs.setdefault("help_text", "")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        party = super().clean(value)
        return party.slug if isinstance(party, Party) else ""
