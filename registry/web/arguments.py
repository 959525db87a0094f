"""Parsing helpers shared by the views and the management commands: dates and suggestions.

Every date a visitor or an operator gives goes through here, so that one range holds
everywhere: the rules add days and years to the evaluation date, and a date near the ends of
Python's calendar (9999-12-31) would overflow inside them.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import BadRequest, ValidationError

SUPPORTED_DATES = (date(1900, 1, 1), date(2999, 12, 31))
"""The first and last day the register can be evaluated on."""


def out_of_range(day: date) -> str:
    """Why `day` cannot be used, or an empty string when it is in the supported range."""
    first, last = SUPPORTED_DATES
    if first <= day <= last:
        return ""
    return f"{day.isoformat()} is out of range; choose a date from {first} to {last}"


def supported_date(text: str) -> date:
    """A date as YYYY-MM-DD within SUPPORTED_DATES; ValueError with a clear message otherwise."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2015-10-06"
        ) from None
    if problem := out_of_range(day):
        raise ValueError(problem)
    return day


def iso_date(text: str) -> date:
    """An argparse type: a supported date as YYYY-MM-DD, with a clear message otherwise.

    argparse turns the ArgumentTypeError into one line on stderr and exit status 2.
    """
    try:
        return supported_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def suggest(value: str, known: Iterable[str]) -> str:
    """' Did you mean ...?' for the closest known values, or an empty string."""
    close = difflib.get_close_matches(value, list(known), n=3, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


def iso_date_or_none(text: str) -> date | None:
    """A date from a query string; None when it is empty or not a date.

    A real date outside SUPPORTED_DATES is not silently replaced: BadRequest, which the
    site's 400 page (registry.views.bad_request) shows with its message.
    """
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    if day is not None and (problem := out_of_range(day)):
        raise BadRequest(problem)
    return day


def _in_supported_range(day: date) -> None:
    if problem := out_of_range(day):
        raise ValidationError(problem[0].upper() + problem[1:] + ".", code="out_of_range")


class SupportedDateField(forms.DateField):
    """A form's date field that refuses dates the rules cannot compute with."""

    default_validators = [_in_supported_range]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)


def is_row_id(value: int) -> bool:
    """Whether `value` can be a row's id: a positive integer that fits the database's 64-bit
    keys (SQLite raises OverflowError for a larger one, where a page should say "not found")."""
    return 0 < value < 2**63
