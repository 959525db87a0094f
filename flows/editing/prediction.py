"""What a write would change among today's findings, before it takes effect.

The write itself runs (the real service, with every validation it makes) inside a savepoint
that is then rolled back: the stored findings, which the write keeps current inside its
transaction (flows.findings.keeping), are read before and after it. A rolled-back write
leaves no history row, no on_commit callback and no task. When the stored findings are not
today's, or the write was too large to follow and asked for a background refresh instead,
the register is evaluated in full inside the same savepoint.

`predict` is for any caller that wants a dry run of a write: the edit pages, and an API.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

from django.db import transaction

from flows.engine.records import SEVERITIES, Finding
from flows.engine.rules import evaluate
from flows.findings import today_status
from flows.findings.store import ORDER, as_findings
from flows.loading import register_load
from flows.models import FindingsState, StoredFinding
from registry.models import Party


@dataclass(frozen=True)
class Prediction:
    as_of: date
    added: list[Finding]
    """Findings the register would have after the write and has not now, worst first."""
    cleared: list[Finding]
    """Findings the register has now and would not have after the write, worst first."""
    names: dict[str, str]
    countries: dict[str, str]
    """Where each party named processes data, e.g. 'IN' or 'DE, US'."""
    verb: str = "saving"

    @property
    def changes_nothing(self) -> bool:
        return not self.added and not self.cleared

    @property
    def summary(self) -> str:
        """'Saving adds 1 critical: NO_TRANSFER_MECHANISM on VoIPX Europe → Acme (IN);
        clears 2 high: ...', in the words of the onboarding's prediction."""
        if self.changes_nothing:
            return f"{self.verb.capitalize()} adds no finding and clears none."
        parts = []
        if self.added:
            parts.append("adds " + self._counted(self.added))
        if self.cleared:
            parts.append("clears " + self._counted(self.cleared))
        return f"{self.verb.capitalize()} {'; '.join(parts)}."

    def _counted(self, findings: list[Finding]) -> str:
        counted = Counter(f.severity for f in findings)
        groups = []
        for severity in SEVERITIES:
            if counted[severity]:
                items = [f"{f.rule} on {self.where(f)}" for f in findings if f.severity == severity]
                groups.append(f"{counted[severity]} {severity}: {', '.join(items)}")
        return "; ".join(groups)

    @property
    def added_described(self) -> list[Described]:
        return described(self, self.added)

    @property
    def cleared_described(self) -> list[Described]:
        return described(self, self.cleared)

    def name(self, slug: str | None) -> str:
        return self.names.get(slug or "", slug or "the register")

    def where(self, finding: Finding) -> str:
        """'VoIPX Europe → Acme (IN)': the flow's two ends, and where the target processes."""
        target = self.name(finding.target)
        countries = self.countries.get(finding.target or "", "")
        if countries:
            target = f"{target} ({countries})"
        if not finding.source:
            return target
        return f"{self.name(finding.source)} → {target}"


@dataclass(frozen=True)
class Described:
    """A predicted finding as a page lists it."""

    severity: str
    rule: str
    where: str
    message: str


def described(prediction: Prediction, findings: Iterable[Finding]) -> list[Described]:
    return [Described(f.severity, f.rule, prediction.where(f), f.message) for f in findings]


class _RolledBack(Exception):
    """Raised inside the savepoint to roll the write back."""


def _same(finding: Finding) -> Finding:
    # The store keeps a missing end as "", the engine as None: compare them alike.
    return replace(finding, source=finding.source or "", target=finding.target or "")


def _refresh_pending() -> bool:
    row = FindingsState.objects.filter(pk=1).values_list("as_of", "refresh_requested_at").first()
    return row is None or row[0] != date.today() or row[1] is not None


def _evaluated(today: date) -> Counter[Finding]:
    return Counter(_same(f) for f in evaluate(register_load(), today))


def _stored_ids() -> set[int]:
    return set(StoredFinding.objects.values_list("id", flat=True))


def _stored(ids: Iterable[int]) -> Counter[Finding]:
    rows = StoredFinding.objects.filter(id__in=list(ids)).order_by(*ORDER)
    return Counter(_same(f) for f in as_findings(rows))


def _names_and_countries(findings: Iterable[Finding]) -> tuple[dict[str, str], dict[str, str]]:
    slugs = {s for f in findings for s in (f.source, f.target, *f.path) if s}
    names: dict[str, str] = {}
    countries: dict[str, str] = {}
    for party in Party.objects.filter(slug__in=slugs).only(
        "slug", "name", "country", "processing_countries"
    ):
        names[party.slug] = party.name
        countries[party.slug] = ", ".join(party.effective_processing_countries)
    return names, countries


def predict(write: Callable[[], object], *, verb: str = "saving") -> Prediction:
    """What `write()` would add to and clear from today's findings, the write rolled back.

    The store rewrites only the (rule, flow) groups a write changes, with new rows: the rows
    that appear are what the write adds, the rows that go what it clears (read once the write
    is rolled back and they are back), so a small edit reads a few rows, not the register's
    findings. A ValidationError of the write (a VersionConflict among them) reaches the
    caller, the write undone like any other."""
    today = date.today()
    status = today_status(today)  # a new day's refresh starts here, as on every page
    full_before = not status.current or status.refreshing
    before: Counter[Finding] = Counter()
    after: Counter[Finding] = Counter()
    gone: set[int] = set()
    whole_store_before = False
    names: dict[str, str] = {}
    countries: dict[str, str] = {}
    try:
        with transaction.atomic():
            if full_before:
                before = _evaluated(today)
            else:
                ids_before = _stored_ids()
            write()
            if full_before or _refresh_pending():
                # Too large to follow in the transaction: the whole register, both sides.
                after = _evaluated(today)
                whole_store_before = not full_before
            else:
                ids_after = _stored_ids()
                gone = ids_before - ids_after
                after = _stored(ids_after - ids_before)
            # Read inside: a party the write creates is gone once it is rolled back.
            names, countries = _names_and_countries(after)
            raise _RolledBack
    except _RolledBack:
        pass
    if whole_store_before:
        before = Counter(_same(f) for f in as_findings(StoredFinding.objects.order_by(*ORDER)))
    elif gone:
        before = _stored(gone)
    added = sorted((after - before).elements(), key=Finding.sort_key)
    cleared = sorted((before - after).elements(), key=Finding.sort_key)
    known_names, known_countries = _names_and_countries(cleared)
    return Prediction(
        today,
        added,
        cleared,
        {**known_names, **names},
        {**known_countries, **countries},
        verb=verb,
    )
