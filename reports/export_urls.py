"""Excel downloads, included under the "reports" namespace at xuat/."""

from django.urls import path

from reports import export_views

urlpatterns = [
    path("", export_views.export_list, name="export-list"),
    path(
        "tuan-thi/<id:round_id>/dat-giai.xlsx",
        export_views.export_winners,
        name="export-winners",
    ),
    path(
        "tuan-thi/<id:round_id>/dat-giai-ban-in.<str:fmt>",
        export_views.export_winners_printed,
        name="export-winners-printed",
    ),
    path(
        "cuoc-thi/<slug:slug>/tap-the-dat-giai-ban-in.<str:fmt>",
        export_views.export_unit_winners_printed,
        name="export-unit-winners-printed",
    ),
    path(
        "tuan-thi/<id:round_id>/xep-hang.pdf",
        export_views.export_ranking_pdf,
        name="export-ranking-pdf",
    ),
    path(
        "tuan-thi/<id:round_id>/xep-hang.xlsx",
        export_views.export_ranking,
        name="export-ranking",
    ),
    path(
        "tuan-thi/<id:round_id>/cau-hoi.xlsx",
        export_views.export_questions,
        name="export-questions",
    ),
    path(
        "cuoc-thi/<slug:slug>/don-vi.xlsx",
        export_views.export_units,
        name="export-units",
    ),
    path(
        "cuoc-thi/<slug:slug>/cau-hoi.xlsx",
        export_views.export_contest_questions,
        name="export-contest-questions",
    ),
    path(
        "cuoc-thi/<slug:slug>/thi-sinh.xlsx",
        export_views.export_contestants,
        name="export-contestants",
    ),
    path(
        "ngan-hang-cau-hoi.xlsx",
        export_views.export_bank,
        name="export-bank",
    ),
    path("nen/", export_views.export_job_start, name="export-job-start"),
    path("viec/<id:job_id>/", export_views.export_job, name="export-job"),
    path(
        "viec/<id:job_id>/tai-ve/",
        export_views.export_job_download,
        name="export-job-download",
    ),
]
