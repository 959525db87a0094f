from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.utils.autoreload import autoreload_started

from flows.compiled_core import PACKAGE_DIR


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = "Data flows"

    def ready(self) -> None:
        autoreload_started.connect(_watch_core_sources)


def _watch_core_sources(sender: Any, **kwargs: Any) -> None:
    """runserver watches the files modules were loaded from, and the compiled core's modules
    come from build/core: watch their .py files too, so that editing a rule reloads the
    server (which then runs the edited .py file, the build being stale)."""
    sender.watch_dir(Path(PACKAGE_DIR), "*.py")
