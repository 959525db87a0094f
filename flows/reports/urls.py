from django.urls import path

from flows.reports import views

urlpatterns = [
    path("registers/", views.register_exports, name="register_exports"),
]
