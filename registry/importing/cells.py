"""Reading one spreadsheet cell: the parsers the import uses for each kind of column.

Each parser takes the cell's text (never empty: empty cells are handled by the caller) and
returns the value to store, or raises `Invalid` with the reason in words an analyst reads.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models

from registry.web.arguments import suggest

Parser = Callable[[str], Any]
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
TRUE = {"yes", "y", "true", "t", "1", "x"}
FALSE = {"no", "n", "false", "f", "0"}
#: Names people write for countries that are not the ISO English short names.
COUNTRY_ALIASES = {
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "united states": "US",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "america": "US",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "czech republic": "CZ",
    "holland": "NL",
    "the netherlands": "NL",
    "vietnam": "VN",
    "taiwan": "TW",
    "iran": "IR",
    "uae": "AE",
    "swiss": "CH",
    "hong kong": "HK",
    "macau": "MO",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "syria": "SY",
    "laos": "LA",
    "moldova": "MD",
    "eu": "",  # caught below with a clearer message
}


class Invalid(ValueError):
    """A cell whose value cannot be used; the message is the reason."""


def text(max_length: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise Invalid(f"is {len(value)} characters long; at most {max_length} fit")
        return value

    return parse


def slug(max_length: int) -> Parser:
    def parse(value: str) -> str:
        if not SLUG.match(value):
            raise Invalid(
                "may hold only letters, digits, hyphens and underscores (no spaces), "
                f"e.g. '{_slugish(value)}'"
            )
        return text(max_length)(value)

    return parse


def _slugish(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "acme-hosting"


def choice(enum: type[models.TextChoices], what: str) -> Parser:
    by_text = {}
    for value, label in enum.choices:
        by_text[value.lower()] = value
        by_text[str(label).lower()] = value
        by_text[value.replace("_", " ")] = value

    def parse(value: str) -> str:
        found = by_text.get(value.strip().lower()) or by_text.get(
            value.strip().lower().replace("-", "_")
        )
        if found is None:
            allowed = ", ".join(enum.values)
            hint = suggest(value.lower(), enum.values)
            raise Invalid(f"is not a known {what}.{hint} Allowed: {allowed}")
        return found

    return parse


def boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise Invalid("is not yes or no; write yes, no, true, false, 1 or 0")


def days(value: str) -> int:
    """A number of days, 0 to 365 (an objection period)."""
    if not value.strip().isdigit() or int(value) > 365:
        raise Invalid("is not a number of days; write a whole number from 0 to 365, e.g. 30")
    return int(value)


def iso_date(value: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("is not a date; write it as YYYY-MM-DD, e.g. 2015-10-06") from None


def email(value: str) -> str:
    try:
        EmailValidator()(value)
    except ValidationError:
        raise Invalid("is not an e-mail address") from None
    return text(254)(value)


def url(value: str) -> str:
    if "://" not in value:
        value = "https://" + value
    try:
        URLValidator()(value)
    except ValidationError:
        raise Invalid("is not a web address, e.g. https://example.com") from None
    return text(200)(value)


@cache
def _country_index() -> tuple[dict[str, str], list[str]]:
    from django_countries import countries

    index: dict[str, str] = {}
    names: list[str] = []
    for code, name in countries:
        index[code.lower()] = code
        index[str(name).lower()] = code
        names.append(str(name))
    for code, (alpha3, _numeric) in countries.alt_codes.items():
        if alpha3:
            index[alpha3.lower()] = code
    for alias, code in COUNTRY_ALIASES.items():
        if code:
            index.setdefault(alias, code)
    return index, names


def country(value: str) -> str:
    index, names = _country_index()
    lowered = " ".join(value.strip().lower().split())
    code = index.get(lowered) or index.get(lowered.removeprefix("the "))
    if code:
        return code
    if lowered in {"eu", "eea", "europe"}:
        raise Invalid("is a region, not a country; list the countries, separated by ';'")
    hint = suggest(value.strip().title(), names)
    raise Invalid(f"is not a known country.{hint} Write an ISO code (DE) or an English name")


def countries(value: str) -> str:
    """A ';'-separated list of countries, stored as the sorted comma-separated codes."""
    codes = sorted({country(part) for part in split_list(value)})
    return ",".join(codes)


def split_list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", value) if part.strip()]


def unknown(what: str, value: str, column: str, known: list[str], lowered: dict[str, str]) -> str:
    """ "unknown party 'x' in column target; did you mean 'y'?", case-insensitive first."""
    close = [lowered[value.lower()]] if value.lower() in lowered else []
    close = close or difflib.get_close_matches(value, known, n=3, cutoff=0.6)
    hint = "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?" if close else ""
    return f"unknown {what} '{value}' in column {column}{hint}"
