from django.urls import include, path

from reports import views

app_name = "reports"

urlpatterns = [
    path("bang-dieu-khien/", views.dashboard, name="dashboard"),
    path("xuat/", include("reports.export_urls")),
]
