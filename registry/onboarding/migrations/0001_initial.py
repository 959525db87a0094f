"""Onboarding, moved from registry (migration registry 0005): the tables stay."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor, old="registry", new="onboarding"):
    """Permissions hang on content types: moving these keeps every group's permissions."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model__in=("onboarding", "onboardingdocument", "onboardingevent")).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="onboarding", new="registry")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ('flows', '0008_review_moves_to_its_own_app'),
        ('registry', '0005_onboarding_moves_to_its_own_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay as they are (Meta.db_table): only Django's idea of
        # which app owns the model moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Onboarding',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('contact_email', models.EmailField(max_length=254, verbose_name='vendor contact e-mail')),
                        ('service', models.CharField(max_length=300, verbose_name='service it will provide')),
                        ('lawful_basis', models.CharField(blank=True, help_text='For the flows to the vendor.', max_length=32, verbose_name='our lawful basis')),
                        ('state', models.CharField(choices=[('open', 'Open: the vendor is filling in the form'), ('submitted', 'Submitted: waiting for a reviewer'), ('changes_requested', 'Changes requested: reopened for the vendor'), ('approved', 'Approved'), ('rejected', 'Rejected')], default='open', max_length=32, verbose_name='state')),
                        ('link_nonce', models.CharField(max_length=32, verbose_name='link nonce')),
                        ('link_expires_at', models.DateTimeField(verbose_name='link expires at')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='link revoked at')),
                        ('answers', models.JSONField(blank=True, default=dict, help_text='The form data of each step as typed, saved as a draft at every step.', verbose_name="vendor's answers")),
                        ('reviewer_comment', models.TextField(blank=True, verbose_name="reviewer's comment")),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted at')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('intended_categories', models.ManyToManyField(blank=True, related_name='onboardings', to='flows.datacategory', verbose_name='data categories we intend to send')),
                        ('intended_purposes', models.ManyToManyField(blank=True, related_name='onboardings', to='flows.purpose', verbose_name='purposes we intend to send data for')),
                        ('party', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='onboarding', to='registry.party', verbose_name='vendor')),
                        ('proposed_flows', models.ManyToManyField(blank=True, related_name='onboardings', to='flows.flow', verbose_name='proposed flows')),
                        ('proposed_subprocessors', models.ManyToManyField(blank=True, related_name='proposed_in_onboardings', to='registry.party', verbose_name='proposed sub-processors')),
                        ('started_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='onboardings_started', to=settings.AUTH_USER_MODEL, verbose_name='started by')),
                    ],
                    options={
                        'verbose_name': 'onboarding',
                        'verbose_name_plural': 'onboardings',
                        'db_table': 'registry_onboarding',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='OnboardingDocument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('dpa', 'Data processing agreement'), ('scc', 'Standard contractual clauses'), ('certificate', 'Certificate or attestation (ISO 27001, PCI DSS, DPF)'), ('other', 'Other')], max_length=16, verbose_name='kind')),
                        ('file', models.FileField(upload_to='onboarding/%Y/', verbose_name='file')),
                        ('original_name', models.CharField(max_length=255, verbose_name='original file name')),
                        ('content_type', models.CharField(max_length=100, verbose_name='content type')),
                        ('size', models.PositiveIntegerField(verbose_name='size in bytes')),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded')),
                        ('onboarding', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='onboarding.onboarding', verbose_name='onboarding')),
                    ],
                    options={
                        'verbose_name': 'onboarding document',
                        'verbose_name_plural': 'onboarding documents',
                        'db_table': 'registry_onboardingdocument',
                        'ordering': ['uploaded_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='OnboardingEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(auto_now_add=True, verbose_name='when')),
                        ('action', models.CharField(max_length=40, verbose_name='action')),
                        ('detail', models.TextField(blank=True, verbose_name='detail')),
                        ('actor', models.ForeignKey(blank=True, help_text='Empty when the vendor acted through its link.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='onboarding_events', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                        ('onboarding', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='onboarding.onboarding', verbose_name='onboarding')),
                    ],
                    options={
                        'verbose_name': 'onboarding event',
                        'verbose_name_plural': 'onboarding events',
                        'db_table': 'registry_onboardingevent',
                        'ordering': ['at', 'id'],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
