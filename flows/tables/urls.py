from django.urls import path

from flows.tables import views

urlpatterns = [
    path("tables/", views.table_index, name="table_index"),
    path("tables/<slug:table>/", views.table_list, name="table_list"),
    path("tables/<slug:table>/new/", views.table_add, name="table_add"),
    path("tables/<slug:table>/<int:pk>/", views.table_entry, name="table_entry"),
    path("tables/<slug:table>/<int:pk>/delete/", views.table_delete, name="table_delete"),
]
