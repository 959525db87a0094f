"""Onboarding moves to its own app, registry.onboarding (label "onboarding"); its tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0004_onboarding'),
    ]

    operations = [
        # The tables stay as they are (Meta.db_table): only Django's idea of
        # which app owns the model moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='onboardingevent',
                    name='onboarding',
                ),
                migrations.RemoveField(
                    model_name='onboardingdocument',
                    name='onboarding',
                ),
                migrations.RemoveField(
                    model_name='onboardingevent',
                    name='actor',
                ),
                migrations.DeleteModel(
                    name='Onboarding',
                ),
                migrations.DeleteModel(
                    name='OnboardingDocument',
                ),
                migrations.DeleteModel(
                    name='OnboardingEvent',
                ),
            ],
        ),
    ]
