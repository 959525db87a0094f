from django.urls import path

from flows import views

urlpatterns = [
    path("flows/", views.flow_list, name="flow_list"),
    # The flow's page and the findings pages show review states: flows/reviews/urls.py.
    path("where/", views.where_data_goes, name="where_data_goes"),
]
