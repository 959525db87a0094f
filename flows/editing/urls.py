"""The edit pages' addresses. Included before `parties/<slug>/` and `agreements/<reference>/`
so that `new` and `search` are pages, never a slug or a reference (they are reserved)."""

from django.urls import path

from flows.editing import views

urlpatterns = [
    path("parties/new/", views.party_new, name="party_new"),
    path("parties/search/", views.party_search, name="party_search"),
    path("parties/<slug:slug>/edit/", views.party_edit, name="party_edit"),
    path("parties/<slug:slug>/offboard/", views.party_offboard_page, name="party_offboard"),
    path("agreements/new/", views.agreement_new, name="agreement_new"),
    path("agreements/<slug:reference>/edit/", views.agreement_edit, name="agreement_edit"),
    path(
        "agreements/<slug:reference>/terminate/",
        views.agreement_terminate_page,
        name="agreement_terminate",
    ),
    path("engagements/new/", views.engagement_new, name="engagement_new"),
    path("engagements/<int:pk>/edit/", views.engagement_edit, name="engagement_edit"),
    path("engagements/<int:pk>/end/", views.engagement_end_page, name="engagement_end"),
    path("flows/new/", views.flow_new, name="flow_new"),
    path("flows/<int:pk>/edit/", views.flow_edit, name="flow_edit"),
    path("flows/<int:pk>/end/", views.flow_end_page, name="flow_end"),
]
