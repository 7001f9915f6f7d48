from django.urls import path

from awards import certificate_views as views

app_name = "certificates"

urlpatterns = [
    path("cua-toi/", views.certificate_list_mine, name="mine"),
    path("tai-ve/<str:code>/", views.certificate_download, name="download"),
    path("xac-minh/", views.certificate_verify, name="verify"),
]
