"""The four roles of the register, as Django groups with permissions.

- viewer: reads everything (auditors, engineers).
- editor: privacy operations: keeps parties, agreements and flows; imports and exports.
- reviewer: legal counsel: decides findings and onboardings; keeps the jurisdiction tables.
- admin: everything, including users and groups.

`sync_roles` is called by data migrations (registry 0003 and later ones that add
permissions), so every database has the groups with the right permissions.
"""

from __future__ import annotations

from typing import Any

VIEWER, EDITOR, REVIEWER, ADMIN = "viewer", "editor", "reviewer", "admin"
ROLES = (VIEWER, EDITOR, REVIEWER, ADMIN)
APPS = ("registry", "flows", "onboarding", "reviews")

_EDITED_BY_EDITORS = ("party", "agreement", "flow")
_EDITED_BY_REVIEWERS = ("zonemembership", "adequacydecision", "mechanismvalidity")


def role_permissions(codenames_by_app: dict[str, set[str]]) -> dict[str, set[tuple[str, str]]]:
    """(app, codename) pairs for each role, from the permissions that exist."""
    every = {(app, code) for app, codes in codenames_by_app.items() for code in codes}
    view = {(app, code) for app, code in every if app in APPS and code.startswith("view_")}

    def edits(models: tuple[str, ...]) -> set[tuple[str, str]]:
        verbs = ("add_", "change_", "delete_")
        return {
            (app, code)
            for app, code in every
            if any(code == verb + model for verb in verbs for model in models)
        }

    extra = {(app, code) for app, code in every if code in {"import_records", "export_records"}}
    review = {(app, code) for app, code in every if code.startswith("review_")}
    return {
        VIEWER: view,
        EDITOR: view | edits(_EDITED_BY_EDITORS) | extra,
        REVIEWER: view | edits(_EDITED_BY_REVIEWERS) | review
        | {p for p in extra if p[1] == "export_records"},
        ADMIN: every,
    }  # fmt: skip


def sync_roles(apps: Any) -> None:
    """Create the groups and give each exactly its permissions (migrations pass `apps`)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; create them now so that
    # the groups can be given them on a fresh database.
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label__in=(*APPS, "auth")
    ).select_related("content_type")
    codenames: dict[str, set[str]] = {}
    by_key = {}
    for permission in permissions:
        app = permission.content_type.app_label
        if app == "auth" and permission.content_type.model not in ("user", "group"):
            continue
        codenames.setdefault(app, set()).add(permission.codename)
        by_key[(app, permission.codename)] = permission
    for role, keys in role_permissions(codenames).items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_key[k] for k in keys if k in by_key])
