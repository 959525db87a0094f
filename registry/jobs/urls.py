from django.urls import path

from registry.jobs import views

urlpatterns = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/result/", views.job_result, name="job_result"),
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/<str:token>/", views.import_preview, name="import_preview"),
    path("imports/<str:token>/discard/", views.import_discard, name="import_discard"),
    path("exports/", views.export_records, name="export_records"),
]
