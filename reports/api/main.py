"""Version 1 of the JSON API: the NinjaAPI instance, its JSON error answers and
its URLs, mounted at /api/v1/ by contest_portal.urls.

Read-only: every route answers GET only; any other method is a JSON 405 (after
Django's CSRF check, since our views are not exempt). No documentation page is
served: ninja's loads Swagger from a CDN, and the portal needs no network at run
time; the OpenAPI document at /api/v1/openapi.json is the documentation.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import JSONRenderer

from contest_portal.errors import RETRY_AFTER_SECONDS
from reports.api import private, public
from reports.api.auth import ApiError, RateLimitedError

DESCRIPTION = """API chỉ đọc của cổng thi trắc nghiệm trực tuyến, cho các hệ thống \
khác (ứng dụng của tỉnh, cổng thông tin, hệ thống báo cáo).

- Không cần mã truy cập: các cuộc thi, tuần thi công khai; kết quả tuần thi và kết \
quả giải tập thể đã phê duyệt (chỉ các cột công khai, như trang kết quả); danh sách \
đơn vị.
- Cần mã truy cập (`Authorization: Bearer <mã>`), do Ban Tổ chức cấp trong trang \
quản trị: số liệu tham gia theo đơn vị (quyền `participation`), danh sách kết quả có \
thông tin cá nhân (quyền `personal`). Mỗi mã chỉ xem được các đơn vị được cấp và \
đơn vị trực thuộc; mỗi lần dùng được ghi nhật ký.
- Lỗi trả về JSON có `detail` (tiếng Việt) và `code`: 401 thiếu mã hoặc mã không \
hợp lệ, hết hạn, bị thu hồi; 403 ngoài quyền hoặc ngoài đơn vị; 404 không có dữ \
liệu; 422 tham số sai; 429 gọi quá nhiều (xem tiêu đề Retry-After).
"""


class Utf8JSONRenderer(JSONRenderer):
    # Vietnamese readable as is, not as \\u escapes.
    json_dumps_params = {"ensure_ascii": False}


def _error(status: int, code: str, detail: str, **extra: object) -> JsonResponse:
    return JsonResponse(
        {"detail": detail, "code": code, **extra},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Any address under /api/v1/ that is no endpoint."""
    if request.method != "GET":
        return method_not_allowed()
    return _error(
        404,
        "not_found",
        _("Không có địa chỉ này trong API. Xem tài liệu tại /api/v1/openapi.json."),
    )


def method_not_allowed() -> HttpResponse:
    response = _error(405, "method_not_allowed", _("API chỉ cho phép đọc (GET)."))
    response["Allow"] = "GET"
    return response


def _read_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    # A new function, its attributes not copied: ninja marks its views
    # CSRF-exempt, this one is not.
    @wraps(view, assigned=("__module__", "__name__", "__qualname__"), updated=())
    def read_only(request: HttpRequest, *args: object, **kwargs: object):
        if request.method != "GET":
            return method_not_allowed()
        return view(request, *args, **kwargs)

    return read_only


# The document's answers described in Vietnamese, not as HTTP's English names.
RESPONSE_DESCRIPTIONS = {
    "200": "Thành công.",
    "401": "Thiếu mã truy cập, hoặc mã không hợp lệ, đã hết hạn, đã bị thu hồi.",
    "403": "Mã truy cập không có quyền này, hoặc đơn vị ngoài phạm vi của mã.",
    "404": "Không có dữ liệu (mã sai, chưa công bố hoặc chưa phê duyệt).",
    "422": "Tham số không hợp lệ.",
    "429": "Gọi quá nhiều trong một thời gian ngắn; chờ theo tiêu đề Retry-After.",
}


class PortalApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> dict:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if str(status) in RESPONSE_DESCRIPTIONS:
                        response["description"] = RESPONSE_DESCRIPTIONS[str(status)]
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern):
                # ninja's root raises a bare Http404, answered as an HTML page.
                view = not_found if pattern.name == "api-root" else pattern.callback
                pattern = URLPattern(
                    pattern.pattern,
                    _read_only(view),
                    pattern.default_args,
                    pattern.name,
                )
            patterns.append(pattern)
        return [*patterns, re_path(r"^.*$", not_found)]


api = PortalApi(
    title="API dữ liệu mở của cổng thi trắc nghiệm",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
    renderer=Utf8JSONRenderer(),
)
api.add_router("", public.router)
api.add_router("", private.router)


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    if isinstance(exc, RateLimitedError):
        response = _error(exc.status, exc.code, exc.detail, retry_after=exc.retry_after)
        response["Retry-After"] = str(exc.retry_after)
        return response
    response = _error(exc.status, exc.code, exc.detail)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        401,
        "token_invalid",
        _("Cần mã truy cập hợp lệ trong tiêu đề Authorization: Bearer <mã>."),
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = sorted(
        {".".join(str(part) for part in error.get("loc", ())) for error in exc.errors}
    )
    return _error(
        422, "invalid_params", _("Tham số không hợp lệ."), fields=list(fields)
    )


@api.exception_handler(Http404)
def missing(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(404, "not_found", _("Không tìm thấy dữ liệu."))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_away(request: HttpRequest, exc: Exception) -> HttpResponse:
    # As contest_portal.errors does for pages: an outage is a 503 to retry.
    response = _error(
        503, "unavailable", _("Máy chủ tạm thời không đọc được dữ liệu. Thử lại sau.")
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
