"""Every model is in the admin without N+1 queries; production settings pass the deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
OUR_MODELS = [
    m for m in apps.get_models() if m._meta.app_label in {"registry", "flows"}
    and not m.__name__.startswith("Historical")
]  # fmt: skip


def test_every_model_of_ours_is_registered_in_the_admin():
    missing = [m.__name__ for m in OUR_MODELS if m not in admin.site._registry]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m.__name__)
def test_admin_lists_make_the_same_number_of_queries_for_a_small_and_a_large_register(
    client, model
):
    from datetime import date

    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    call_command("seed_demo", today=date(2026, 11, 28), stdout=open(os.devnull, "w"))
    small = queries()
    from registry.demo.synthetic import synthetic_register_create

    synthetic_register_create(parties=60, flows=150, seed=3)
    assert queries() == small


def test_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x7!" + "k" * 60 + "Q2#z",
        "ALLOWED_HOSTS": "registry.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_without_a_secret_key_say_what_is_missing():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("django_tasks_database.DBTaskResult", "%20"),
        ("registry.Party", "9" * 30),
        ("registry.Party", "x"),
    ],
)
def test_the_admins_view_on_site_link_with_a_key_no_object_has_is_not_found(client, model, key):
    """A key its model's primary key refuses (not a UUID; an integer too large for the
    database) is an object that does not exist: 404, as for any unknown key."""
    from django.contrib.contenttypes.models import ContentType

    client.force_login(make_user("boss", role="admin", is_staff=True))
    content_type = ContentType.objects.get_for_model(apps.get_model(model))
    response = client.get(f"/admin/r/{content_type.pk}/{key}/")
    assert response.status_code == 404
