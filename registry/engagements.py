"""Writes of engagements: a processor engaging a sub-processor (GDPR Art. 28(2) and 28(4)).

Each write is one batch (registry.web.batches.write_batch), so that the stored findings of
the flows processor -> sub-processor follow it once; each save keeps its history row. The
edit pages, the admin, the imports, vendor onboarding and the demo write through here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from registry.models import Engagement, Party
from registry.services import apply_changes, version_check
from registry.web.batches import write_batch

#: The fields of an engagement that its edit page, the import and the services set (the
#: processor and the sub-processor stay: an engagement of another pair is another record).
ENGAGEMENT_FIELDS = (
    "noticed_on", "notice_source", "objected_on", "objection", "authorised_on", "evidence",
    "evidenced_on", "ended_on", "notes",
)  # fmt: skip

RECORDED_BEFORE = "Recorded as “engaged by” before engagements existed"
"""The notice source of the engagements the data migration made from `engaged_by`."""


def _save(engagement: Engagement, *, user: Any = None) -> Engagement:
    engagement.full_clean()
    if user is not None:
        engagement._history_user = user  # type: ignore[attr-defined]  # simple_history
    with write_batch():
        engagement.save()
    return engagement


def _unknown(fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(ENGAGEMENT_FIELDS))
    if unknown:
        raise TypeError(f"Not fields of an engagement: {', '.join(unknown)}")


@transaction.atomic
def engagement_create(
    *, processor: Party, subprocessor: Party, user: Any = None, **fields: Any
) -> Engagement:
    """A new engagement of `subprocessor` by `processor`; refused while another engagement of
    the pair is open (end it first) and for a party engaging itself."""
    _unknown(fields)
    engagement = Engagement(processor=processor, subprocessor=subprocessor, **fields)
    return _save(engagement, user=user)


@transaction.atomic
def engagement_update(
    *, engagement: Engagement, version: int | None = None, user: Any = None, **fields: Any
) -> Engagement:
    """Bring an engagement up to date (its notice, our objection or authorisation, the
    evidence of the sub-processing agreement, its end)."""
    _unknown(fields)
    version_check(instance=engagement, version=version)
    if apply_changes(engagement, fields):
        _save(engagement, user=user)
    return engagement


@transaction.atomic
def engagement_end(
    *, engagement: Engagement, on: date, version: int | None = None, user: Any = None
) -> Engagement:
    """End an engagement on `on`: the processor no longer uses this sub-processor for us."""
    version_check(instance=engagement, version=version)
    if engagement.ended_on is not None and engagement.ended_on <= on:
        raise ValidationError({"on": f"This engagement ended on {engagement.ended_on} already."})
    before, engagement.ended_on = engagement.ended_on, on
    try:
        return _save(engagement, user=user)
    except ValidationError as error:
        engagement.ended_on = before
        raise ValidationError({"on": error.messages}) from error


def engagement_record(
    *,
    processor: Party,
    subprocessor: Party,
    noticed_on: date | None = None,
    notice_source: str = "",
    user: Any = None,
    **fields: Any,
) -> Engagement:
    """The open engagement of the pair, created when there is none (the parties import's
    `engaged_by` column, vendor onboarding, the demo). An open one keeps its values; only a
    notice it lacks is filled in."""
    _unknown(fields)
    found = Engagement.objects.filter(
        processor=processor, subprocessor=subprocessor, ended_on__isnull=True
    ).first()
    if found is None:
        return engagement_create(
            processor=processor,
            subprocessor=subprocessor,
            noticed_on=noticed_on,
            notice_source=notice_source,
            user=user,
            **fields,
        )
    missing: dict[str, Any] = {}
    if found.noticed_on is None and noticed_on is not None:
        missing["noticed_on"] = noticed_on
        if notice_source and found.notice_source in ("", RECORDED_BEFORE):
            missing["notice_source"] = notice_source
    if missing:
        engagement_update(engagement=found, user=user, **missing)
    return found
