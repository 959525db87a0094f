"""Public addresses, no login, and the reviewers' decisions behind them (included by
registry.urls)."""

from django.urls import path

from registry.public import decisions
from registry.public import views as public_views

urlpatterns = [
    path("subprocessors/", public_views.subprocessor_list, name="subprocessors"),
    path("subprocessors/feed/", public_views.SubprocessorFeed(), name="subprocessor_feed"),
    path(
        "subprocessors/decisions/",
        decisions.subprocessor_decisions,
        name="subprocessor_decisions",
    ),
]
