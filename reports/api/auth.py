"""Who may call an endpoint: anyone (counted per address) or a bearer token with
the endpoint's scope (counted per token). Refusals are ApiError, answered as JSON by
reports.api.main."""

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from contest_portal import ratelimit
from reports.api.tokens import api_token_find
from reports.models import ApiToken

RATE_SCOPE = "api"


class ApiError(Exception):
    """An answer other than 200: its status, a fixed code and a Vietnamese detail."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = str(detail)


class RateLimitedError(ApiError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            429,
            "rate_limited",
            _("Quá nhiều yêu cầu. Vui lòng chờ %(seconds)d giây rồi gọi lại.")
            % {"seconds": retry_after},
        )
        self.retry_after = retry_after


def public_access(request: HttpRequest) -> bool:
    """Every caller may read; each address within RATE_LIMITS["api"]["ip"]."""
    wait = ratelimit.check_request(request, RATE_SCOPE)
    if wait is not None:
        raise RateLimitedError(wait)
    return True


def _token_over_limit(token: ApiToken) -> int | None:
    if not getattr(settings, "RATE_LIMIT_ENABLED", True):
        return None
    limit, seconds = settings.RATE_LIMITS[RATE_SCOPE]["token"]
    return ratelimit.over_limit(
        scope=RATE_SCOPE,
        kind="token",
        ident=str(token.pk),
        limit=limit,
        seconds=seconds,
    )


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`, the token live and holding `scope`."""

    openapi_description = (
        "Mã truy cập do Ban Tổ chức cấp trong trang quản trị (mục “Mã truy cập dữ "
        "liệu”), gửi trong tiêu đề Authorization: Bearer <mã>."
    )

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_find(secret=token.strip())
        if found is None:
            return None  # answered 401 by the AuthenticationError handler
        if found.revoked_at is not None:
            raise ApiError(401, "token_revoked", _("Mã truy cập đã bị thu hồi."))
        if found.expires_at <= timezone.now():
            raise ApiError(401, "token_expired", _("Mã truy cập đã hết hạn."))
        wait = _token_over_limit(found)
        if wait is not None:
            raise RateLimitedError(wait)
        if self.scope not in (found.scopes or []):
            raise ApiError(
                403,
                "scope_missing",
                _("Mã truy cập không có quyền đọc dữ liệu này."),
            )
        return found
