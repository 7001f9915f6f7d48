"""Endpoints anyone may call: published contests and rounds, approved results with
the public columns only, approved collective results, and the unit list."""

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from awards import selectors as awards_selectors
from awards.paper import full_url
from reports.api import schemas
from reports.api.auth import ApiError, public_access
from reports.api.selectors import (
    contest_get,
    contest_list_public,
    result_approved,
    round_get,
    round_list_of,
    unit_list_active,
    unit_results_public,
)
from rounds.models import Contest, Round
from rounds.selectors import round_status

TAG = "Dữ liệu công khai"
# Ids as the portal's URLs take them (contest_portal.converters.ROW_ID): 18 digits.
MAX_ID = 10**18 - 1
MAX_PAGE = 1000
MAX_OFFSET = 10**9

PUBLIC_ERRORS = {
    404: schemas.ErrorOut,
    422: schemas.InvalidOut,
    429: schemas.RateLimitedOut,
}

router = Router(auth=public_access, tags=[TAG])


def contest_id_param() -> int:
    return Path(..., ge=1, le=MAX_ID, description="Mã cuộc thi.")


def round_id_param() -> int:
    return Path(..., ge=1, le=MAX_ID, description="Mã tuần thi.")


def offset_param() -> int:
    return Query(0, ge=0, le=MAX_OFFSET, description="Bỏ qua bao nhiêu dòng đầu.")


def limit_param() -> int:
    return Query(100, ge=1, le=MAX_PAGE, description="Số dòng tối đa của trang.")


def absolute(request: HttpRequest, path: str) -> str:
    """The portal's address of a page: the configured site's, else the one asked."""
    return full_url(path) if settings.SITE_URL else request.build_absolute_uri(path)


def contest_out(request: HttpRequest, contest: Contest) -> dict:
    return {
        "id": contest.pk,
        "slug": contest.slug,
        "title": contest.title,
        "organizer_name": contest.organizer_name,
        "summary": contest.summary,
        "rules": contest.rules,
        "page_url": absolute(
            request, reverse("rounds:contest-detail", args=[contest.slug])
        ),
    }


def round_out(request: HttpRequest, round_: Round, now: datetime) -> dict:
    return {
        "id": round_.pk,
        "contest_id": round_.contest_id,
        "name": round_.name,
        "stage": round_.stage,
        "opens_at": round_.opens_at,
        "closes_at": round_.closes_at,
        "status": round_status(round_=round_, now=now),
        "question_count": round_.question_count,
        "time_limit_seconds": round_.time_limit_seconds,
        "max_attempts": round_.max_attempts,
        "has_prediction": round_.has_prediction,
        "result_approved": result_approved(round_),
        "page_url": absolute(
            request, reverse("awards:round-results", kwargs={"round_id": round_.pk})
        ),
    }


def result_meta(round_: Round, *, count: int, offset: int, limit: int) -> dict:
    """An approved result's figures and versions; ApiError 404 while not approved."""
    result = awards_selectors.result_get_published(round_=round_)
    if result is None:
        raise ApiError(
            404,
            "result_not_approved",
            _("Kết quả tuần thi chưa được phê duyệt, công bố."),
        )
    return {
        "result": result,
        "round_id": round_.pk,
        "version": result.version,
        "approved_at": result.approved_at,
        "checksum": result.checksum,
        "participants": result.participants,
        "attempts": result.attempts,
        "perfect_people": result.perfect_people,
        "prediction_truth": result.prediction_truth,
        "revoked": [
            {"version": old.version, "revoked_at": old.revoked_at, "reason": old.reason}
            for old in awards_selectors.revoked_results(round_=round_)
        ],
        "count": count,
        "offset": offset,
        "limit": limit,
    }


@router.get(
    "/contests",
    response={200: list[schemas.ContestOut], **PUBLIC_ERRORS},
    operation_id="contest_list",
    summary="Các cuộc thi công khai",
)
def contest_list(request: HttpRequest) -> list[dict]:
    return [contest_out(request, contest) for contest in contest_list_public()]


@router.get(
    "/contests/{contest_id}",
    response={200: schemas.ContestDetailOut, **PUBLIC_ERRORS},
    operation_id="contest_detail",
    summary="Một cuộc thi và các tuần thi",
)
def contest_detail(request: HttpRequest, contest_id: int = contest_id_param()) -> dict:
    contest = contest_get(contest_id=contest_id)
    now = timezone.now()
    return {
        **contest_out(request, contest),
        "rounds": [
            round_out(request, round_, now) for round_ in round_list_of(contest=contest)
        ],
    }


@router.get(
    "/contests/{contest_id}/unit-results",
    response={200: schemas.UnitResultOut, **PUBLIC_ERRORS},
    operation_id="contest_unit_results",
    summary="Kết quả giải tập thể đã phê duyệt",
)
def contest_unit_results(
    request: HttpRequest, contest_id: int = contest_id_param()
) -> dict:
    contest = contest_get(contest_id=contest_id)
    result = awards_selectors.unit_result_get_published(contest=contest)
    if result is None:
        raise ApiError(
            404,
            "unit_result_not_approved",
            _("Kết quả giải tập thể chưa được phê duyệt, công bố."),
        )
    return {
        "contest_id": contest.pk,
        "approved_at": result.approved_at,
        "checksum": result.checksum,
        "items": list(unit_results_public(result=result)),
    }


@router.get(
    "/rounds/{round_id}",
    response={200: schemas.RoundOut, **PUBLIC_ERRORS},
    operation_id="round_detail",
    summary="Một tuần thi",
)
def round_detail(request: HttpRequest, round_id: int = round_id_param()) -> dict:
    return round_out(request, round_get(round_id=round_id), timezone.now())


@router.get(
    "/rounds/{round_id}/results",
    response={200: schemas.RoundResultOut, **PUBLIC_ERRORS},
    operation_id="round_results",
    summary="Kết quả tuần thi đã phê duyệt (các cột công khai)",
    description="Chỉ phiên bản danh sách đang có hiệu lực; không có số điện thoại, "
    "email, số CCCD hay ngày sinh.",
)
def round_results(
    request: HttpRequest,
    round_id: int = round_id_param(),
    offset: int = offset_param(),
    limit: int = limit_param(),
) -> dict:
    round_ = round_get(round_id=round_id)
    meta = result_meta(round_, count=0, offset=offset, limit=limit)
    rows = awards_selectors.result_rows_public(result=meta.pop("result"))
    meta["count"] = rows.count()
    meta["items"] = list(rows[offset : offset + limit])
    return meta


@router.get(
    "/units",
    response={200: list[schemas.UnitOut], **PUBLIC_ERRORS},
    operation_id="unit_list",
    summary="Danh sách đơn vị đang hoạt động",
)
def unit_list(request: HttpRequest) -> list[dict]:
    return list(unit_list_active().values("id", "code", "name", "level", "parent_id"))
