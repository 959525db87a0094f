from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Register of parties and agreements"

    def ready(self) -> None:
        # The kinds need the models, which are loaded only now.
        from registry.importing.engine import register_kind
        from registry.kinds import AgreementKind, PartyKind
        from registry.resources import AgreementResource, PartyResource

        register_kind(PartyKind, exporter=PartyResource)
        register_kind(AgreementKind, exporter=AgreementResource)

        # The roles as registry/roles.py declares them, after every migrate.
        from django.db.models.signals import post_migrate

        from registry.roles import sync_roles_after_migrate

        post_migrate.connect(
            sync_roles_after_migrate, sender=self, dispatch_uid="registry.roles.sync"
        )
