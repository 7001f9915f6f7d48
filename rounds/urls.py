from django.urls import path

from rounds import deep_links, views

app_name = "rounds"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-ky/", views.register, name="register"),
    path("cuoc-thi/<slug:slug>/", views.contest_detail, name="contest-detail"),
    path(
        "cuoc-thi/<slug:slug>/dang-ky/", views.contest_register, name="contest-register"
    ),
    # Deep links for other apps (rounds/deep_links.py, README "Tích hợp").
    path(
        "cuoc-thi/<slug:slug>/vong-hien-tai/",
        deep_links.current_round,
        name="contest-current-round",
    ),
    path(
        "cuoc-thi/<slug:slug>/ket-qua-cua-toi/",
        deep_links.my_latest_result,
        name="contest-my-result",
    ),
    path("tuan-thi/<id:round_id>/vao-thi/", views.attempt_start, name="attempt-start"),
    path("bai-thi/", views.attempt_list, name="attempt-list"),
    path("bai-thi/<str:public_id>/", views.attempt_page, name="attempt"),
    path("bai-thi/<str:public_id>/luu/", views.attempt_save, name="attempt-save"),
    path(
        "bai-thi/<str:public_id>/xem-lai/",
        views.attempt_summary,
        name="attempt-summary",
    ),
    path(
        "bai-thi/<str:public_id>/nop-bai/", views.attempt_submit, name="attempt-submit"
    ),
    path(
        "bai-thi/<str:public_id>/ket-qua/", views.attempt_result, name="attempt-result"
    ),
]
