"""Addresses of the onboarding: /onboardings/ for staff; for the vendor, its e-mailed link
/onboarding/<link>/, which opens a session and leads to /onboarding/vendor/ (no token)."""

from django.urls import path

from registry.onboarding import views

urlpatterns = [
    path("onboardings/", views.onboarding_list, name="onboarding_list"),
    path("onboardings/start/", views.onboarding_start, name="onboarding_start"),
    path("onboardings/<int:pk>/", views.onboarding_detail, name="onboarding_detail"),
    path("onboardings/<int:pk>/revoke/", views.onboarding_revoke, name="onboarding_revoke"),
    path("onboardings/<int:pk>/reissue/", views.onboarding_reissue, name="onboarding_reissue"),
    path("onboardings/<int:pk>/decide/", views.onboarding_decide, name="onboarding_decide"),
    path(
        "onboardings/documents/<int:pk>/",
        views.onboarding_document,
        name="onboarding_document",
    ),
    # Before the link's pattern: "vendor" is never a signed token (those hold colons).
    path("onboarding/vendor/", views.vendor_home, name="onboarding_vendor_home"),
    path("onboarding/vendor/review/", views.vendor_review, name="onboarding_vendor_review"),
    path("onboarding/vendor/submit/", views.vendor_submit, name="onboarding_vendor_submit"),
    path("onboarding/vendor/<slug:step>/", views.vendor_step, name="onboarding_vendor_step"),
    path("onboarding/<str:token>/", views.vendor_link, name="onboarding_vendor_link"),
]
