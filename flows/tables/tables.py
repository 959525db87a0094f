"""The three jurisdiction tables the rules read, as the pages name and list them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from flows.models import AdequacyDecision, MechanismValidity, ZoneMembership
from flows.tables.forms import AdequacyDecisionForm, MechanismValidityForm, ZoneMembershipForm


@dataclass(frozen=True)
class Table:
    """One table: its address, its model and form, what it is for, and its list's columns
    (field names; a choice or a country shows its label)."""

    slug: str
    model: type[models.Model]
    form: type[Any]
    title: str
    about: str
    columns: tuple[str, ...]
    search: tuple[str, ...]

    @property
    def noun(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def add_label(self) -> str:
        article = "an" if self.noun[:1] in "aeiou" else "a"
        return f"Add {article} {self.noun}"

    def name_of(self, entry: Any) -> str:
        """The row as a person reads it: names and labels, not codes."""
        regime = entry.get_regime_display()
        if isinstance(entry, ZoneMembership):
            return f"{entry.country.name} in the {regime} zone"
        if isinstance(entry, AdequacyDecision):
            return f"{regime} adequacy for {entry.country.name}"
        return f"{entry.get_mechanism_display()} under the {regime}"

    def label(self, name: str) -> str:
        field: Any = self.model._meta.get_field(name)
        return str(field.verbose_name).capitalize()


TABLES: dict[str, Table] = {
    table.slug: table
    for table in (
        Table(
            "zones",
            ZoneMembership,
            ZoneMembershipForm,
            "Zone memberships",
            "Countries inside a regime's own zone (the EEA for the EU GDPR): a transfer "
            "between two of them is not a restricted transfer.",
            ("regime", "country", "valid_from", "valid_to"),
            ("country",),
        ),
        Table(
            "adequacy",
            AdequacyDecision,
            AdequacyDecisionForm,
            "Adequacy decisions",
            "Countries a regime finds adequate, for a period: a transfer there needs no "
            "other mechanism (GDPR Art. 45).",
            ("regime", "country", "instrument", "scope", "valid_from", "valid_to"),
            ("country", "instrument"),
        ),
        Table(
            "mechanisms",
            MechanismValidity,
            MechanismValidityForm,
            "Transfer mechanism validities",
            "When each transfer mechanism may be relied on under each regime (Safe Harbor "
            "fell on 2015-10-06, Privacy Shield on 2020-07-16).",
            ("regime", "mechanism", "valid_from", "valid_to", "citation"),
            ("mechanism", "citation"),
        ),
    )
}


def table_named(slug: str) -> Table | None:
    return TABLES.get(slug)
