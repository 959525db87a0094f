"""Every processor and sub-processor approved before publication decisions existed keeps
its place on the public list: it gets a publication in effect since it was first approved
(its first approved version in the history, else its creation), with no reviewer and no
notice period, and a note saying so."""

from django.db import migrations
from django.db.models import Min
from django.utils import timezone

LISTED = ("processor", "subprocessor")
NOTE = "On the public list before publication decisions were recorded."


def publish_listed(apps, schema_editor):
    Party = apps.get_model("registry", "Party")
    HistoricalParty = apps.get_model("registry", "HistoricalParty")
    Publication = apps.get_model("registry", "Publication")
    first_approved = dict(
        HistoricalParty.objects.filter(status="approved", relationship__in=LISTED)
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    now = timezone.now()
    listed = Party.objects.filter(status="approved", relationship__in=LISTED).exclude(
        publications__isnull=False
    )
    rows = []
    for pk, created_at in listed.values_list("pk", "created_at").iterator(chunk_size=2000):
        day = timezone.localdate(first_approved.get(pk) or created_at)
        rows.append(
            Publication(
                party_id=pk,
                change="added",
                decided_at=now,
                notice_on=day,
                effective_on=day,
                note=NOTE,
            )  # fmt: skip
        )
    Publication.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_publication")]

    operations = [migrations.RunPython(publish_listed, migrations.RunPython.noop)]
