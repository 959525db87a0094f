"""The rules of the catalog's models, one function each: clean(), the services and the import
kinds call them (bulk writes skip full_clean()).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from registry.choices import (
    Relationship,
)


@dataclass(frozen=True)
class Problem:
    """A broken rule: the field it is about, the sentence a form shows beside that field,
    and the clause an import shows for a row of a file, which names the values."""

    field: str
    message: str
    in_file: str


def raise_problems(problems: Iterable[Problem]) -> None:
    """The problems as one ValidationError by field (clean() and the services)."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    if errors:
        raise ValidationError(errors)


def ends_before(end: date | None, start: date | None) -> bool:
    """`end` falls before `start`; False while either is missing (or not yet a date)."""
    return isinstance(end, date) and isinstance(start, date) and end < start


# --- the rules of a party ---------------------------------------------------------------
# `key` names the party, and `parent` and `owners` name other parties the same way: primary
# keys in clean(), slugs in an import file, where new rows have no key yet.

ONE_OWN_COMPANY = "There is already an own company in the register."
NOT_OWN_PARENT = "A party cannot be its own parent."


def ancestry_problems(
    *, key: Any, parent: Any, parent_of: Callable[[Any], Any], noun: str = "party"
) -> list[Problem]:
    """A party (or a node of a taxonomy, named by `noun`) cannot be its own parent, nor its
    own ancestor through a chain of parents. `parent_of(key)` is the parent of any other
    key, or a false value."""
    if not key or not parent:
        return []
    if parent == key:
        return [
            Problem(
                "parent",
                f"A {noun} cannot be its own parent.",
                f"a {noun} cannot be its own parent",
            )
        ]
    chain, current = [key], parent
    while current and current not in chain:
        chain.append(current)
        current = parent_of(current)
    if current != key:
        return []
    path = " → ".join(str(k) for k in [*chain, key])
    return [
        Problem(
            "parent",
            f"This parent would make the {noun} its own ancestor.",
            f"the parent '{parent}' would make '{key}' its own ancestor ({path})",
        )
    ]


def own_company_problems(*, key: Any, relationship: str, owners: Iterable[Any]) -> list[Problem]:
    """The register describes one own company; `owners` are the parties that are it."""
    if relationship != Relationship.OWN:
        return []
    others = sorted(str(owner) for owner in owners if owner != key)
    if not others:
        return []
    listed = ", ".join(f"'{other}'" for other in others)
    return [
        Problem(
            "relationship",
            ONE_OWN_COMPANY,
            f"there can be only one own company; {listed} is one too",
        )
    ]


# --- the rules of an engagement --------------------------------------------------------

NOT_ENGAGING_ITSELF = "A processor cannot engage itself as its own sub-processor."
ONE_OPEN_ENGAGEMENT = (
    "This processor already engages this sub-processor; end that engagement first."
)
ENDS_BEFORE_NOTICE = "An engagement cannot end before the processor gave notice of it."


def engagement_problems(
    *,
    processor: Any,
    subprocessor: Any,
    noticed_on: date | None = None,
    ended_on: date | None = None,
    another_open: bool = False,
) -> list[Problem]:
    """A processor engages another party (GDPR Art. 28(2) and (4)), once at a time: one
    open engagement per pair (`another_open`: one is open besides this one), ended no
    earlier than noticed. `processor` and `subprocessor` are keys or slugs."""
    problems = []
    if processor and processor == subprocessor:
        problems.append(
            Problem("subprocessor", NOT_ENGAGING_ITSELF, "a processor cannot engage itself")
        )
    if another_open:
        problems.append(
            Problem(
                "subprocessor",
                ONE_OPEN_ENGAGEMENT,
                f"'{processor}' already engages '{subprocessor}'; end that engagement first",
            )
        )
    if ends_before(ended_on, noticed_on):
        problems.append(
            Problem(
                "ended_on",
                ENDS_BEFORE_NOTICE,
                f"an engagement cannot end ({ended_on}) before its notice ({noticed_on})",
            )
        )
    return problems


# --- the rules of the keys people type --------------------------------------------------

RESERVED_KEYS = frozenset({"new", "search"})
"""Slugs and references that are the addresses of pages (/parties/new/, /parties/search/,
/agreements/new/): a party or an agreement keyed so could never be opened."""


