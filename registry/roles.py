"""The four roles of the register, as Django groups with permissions.

- viewer: reads everything (auditors, engineers).
- editor: privacy operations: keeps parties, agreements and flows; imports and exports.
- reviewer: legal counsel: decides findings and onboardings; keeps the jurisdiction tables.
- admin: everything, including users and groups.

This module is the one place the roles are declared: `role_permissions` says which
permissions each role holds, as rules over the permissions that exist, and `BOUNDARIES`
which roles each permission check of the pages (registry.web.permissions) is meant for.

`sync_roles` gives each group exactly its permissions. It runs after every `migrate`
(`sync_roles_after_migrate`, connected in RegistryConfig.ready()), so a migration that adds
a model or a permission can never leave a role without it; the early data migrations
(registry 0003, 0006, flows 0007) call it too.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps

from registry.web.permissions import CAN_EDIT, CAN_EXPORT, CAN_IMPORT, CAN_REVIEW, CAN_VIEW

VIEWER, EDITOR, REVIEWER, ADMIN = "viewer", "editor", "reviewer", "admin"
ROLES = (VIEWER, EDITOR, REVIEWER, ADMIN)

#: Each permission the pages check, and the roles meant to pass it: everyone reads, editors
#: edit and import, reviewers decide reviews and onboardings, both export, admins do all.
BOUNDARIES: dict[str, tuple[str, ...]] = {
    CAN_VIEW: ROLES,
    CAN_EDIT: (EDITOR, ADMIN),
    CAN_IMPORT: (EDITOR, ADMIN),
    CAN_EXPORT: (EDITOR, REVIEWER, ADMIN),
    CAN_REVIEW: (REVIEWER, ADMIN),
}
APPS = ("registry", "flows", "onboarding", "reviews")

_EDITED_BY_EDITORS = ("party", "agreement", "engagement", "flow")
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


def sync_roles_after_migrate(sender: Any, using: str, apps: Any = None, **kwargs: Any) -> None:
    """The post_migrate handler: the roles as declared, with the permissions that exist
    once the migrations ran. `flush` (after a test that commits) sends the signal without
    the migrations' app registry: the project's own is then the right one."""
    sync_roles(apps or global_apps, using=using)


def sync_roles(apps: Any, using: str = "default") -> None:
    """Create the groups and give each exactly its permissions (migrations pass `apps`)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; create them now so that
    # the groups can be given them on a fresh database. A migration's app configs have no
    # models module, which create_permissions wants: lend them one for the call.
    for config in apps.get_app_configs():
        models_module = getattr(config, "models_module", None)
        config.models_module = models_module or True
        try:
            create_permissions(config, apps=apps, verbosity=0, using=using)
        finally:
            config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    for role, permissions in declared_permissions(apps, using=using).items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(permissions)


def declared_permissions(apps: Any, using: str = "default") -> dict[str, list[Any]]:
    """The Permission rows each role holds, as `role_permissions` declares them, among the
    permissions of our apps and of users and groups."""
    Permission = apps.get_model("auth", "Permission")
    permissions = (
        Permission.objects.using(using)
        .filter(content_type__app_label__in=(*APPS, "auth"))
        .select_related("content_type")
    )
    codenames: dict[str, set[str]] = {}
    by_key = {}
    for permission in permissions:
        app = permission.content_type.app_label
        if app == "auth" and permission.content_type.model not in ("user", "group"):
            continue
        codenames.setdefault(app, set()).add(permission.codename)
        by_key[(app, permission.codename)] = permission
    return {
        role: [by_key[k] for k in sorted(keys) if k in by_key]
        for role, keys in role_permissions(codenames).items()
    }


# --- giving a person a role ----------------------------------------------------------------


class UnknownRole(ValueError):
    """A role name that is not one of ROLES; the message lists the roles."""


def role_named(name: str) -> str:
    """The role of this name (case-insensitive), or UnknownRole saying which there are."""
    role = name.strip().lower()
    if role not in ROLES:
        raise UnknownRole(f"There is no role '{name}'; the roles are {', '.join(ROLES)}.")
    return role


def role_of(user: Any) -> str | None:
    """The role a user holds (the first of ROLES among its groups), or None."""
    names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    return next((role for role in ROLES if role in names), None)


def _staff_follows_role(user: Any, role: str | None) -> None:
    # /admin/ is the admin role's page: staff status comes with that role and goes with it.
    # A superuser stays staff, or the superuser `createsuperuser` made could lock itself out.
    is_staff = role == ADMIN or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def role_grant(*, user: Any, role: str) -> None:
    """Give `user` the role: its group, in place of any other role's (a person has one
    role), and staff status exactly when the role is admin. Other groups stay."""
    from django.contrib.auth.models import Group
    from django.db import transaction

    role = role_named(role)
    with transaction.atomic():
        user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name=role))
        user.groups.add(Group.objects.get(name=role))
        _staff_follows_role(user, role)


def role_revoke(*, user: Any) -> None:
    """Take every role from `user`, and with the admin role its staff status."""
    from django.contrib.auth.models import Group
    from django.db import transaction

    with transaction.atomic():
        user.groups.remove(*Group.objects.filter(name__in=ROLES))
        _staff_follows_role(user, None)
