"""Periods of days: calendar months, and sets of days held as sorted, disjoint intervals.

A period is a pair of dates, both inclusive; `date.min` and `date.max` stand for an open
start or end. A set of days is a tuple of periods, sorted, disjoint and not touching (the
day after one period's end is never the next one's start), so that questions over years of
history cost a few comparisons, never one step a day.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

Period = tuple[date, date]
Days = tuple[Period, ...]

ONE_DAY = timedelta(days=1)
ALWAYS: Days = ((date.min, date.max),)
NEVER: Days = ()


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` calendar months later (earlier when negative); a
    day that the target month lacks becomes its last day (31 March + 1 month = 30 April,
    29 February + 12 months = 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def period(start: date | None, end: date | None) -> Days:
    """The days from `start` to `end`, both inclusive; None is open. Empty when end < start."""
    first = start if start is not None else date.min
    last = end if end is not None else date.max
    return ((first, last),) if first <= last else NEVER


def union(periods: Iterable[Period]) -> Days:
    """The days in any of the periods, merged."""
    merged: list[Period] = []
    for start, end in sorted(p for p in periods if p[0] <= p[1]):
        if merged and (merged[-1][1] == date.max or start <= merged[-1][1] + ONE_DAY):
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
            continue
        merged.append((start, end))
    return tuple(merged)


def intersection(a: Days, b: Days) -> Days:
    """The days in both sets."""
    found: list[Period] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start <= end:
            found.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(found)


def complement(days: Days) -> Days:
    """The days not in the set."""
    found: list[Period] = []
    cursor: date | None = date.min
    for start, end in days:
        if cursor is not None and start > cursor:
            found.append((cursor, start - ONE_DAY))
        cursor = end + ONE_DAY if end < date.max else None
    if cursor is not None:
        found.append((cursor, date.max))
    return tuple(found)
