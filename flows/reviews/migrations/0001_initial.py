"""Review, moved from flows (migration flows 0008): the table flows_review stays."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor, old="flows", new="reviews"):
    """Permissions hang on content types: moving these keeps every group's permissions."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model__in=("review",)).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="reviews", new="flows")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ('flows', '0008_review_moves_to_its_own_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay as they are (Meta.db_table): only Django's idea of
        # which app owns the model moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Review',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rule', models.CharField(db_index=True, max_length=64, verbose_name='rule')),
                        ('decision', models.CharField(choices=[('accept_risk', 'Accept the risk'), ('waive', 'Waive'), ('request_change', 'Request a change')], max_length=32, verbose_name='decision')),
                        ('reason', models.TextField(verbose_name='reason or comment')),
                        ('review_by', models.DateField(blank=True, help_text='For an accepted risk: the day it must be looked at again.', null=True, verbose_name='review by')),
                        ('decided_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='decided at')),
                        ('fingerprint', models.CharField(max_length=64, verbose_name='fingerprint of the facts')),
                        ('facts', models.JSONField(default=dict, verbose_name='facts judged')),
                        ('assignee', models.ForeignKey(blank=True, help_text='For a requested change: the editor who must make it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assigned_reviews', to=settings.AUTH_USER_MODEL, verbose_name='assigned to')),
                        ('decided_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reviews_decided', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                        ('flow', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='flows.flow', verbose_name='flow')),
                    ],
                    options={
                        'verbose_name': 'review',
                        'verbose_name_plural': 'reviews',
                        'db_table': 'flows_review',
                        'ordering': ['-decided_at', '-id'],
                        'indexes': [models.Index(fields=['flow', 'rule', 'decided_at'], name='review_latest')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('decision', 'accept_risk'), _negated=True), ('review_by__isnull', False), _connector='OR'), name='review_accepted_risk_has_review_by', violation_error_message='An accepted risk needs a review-by date.'), models.CheckConstraint(condition=models.Q(models.Q(('decision', 'request_change'), _negated=True), ('assignee__isnull', False), _connector='OR'), name='review_change_request_has_assignee', violation_error_message='A change request is assigned to an editor.')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
