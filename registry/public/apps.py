from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public sub-processor list: an app of its own so that its cache table has a
    migration (`migrate` alone sets it up) and its receivers a ready() to connect them in.
    It has no models."""

    name = "registry.public"
    label = "public"
    verbose_name = "Public sub-processor list"

    def ready(self) -> None:
        # The receivers name the models, which are loaded only now.
        from registry.public.cache import connect_receivers

        connect_receivers()
