from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Register of parties and agreements"

    def ready(self) -> None:
        # The kinds need the models, which are loaded only now.
        from registry.importing.engine import register_kind
        from registry.kinds import AgreementKind, EngagementKind, PartyKind
        from registry.resources import AgreementResource, EngagementResource, PartyResource

        register_kind(PartyKind, exporter=PartyResource)
        register_kind(AgreementKind, exporter=AgreementResource)
        register_kind(EngagementKind, exporter=EngagementResource)

        # The roles as registry/roles.py declares them, after every migrate.
        from django.db.models.signals import post_migrate

        from registry.roles import sync_roles_after_migrate

        post_migrate.connect(
            sync_roles_after_migrate, sender=self, dispatch_uid="registry.roles.sync"
        )


class RegisterAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the register's site (registry/admin_site.py); INSTALLED_APPS
    names this instead of django.contrib.admin. Not the default config of `registry`."""

    default = False
    default_site = "registry.admin_site.RegisterAdminSite"
