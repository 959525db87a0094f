"""The site's addresses: each package brings its own."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from registry import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("parties/", views.party_list, name="party_list"),
    # Before the detail pages: /parties/new/ and /parties/search/ are pages, not slugs.
    path("", include("flows.editing.urls")),
    path("parties/<slug:slug>/", views.party_detail, name="party_detail"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/<slug:reference>/", views.agreement_detail, name="agreement_detail"),
    path(
        "agreements/<slug:reference>/document/",
        views.agreement_document,
        name="agreement_document",
    ),
    path("", include("flows.urls")),
    path("", include("flows.reviews.urls")),
    path("", include("flows.diagrams.urls")),
    path("", include("flows.reports.urls")),
    path("", include("flows.history.urls")),
    path("", include("flows.tables.urls")),
    path("", include("registry.onboarding.urls")),
    path("", include("registry.public.urls")),
    path("", include("registry.jobs.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

handler400 = views.bad_request
