from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = "Data flows"

    def ready(self) -> None:
        # The kinds need the models, which are loaded only now.
        from flows.kinds import CategoryKind, FlowKind, PurposeKind
        from flows.resources import DataCategoryResource, FlowResource, PurposeResource
        from registry.importing.engine import register_kind

        register_kind(FlowKind, exporter=FlowResource)
        register_kind(CategoryKind, exporter=DataCategoryResource)
        register_kind(PurposeKind, exporter=PurposeResource)

        # The stored findings follow every write to the models the rules read.
        from flows.findings.keeping import connect

        connect()
