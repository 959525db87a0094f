import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from registry.roles import ADMIN

DEFAULT_USERNAME = "demo"
DEFAULT_PASSWORD = "voipx-demo-2015"


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo login, a superuser, and print its user name and password. "
        "DEMO_USERNAME and DEMO_PASSWORD override the defaults. For local demos only."
    )

    def handle(self, *args: object, **options: object) -> None:
        username = os.environ.get("DEMO_USERNAME", DEFAULT_USERNAME)
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=ADMIN))
        verb = "Created" if created else "Reset"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} the demo login: user '{username}', password '{password}'.")
        )
