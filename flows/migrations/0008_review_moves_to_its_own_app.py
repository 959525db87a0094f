"""Review moves to its own app, flows.reviews (label "reviews"); its table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('flows', '0007_review_roles'),
    ]

    operations = [
        # The tables stay as they are (Meta.db_table): only Django's idea of
        # which app owns the model moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Review',
                ),
            ],
        ),
    ]
