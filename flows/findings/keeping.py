"""Keeping the stored findings current after every write, whichever way it comes.

Services, edit pages, the admin, imports and onboarding approval all write through the
models, so this module listens to the models' signals (and to the import engine's
rows_changing/rows_changed, which writes in bulk): it notes what changed, then refreshes the
findings that the change can affect (flows.findings.refresh) at once, inside the write's
transaction, or when the batch of writes ends (registry.web.batches.write_batch).
A change too large to follow, or one that reaches every flow, re-evaluates the whole
register: at once in a small register, else as a background task while pages say that the
findings are being refreshed.

Writes that bypass both (QuerySet.update, bulk_create outside the import engine) must call
`findings_refresh_all` themselves, as the demo and the synthetic registers do.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_save,
)
from django.utils import timezone

from flows.findings.refresh import findings_refresh_all, findings_refresh_part
from flows.findings.scope import Changes
from flows.findings.store import state
from flows.findings.tasks import refresh_findings_task
from flows.models import (
    AdequacyDecision,
    DataCategory,
    FindingsState,
    Flow,
    MechanismValidity,
    Purpose,
    ZoneMembership,
)
from registry.choices import Relationship
from registry.models import Agreement, Engagement, Party
from registry.web.batches import (
    batch_abandoned,
    batch_finished,
    in_batch,
    rows_changed,
    rows_changing,
)

REQUEST_PATIENCE = timedelta(minutes=15)
"""A background refresh requested longer ago than this is requested again (its worker
may have died); within it, other workers and requests do not ask twice."""

_TABLES: tuple[type[models.Model], ...] = (
    DataCategory, Purpose, ZoneMembership, AdequacyDecision, MechanismValidity,
)  # fmt: skip
"""Tables every flow may read: a change re-evaluates the whole register."""

_pending = threading.local()


def _changes() -> Changes:
    found: Changes | None = getattr(_pending, "changes", None)
    if found is None:
        found = _pending.changes = Changes()
    return found


def _noted() -> None:
    """A change was noted: refresh now unless a batch of writes is under way."""
    if not in_batch():
        _flush()


def _flush(**_: Any) -> None:
    changes = _changes()
    if not changes:
        return
    _pending.changes = Changes()
    today = date.today()
    if findings_refresh_part(changes, today=today) is None:
        refresh_everything(today)


def _discard(**_: Any) -> None:
    _pending.changes = Changes()


def refresh_everything(today: date) -> None:
    """Evaluate the whole register: at once when it is small, else in the background."""
    if Flow.objects.filter(proposed=False).count() <= settings.FINDINGS_INLINE_FLOWS:
        findings_refresh_all(today=today)
    else:
        request_background_refresh()


def request_background_refresh() -> bool:
    """Queue one full refresh, unless one is already waiting or running; True if queued.

    The conditional UPDATE makes the request once, whichever of several workers asks."""
    state()  # the row exists before the conditional update
    now = timezone.now()
    waiting = Q(refresh_requested_at__isnull=False, refresh_requested_at__gt=now - REQUEST_PATIENCE)
    if not FindingsState.objects.filter(pk=1).exclude(waiting).update(refresh_requested_at=now):
        return False
    refresh_findings_task.enqueue()
    return True


# --- what a write changes ----------------------------------------------------------------


def _loaded(instance: models.Model, *names: str) -> tuple[Any, ...] | None:
    """The fields as loaded; None when one was deferred (reading it would load it, and
    loading sends post_init again)."""
    values = instance.__dict__
    if any(name not in values for name in names):
        return None
    return tuple(values[name] for name in names)


def _flow_loaded(sender: Any, instance: Flow, **_: Any) -> None:
    # The ends as loaded, so that a save that moves a flow also refreshes the chains it
    # leaves (post_save sees only the new ends).
    instance._ends_at_load = _loaded(instance, "source_id", "target_id")  # type: ignore[attr-defined]


def _flow_saving(sender: Any, instance: Flow, **_: Any) -> None:
    if instance.pk is not None and getattr(instance, "_ends_at_load", None) is None:
        # Loaded without its ends (or made by hand): ask the database where it was.
        before = Flow.objects.filter(pk=instance.pk).values_list("source_id", "target_id")
        _changes().ends.update(end for pair in before for end in pair)


def _flow_saved(sender: Any, instance: Flow, raw: bool = False, **_: Any) -> None:
    changes = _changes()
    changes.flows.add(instance.pk)
    changes.ends.update(getattr(instance, "_ends_at_load", None) or ())
    changes.ends.update((instance.source_id, instance.target_id))
    _noted()


def _flow_deleted(sender: Any, instance: Flow, **_: Any) -> None:
    _changes().ends.update((instance.source_id, instance.target_id))
    _noted()


def _flow_categories(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **_: Any
) -> None:
    if not action.startswith("post_"):
        return
    changes = _changes()
    if not reverse:
        changes.flows.add(instance.pk)
    elif action == "post_clear" or pk_set is None:
        changes.everything = True  # a category's flows cleared: their ids are gone
    else:
        changes.flows.update(pk_set)
    _noted()


_GROUP_FIELDS = ("relationship", "parent_id")


def _party_loaded(sender: Any, instance: Party, **_: Any) -> None:
    instance._group_at_load = _loaded(instance, *_GROUP_FIELDS)  # type: ignore[attr-defined]


def _party_saved(sender: Any, instance: Party, created: bool, raw: bool = False, **_: Any) -> None:
    changes = _changes()
    before = getattr(instance, "_group_at_load", None)
    after = (instance.relationship, instance.parent_id)
    own = Relationship.OWN
    if created:
        # A new party has no flows; only a new own company changes where chains start.
        changes.everything |= instance.relationship == own
    elif before is None:
        changes.everything = True  # its place in the group as loaded is not known
    elif before != after:
        # The group and the own company decide which agreements fit and where chains
        # start: a move inside the group reaches any flow.
        moved = before[1] != after[1] or own in (before[0], after[0])
        changes.everything |= moved
        changes.parties.add(instance.pk)
    else:
        changes.parties.add(instance.pk)
    _noted()


def _party_deleted(sender: Any, instance: Party, **_: Any) -> None:
    # Parties with flows or agreements cannot be deleted; one inside the group can still
    # move the group's members.
    if instance.parent_id is not None or instance.relationship == Relationship.OWN:
        _changes().everything = True
        _noted()


def _agreement_parties(agreement_id: int) -> frozenset[int]:
    return frozenset(Party.objects.filter(agreements=agreement_id).values_list("id", flat=True))


def _agreement_saved(sender: Any, instance: Agreement, **_: Any) -> None:
    _changes().agreements.add(instance.pk)
    _noted()


def _agreement_deleting(sender: Any, instance: Agreement, **_: Any) -> None:
    _changes().agreement_parties.append(_agreement_parties(instance.pk))


def _agreement_links(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **_: Any
) -> None:
    changes = _changes()
    owners = pk_set or set() if reverse else {instance.pk}
    if reverse and action.endswith("clear"):
        changes.everything = True  # a party's agreements cleared: their ids are gone
    if action.startswith("pre_"):
        changes.agreement_parties.extend(_agreement_parties(pk) for pk in owners)
        return
    changes.agreements.update(owners)
    _noted()


def _engagement_loaded(sender: Any, instance: Engagement, **_: Any) -> None:
    instance._pair_at_load = _loaded(instance, "processor_id", "subprocessor_id")  # type: ignore[attr-defined]


def _engagement_saved(sender: Any, instance: Engagement, **_: Any) -> None:
    # The flows processor -> sub-processor, and through `ends` the chains around them: the
    # hops into the processor and the sub-processor flows leaving the sub-processor.
    changes = _changes()
    pairs = {(instance.processor_id, instance.subprocessor_id)}
    before = getattr(instance, "_pair_at_load", None)
    if before and None not in before:
        pairs.add(before)
    changes.engagements.update(pairs)
    changes.ends.update(end for pair in pairs for end in pair)
    _noted()


def _table_changed(**_: Any) -> None:
    _changes().everything = True
    _noted()


def _in_the_group(pks: list[int]) -> bool:
    """Some of these parties are the own company or have a parent: a bulk write that may
    have moved them (before it, or after) can change the group."""
    grouped = Q(relationship=Relationship.OWN) | Q(parent__isnull=False)
    return Party.objects.filter(grouped, pk__in=pks).exists()


def _bulk_changing(sender: Any, pks: list[int], **_: Any) -> None:
    changes = _changes()
    if sender is Flow:
        ends = Flow.objects.filter(pk__in=pks).values_list("source_id", "target_id")
        changes.ends.update(end for pair in ends for end in pair)
    elif sender is Party:
        changes.everything |= _in_the_group(pks)
    elif sender is Agreement:
        changes.agreement_parties.extend(_agreement_parties(pk) for pk in pks)


def _bulk_changed(sender: Any, pks: list[int], **_: Any) -> None:
    changes = _changes()
    if sender is Flow:
        changes.flows.update(pks)
        ends = Flow.objects.filter(pk__in=pks).values_list("source_id", "target_id")
        changes.ends.update(end for pair in ends for end in pair)
    elif sender is Party:
        changes.everything |= _in_the_group(pks)
        changes.parties.update(pks)
    elif sender is Agreement:
        changes.agreements.update(pks)
    elif sender in _TABLES:
        changes.everything = True
    else:
        return
    _noted()


def connect() -> None:
    """Called once, from flows' AppConfig.ready."""
    uid = "stored-findings"
    post_init.connect(_flow_loaded, sender=Flow, dispatch_uid=uid)
    pre_save.connect(_flow_saving, sender=Flow, dispatch_uid=uid)
    post_save.connect(_flow_saved, sender=Flow, dispatch_uid=uid)
    post_delete.connect(_flow_deleted, sender=Flow, dispatch_uid=uid)
    m2m_changed.connect(_flow_categories, sender=Flow.categories.through, dispatch_uid=uid)
    post_init.connect(_party_loaded, sender=Party, dispatch_uid=uid)
    post_save.connect(_party_saved, sender=Party, dispatch_uid=uid)
    post_delete.connect(_party_deleted, sender=Party, dispatch_uid=uid)
    post_save.connect(_agreement_saved, sender=Agreement, dispatch_uid=uid)
    pre_delete.connect(_agreement_deleting, sender=Agreement, dispatch_uid=uid)
    post_delete.connect(_agreement_saved, sender=Agreement, dispatch_uid=uid)
    m2m_changed.connect(_agreement_links, sender=Agreement.parties.through, dispatch_uid=uid)
    m2m_changed.connect(_agreement_links, sender=Agreement.categories.through, dispatch_uid=uid)
    post_init.connect(_engagement_loaded, sender=Engagement, dispatch_uid=uid)
    post_save.connect(_engagement_saved, sender=Engagement, dispatch_uid=uid)
    post_delete.connect(_engagement_saved, sender=Engagement, dispatch_uid=uid)
    for model in _TABLES:
        post_save.connect(_table_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_table_changed, sender=model, dispatch_uid=uid)
    rows_changing.connect(_bulk_changing, dispatch_uid=uid)
    rows_changed.connect(_bulk_changed, dispatch_uid=uid)
    batch_finished.connect(_flush, dispatch_uid=uid)
    batch_abandoned.connect(_discard, dispatch_uid=uid)