def reserved_key_problems(*, field: str, key: str, noun: str) -> list[Problem]:
    """A new party's slug or agreement's reference cannot be the address of a page."""
    if key not in RESERVED_KEYS:
        return []
    return [
        Problem(
            field,
            f"“{key}” is the address of a page; choose another {field} for the {noun}.",
            f"the {field} '{key}' is the address of a page; choose another",
        )
    ]


# --- the rules of an agreement ----------------------------------------------------------

AGREEMENT_NEEDS_START = "An agreement needs a signature or an effective date."
#: (constraint, later date, earlier date, what an agreement cannot do): one CheckConstraint
#: each, and agreement_problems() checks the same.
AGREEMENT_DATE_ORDER = (
    (
        "agreement_expires_after_effective",
        "expires_on",
        "effective_on",
        "expire before it takes effect",
    ),
    ("agreement_expires_after_signature", "expires_on", "signed_on", "expire before it is signed"),
    (
        "agreement_terminated_after_signature",
        "terminated_on",
        "signed_on",
        "end before it is signed",
    ),
)


def agreement_problems(
    *,
    signed_on: date | None,
    effective_on: date | None,
    expires_on: date | None,
    terminated_on: date | None,
) -> list[Problem]:
    """An agreement is signed or takes effect on some day, and ends after it starts."""
    problems = []
    if signed_on is None and effective_on is None:
        problems.append(
            Problem(
                "signed_on",
                AGREEMENT_NEEDS_START,
                "an agreement needs a signature date (signed_on) or an effective date",
            )
        )
    dates = {
        "signed_on": signed_on,
        "effective_on": effective_on,
        "expires_on": expires_on,
        "terminated_on": terminated_on,
    }
    for _constraint, later, earlier, what in AGREEMENT_DATE_ORDER:
        if ends_before(dates[later], dates[earlier]):
            problems.append(
                Problem(
                    later,
                    f"An agreement cannot {what}.",
                    f"an agreement cannot {what} ({later} {dates[later]} is before "
                    f"{earlier} {dates[earlier]})",
                )
            )
    return problems


SCC_2021_KINDS = frozenset({"scc_2021_m1", "scc_2021_m2", "scc_2021_m3", "scc_2021_m4"})
"""The kinds an agreement's `amends` may name: the UK Addendum amends the EU's 2021 SCCs."""


def amendment_problems(
    *,
    kind: str,
    amends: str | None,
    amends_kind: str | None,
    parties: Collection[str],
    amends_parties: Collection[str],
) -> list[Problem]:
    """Only a UK Addendum amends another agreement, and what it amends is SCCs 2021 binding
    each of its parties (UK Addendum, Part 1 Table 2: the Approved EU SCCs it is appended
    to). `amends` names the amended agreement, `parties` and `amends_parties` name the two
    agreements' parties, all as the caller shows them (names on a page, keys in a file)."""
    if not amends:
        return []
    if kind != "uk_addendum":
        return [
            Problem(
                "amends",
                "Only a UK Addendum amends other SCCs: clear “Amends” or choose the kind "
                "UK Addendum.",
                f"only a UK Addendum amends other SCCs (kind {kind}); clear the column amends",
            )
        ]
    if amends_kind not in SCC_2021_KINDS:
        return [
            Problem(
                "amends",
                f"A UK Addendum amends SCCs 2021; {amends} is not SCCs 2021.",
                f"a UK Addendum amends SCCs 2021; '{amends}' is of the kind {amends_kind}",
            )
        ]
    missing = sorted(set(parties) - set(amends_parties))
    if not missing:
        return []
    listed = ", ".join(missing)
    return [
        Problem(
            "amends",
            f"The SCCs {amends} do not bind {listed}: a UK Addendum amends SCCs between "
            "the same parties.",
            f"the SCCs '{amends}' do not bind {listed}; a UK Addendum amends SCCs between "
            "the same parties",
        )
    ]


def agreement_parties_problems(parties: Collection[Any]) -> list[Problem]:
    """An agreement binds two or more parties (the set is saved after the agreement, so
    the services and the import check it, not clean())."""
    if len(set(parties)) >= 2:
        return []
    return [
        Problem(
            "parties",
            "An agreement binds two or more parties.",
            "an agreement binds two or more parties; list them separated by ';'",
        )
    ]
