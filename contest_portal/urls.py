from django.contrib import admin
from django.urls import include, path, register_converter

from contest_portal.converters import RowIdConverter
from contest_portal.ops.probes import healthz, readyz
from reports.api.main import api as reports_api

# Registered before include() below imports the apps' URL modules.
register_converter(RowIdConverter, "id")

# A database outage answers 503 with Retry-After; anything else, the 500 page.
handler500 = "contest_portal.errors.server_error"

admin.site.site_header = "Quản trị cuộc thi trắc nghiệm trực tuyến"
admin.site.site_title = "Quản trị cuộc thi"
admin.site.index_title = "Quản lý cuộc thi, câu hỏi, thí sinh"

urlpatterns = [
    # Answered earlier by contest_portal.ops.probes.ProbesMiddleware; named here.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # The contestants' pages first: their requests are most of the traffic, and a
    # URL is matched against the patterns in order. No other prefix overlaps them.
    path("", include("rounds.urls")),
    path("quan-tri/", admin.site.urls),
    # Outside any namespace: django-allauth reverses its URL names as they are.
    path("tai-khoan/oidc/", include("accounts.oidc_urls")),
    path("tai-khoan/", include("accounts.urls")),
    path("ket-qua/", include("awards.urls")),
    path("giay-chung-nhan/", include("awards.certificate_urls")),
    path("bao-cao/", include("reports.urls")),
    path("api/v1/", reports_api.urls),  # the read-only JSON API (reports.api)
]
