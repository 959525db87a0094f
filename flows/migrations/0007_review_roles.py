from django.db import migrations


def sync(apps, schema_editor):
    from registry.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """Give the roles the permissions of the new Review model (viewers read reviews)."""

    dependencies = [("flows", "0006_review"), ("registry", "0003_roles")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
