"""The roles get the permissions of the onboarding and reviews apps (their content types moved)."""

from django.db import migrations


def sync(apps, schema_editor):
    from registry.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_onboarding_moves_to_its_own_app"),
        ("onboarding", "0001_initial"),
        ("reviews", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
