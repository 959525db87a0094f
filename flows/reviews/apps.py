from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "flows.reviews"
    label = "reviews"
    verbose_name = "Legal review"
