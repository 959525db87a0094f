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
