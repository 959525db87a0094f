from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from registry.roles import ADMIN, ROLES, UnknownRole, role_grant, role_named, role_revoke

NONE = "none"


class Command(BaseCommand):
    help = (
        "Give a user one role (viewer, editor, reviewer or admin) in place of any other, or "
        f"'{NONE}' to take it away. Only the admin role opens /admin/ (staff status)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="The user name, as they log in.")
        parser.add_argument("role", help=f"One of {', '.join(ROLES)}, or '{NONE}'.")

    def handle(self, *args: Any, **options: Any) -> None:
        username, name = options["username"], options["role"]
        try:
            role = None if name.strip().lower() == NONE else role_named(name)
        except UnknownRole as error:
            raise CommandError(f"{error} ('{NONE}' takes the role away.)") from None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"There is no user '{username}'; create one with `manage.py createsuperuser` "
                "or in the admin's Users page."
            )
        if role is None:
            role_revoke(user=user)
            self.stdout.write(self.style.SUCCESS(f"'{username}' has no role now."))
            return
        role_grant(user=user, role=role)
        admin = "opens /admin/" if role == ADMIN else "does not open /admin/ (admins only)"
        if role != ADMIN and user.is_superuser:
            admin = "still opens /admin/ (a superuser)"
        self.stdout.write(self.style.SUCCESS(f"'{username}' is now {role}; {admin}."))
