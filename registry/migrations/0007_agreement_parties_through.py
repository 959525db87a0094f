"""Agreement.parties gets an explicit through model, AgreementParty, whose party is
protected: a party bound by an agreement cannot be deleted, it is offboarded instead.

The through model takes over the table Django made for the implicit many-to-many
(registry_agreement_parties, same columns and unique pair), so the database is left as it
is (state only); the history of the sets follows it under its new name, table renamed with
its rows.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_roles_for_the_moved_apps"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AgreementParty",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("agreement", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="party_links", to="registry.agreement", verbose_name="agreement")),
                        ("party", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="agreement_links", to="registry.party", verbose_name="party")),
                    ],
                    options={
                        "verbose_name": "party bound by an agreement",
                        "verbose_name_plural": "parties bound by agreements",
                        "db_table": "registry_agreement_parties",
                        "ordering": ["agreement", "party"],
                        "unique_together": {("agreement", "party")},
                    },
                ),
                migrations.AlterField(
                    model_name="agreement",
                    name="parties",
                    field=models.ManyToManyField(related_name="agreements", through="registry.AgreementParty", to="registry.party", verbose_name="parties"),
                ),
            ],
        ),
        migrations.RenameModel("HistoricalAgreement_parties", "HistoricalAgreementParty"),
        migrations.AlterModelOptions(
            name="historicalagreementparty",
            options={"verbose_name": "HistoricalAgreementParty"},
        ),
        migrations.AlterField(
            model_name="historicalagreementparty",
            name="agreement",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="registry.agreement", verbose_name="agreement"),
        ),
        migrations.AlterField(
            model_name="historicalagreementparty",
            name="party",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="registry.party", verbose_name="party"),
        ),
    ]
