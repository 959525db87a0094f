"""Small helpers shared by the management commands: argument types and suggestions."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterable
from datetime import date


def iso_date(text: str) -> date:
    """An argparse type: a date as YYYY-MM-DD, with a clear message otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2015-10-06"
        ) from None


def suggest(value: str, known: Iterable[str]) -> str:
    """' Did you mean ...?' for the closest known values, or an empty string."""
    close = difflib.get_close_matches(value, list(known), n=3, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


def iso_date_or_none(text: str) -> date | None:
    """A date from a query string; None when it is empty or not a date."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
