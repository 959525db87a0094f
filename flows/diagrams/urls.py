from django.urls import path

from flows.diagrams import views

urlpatterns = [
    path("diagram/", views.register_diagram, name="register_diagram"),
    path("diagram/download.<str:fmt>", views.diagram_download, name="diagram_download"),
]
