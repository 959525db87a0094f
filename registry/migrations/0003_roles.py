"""Create the viewer, editor, reviewer and admin groups with their permissions."""

from django.db import migrations

from registry.roles import sync_roles


def create_roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_import_export_permissions"),
        ("flows", "0005_flow_proposed_and_review_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
