"""Seed the taxonomy and the jurisdiction tables; reviewers edit them in the admin later."""

from django.db import migrations

from flows.reference_data import load_jurisdictions, load_taxonomy


def seed(apps, schema_editor):
    load_taxonomy(
        apps.get_model("flows", "DataCategory"),
        apps.get_model("flows", "Purpose"),
        apps.get_model("flows", "DataSubject"),
    )
    load_jurisdictions(
        apps.get_model("flows", "ZoneMembership"),
        apps.get_model("flows", "AdequacyDecision"),
        apps.get_model("flows", "MechanismValidity"),
    )


class Migration(migrations.Migration):
    dependencies = [("flows", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
