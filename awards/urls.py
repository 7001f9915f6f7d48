from django.urls import path, re_path

from awards import paper_views, views
from contest_portal.converters import ROW_ID

app_name = "awards"

urlpatterns = [
    path("tuan-thi/<id:round_id>/", views.round_results, name="round-results"),
    path("tap-the/<slug:slug>/", views.unit_results, name="unit-results"),
    re_path(
        rf"^chia-se/(?P<row_id>{ROW_ID})/(?P<share_token>[0-9a-f]{{32}})/$",
        views.result_share,
        name="result-share",
    ),
    path("kiem-tra/", paper_views.list_check, name="list-check-search"),
    re_path(
        r"^kiem-tra/(?P<checksum>[0-9a-f]{64})/$",
        paper_views.list_check,
        name="list-check",
    ),
]
