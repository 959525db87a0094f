from django.urls import path

from flows.history import views

urlpatterns = [
    path("register/as-of/", views.register_as_of_view, name="register_as_of"),
    path("history/party/<slug:slug>/", views.party_history, name="party_history"),
    path("history/agreement/<slug:reference>/", views.agreement_history, name="agreement_history"),
    path("history/flow/<int:pk>/", views.flow_history, name="flow_history"),
]
