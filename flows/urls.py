from django.urls import path

from flows import views

urlpatterns = [
    path("flows/", views.flow_list, name="flow_list"),
    path("flows/<int:pk>/", views.flow_detail, name="flow_detail"),
    path("where/", views.where_data_goes, name="where_data_goes"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<str:rule>/<int:flow_id>/", views.finding_detail, name="finding_detail"),
]
