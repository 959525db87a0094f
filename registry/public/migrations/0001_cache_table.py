"""The table of the database cache (settings.CACHES), so that `migrate` alone makes a fresh
machine ready: `createcachetable` makes every table CACHES names that does not exist yet."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations

DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_tables(apps, schema_editor):
    for options in settings.CACHES.values():
        if options["BACKEND"] == DATABASE_CACHE:
            table = schema_editor.quote_name(options["LOCATION"])
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_tables, drop_cache_tables, elidable=False)]
