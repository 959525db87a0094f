"""Addresses of the onboarding: /onboardings/ for staff, /onboarding/<link>/ for the vendor."""

from django.urls import path

from registry.onboarding import views

urlpatterns = [
    path("onboardings/", views.onboarding_list, name="onboarding_list"),
    path("onboardings/start/", views.onboarding_start, name="onboarding_start"),
    path("onboardings/<int:pk>/", views.onboarding_detail, name="onboarding_detail"),
    path("onboardings/<int:pk>/revoke/", views.onboarding_revoke, name="onboarding_revoke"),
    path("onboardings/<int:pk>/decide/", views.onboarding_decide, name="onboarding_decide"),
    path(
        "onboardings/documents/<int:pk>/",
        views.onboarding_document,
        name="onboarding_document",
    ),
    path("onboarding/<str:token>/", views.vendor_home, name="onboarding_vendor_home"),
    path("onboarding/<str:token>/submit/", views.vendor_submit, name="onboarding_vendor_submit"),
    path(
        "onboarding/<str:token>/<slug:step>/",
        views.vendor_step,
        name="onboarding_vendor_step",
    ),
]
