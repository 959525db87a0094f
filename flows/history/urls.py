from django.urls import path

from flows.history import views

urlpatterns = [
    path("register/as-of/", views.register_as_of_view, name="register_as_of"),
]
