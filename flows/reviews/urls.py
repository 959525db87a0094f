from django.urls import path

from flows.reviews import views

urlpatterns = [
    path("reviews/", views.review_queue, name="review_queue"),
    path("reviews/<str:rule>/<int:flow_id>/", views.review_detail, name="review_detail"),
    path(
        "reviews/<str:rule>/<int:flow_id>/decide/", views.review_decide_view, name="review_decide"
    ),
]
