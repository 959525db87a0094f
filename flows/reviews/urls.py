from django.urls import path

from flows.reviews import finding_views, views

urlpatterns = [
    path("flows/<int:pk>/", finding_views.flow_detail, name="flow_detail"),
    path("findings/", finding_views.finding_list, name="finding_list"),
    path("findings/<str:rule>/<int:flow_id>/", finding_views.finding_detail, name="finding_detail"),
    path("reviews/", views.review_queue, name="review_queue"),
    path("reviews/decide/", views.review_bulk, name="review_bulk"),
    path("reviews/<str:rule>/<int:flow_id>/", views.review_detail, name="review_detail"),
    path(
        "reviews/<str:rule>/<int:flow_id>/decide/", views.review_decide_view, name="review_decide"
    ),
    path(
        "reviews/<str:rule>/<int:flow_id>/confirm/",
        views.review_confirm_view,
        name="review_confirm",
    ),
]
