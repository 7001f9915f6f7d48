from django.urls import path

from awards import views

app_name = "awards"

urlpatterns = [
    path("tuan-thi/<id:round_id>/", views.round_results, name="round-results"),
    path("tap-the/<slug:slug>/", views.unit_results, name="unit-results"),
]
