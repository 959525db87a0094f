from django.urls import path

from flows import views

urlpatterns = [
    path("flows/", views.flow_list, name="flow_list"),
    path("flows/<int:pk>/", views.flow_detail, name="flow_detail"),
]
