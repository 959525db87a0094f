"""Seed the FDPIC's list of states with adequate protection, valid until 2023-08-31 (the old
FADP): Swiss exporters relied on it before the revised FADP and its DPO Annex 1. The rows are
data that reviewers edit in the admin; each says it is unverified."""

from django.db import migrations

from flows.reference_data import load_fdpic_list


def seed(apps, schema_editor):
    load_fdpic_list(apps.get_model("flows", "AdequacyDecision"))


class Migration(migrations.Migration):
    dependencies = [("flows", "0013_flow_derogation_and_art10")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
