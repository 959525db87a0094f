import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand
from django.db import transaction

from registry.roles import ADMIN, EDITOR, REVIEWER, VIEWER, role_grant

DEFAULT_USERNAME = "demo"
DEFAULT_PASSWORD = "voipx-demo-2015"

#: One login per role (user name, password, what the role does), so that each role's job can
#: be tried with only its group. The passwords pass Django's validators (checked as they are
#: set); they are for local demos only.
ROLE_LOGINS = (
    (VIEWER, "voipx-read-2015", "reads the register, the findings and the tables"),
    (EDITOR, "voipx-edit-2015", "keeps parties, agreements and flows; imports and exports"),
    (REVIEWER, "voipx-review-2015", "decides findings and onboardings; keeps the tables"),
    (ADMIN, "voipx-admin-2015", "everything, and /admin/"),
)


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo logins, one per role (viewer, editor, reviewer, admin), "
        "and the 'demo' superuser, and print their user names and passwords. DEMO_USERNAME and "
        "DEMO_PASSWORD override the superuser's. For local demos only."
    )

    def handle(self, *args: object, **options: object) -> None:
        username = os.environ.get("DEMO_USERNAME", DEFAULT_USERNAME)
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
        logins = [(role, secret, role, job) for role, secret, job in ROLE_LOGINS]
        logins.append((username, password, ADMIN, "everything, and /admin/; a superuser"))
        lines = []
        with transaction.atomic():
            for name, secret, role, job in logins:
                superuser = name == username
                if not superuser:  # one's own DEMO_PASSWORD is one's own business
                    validate_password(secret)
                created = self._login(name, secret, role, superuser=superuser)
                verb = "created" if created else "reset"
                shown = f"password '{secret}'"
                lines.append(f"  {name:<9} {shown:<29} {role}: {job} ({verb})")
        self.stdout.write(self.style.SUCCESS("Demo logins, one per role (local demos only):"))
        self.stdout.write("\n".join(lines))

    def _login(self, name: str, password: str, role: str, *, superuser: bool) -> bool:
        user, created = get_user_model().objects.get_or_create(username=name)
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        role_grant(user=user, role=role)
        return created
