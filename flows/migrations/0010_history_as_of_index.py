"""An index for the register as of a day (flows.history.as_of): for each record, its latest
historical row up to the day is found by a correlated subquery on (id, history_date,
history_id), which this index answers alone. Created with SQL because simple_history
builds the historical models; IF NOT EXISTS keeps it safe on both databases."""

from django.db import migrations

TABLES = ("flows_historicalflow", "registry_historicalparty", "registry_historicalagreement")


class Migration(migrations.Migration):
    dependencies = [
        ("flows", "0009_stored_findings"),
        ("registry", "0007_agreement_parties_through"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                f"CREATE INDEX IF NOT EXISTS {table}_as_of "
                f"ON {table} (id, history_date, history_id)"
            ),
            reverse_sql=f"DROP INDEX IF EXISTS {table}_as_of",
        )
        for table in TABLES
    ]
