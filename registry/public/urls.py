"""Public addresses, no login (included by registry.urls)."""

from django.urls import path

from registry.public import views as public_views

urlpatterns = [
    path("subprocessors/", public_views.subprocessor_list, name="subprocessors"),
    path("subprocessors/feed/", public_views.SubprocessorFeed(), name="subprocessor_feed"),
]
