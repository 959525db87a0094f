from django.urls import include, path

from flows import views
from flows.diagrams import views as diagram_views

urlpatterns = [
    path("flows/", views.flow_list, name="flow_list"),
    path("flows/<int:pk>/", views.flow_detail, name="flow_detail"),
    path("where/", views.where_data_goes, name="where_data_goes"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<str:rule>/<int:flow_id>/", views.finding_detail, name="finding_detail"),
    path("", include("flows.reviews.urls")),
    path("diagram/", diagram_views.register_diagram, name="register_diagram"),
    path("diagram/download.<str:fmt>", diagram_views.diagram_download, name="diagram_download"),
]
