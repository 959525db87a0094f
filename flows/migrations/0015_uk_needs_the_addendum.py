"""The EU SCCs 2021 on their own are no transfer tool under the UK GDPR: a UK exporter needs
the UK Addendum to them, or the IDTA (DPA 2018 s. 119A, both from 2022-03-21). The first seed
listed them as valid under the UK regime; this removes that row where a reviewer has not
changed it."""

from django.db import migrations

from flows.reference_data import retire_mechanism_rows


def retire(apps, schema_editor):
    retire_mechanism_rows(apps.get_model("flows", "MechanismValidity"))


class Migration(migrations.Migration):
    dependencies = [("flows", "0014_seed_fdpic_list")]

    operations = [migrations.RunPython(retire, migrations.RunPython.noop)]
