"""Each party's `engaged_by` becomes an engagement of it by that processor, with no notice
date and a source that tells a reviewer what to fill in."""

from django.db import migrations

RECORDED_BEFORE = "Recorded as “engaged by” before engagements existed"


def engagements_from_engaged_by(apps, schema_editor):
    Party = apps.get_model("registry", "Party")
    Engagement = apps.get_model("registry", "Engagement")
    pairs = Party.objects.filter(engaged_by__isnull=False).values_list("engaged_by_id", "id")
    open_pairs = set(
        Engagement.objects.filter(ended_on__isnull=True).values_list("processor_id", "subprocessor_id")
    )
    Engagement.objects.bulk_create(
        Engagement(processor_id=processor, subprocessor_id=party, notice_source=RECORDED_BEFORE)
        for processor, party in pairs
        if processor != party and (processor, party) not in open_pairs
    )


def engaged_by_from_engagements(apps, schema_editor):
    """Backwards: the processor of each party's open engagement (the first, by processor)."""
    Party = apps.get_model("registry", "Party")
    Engagement = apps.get_model("registry", "Engagement")
    open_ones = Engagement.objects.filter(ended_on__isnull=True).order_by("processor_id")
    chosen: dict[int, int] = {}
    for processor, party in open_ones.values_list("processor_id", "subprocessor_id"):
        chosen.setdefault(party, processor)
    for party, processor in chosen.items():
        Party.objects.filter(pk=party).update(engaged_by_id=processor)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_engagements_and_transfer_fields"),
    ]

    operations = [
        migrations.RunPython(engagements_from_engaged_by, engaged_by_from_engagements),
    ]
