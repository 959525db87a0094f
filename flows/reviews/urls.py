"""Addresses of legal review, the registers and the history pages (included by flows.urls)."""

from django.urls import path

from flows.history import views as history_views
from flows.reports import views as report_views
from flows.reviews import views as review_views

urlpatterns = [
    path("reviews/", review_views.review_queue, name="review_queue"),
    path("reviews/<str:rule>/<int:flow_id>/", review_views.review_detail, name="review_detail"),
    path(
        "reviews/<str:rule>/<int:flow_id>/decide/",
        review_views.review_decide_view,
        name="review_decide",
    ),
    path("registers/", report_views.register_exports, name="register_exports"),
    path("register/as-of/", history_views.register_as_of_view, name="register_as_of"),
]
