"""Endpoints that need a token: per-unit participation (scope "participation") and
an approved result with personal columns (scope "personal"), both limited to the
token's units and their sub-units, each use logged like a download."""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from accounts.models import Unit
from reports.api import schemas
from reports.api.auth import ApiError, TokenAuth
from reports.api.public import (
    MAX_ID,
    PUBLIC_ERRORS,
    contest_id_param,
    limit_param,
    offset_param,
    result_meta,
    round_id_param,
)
from reports.api.selectors import (
    contest_get,
    participation_get,
    personal_row,
    result_rows_personal,
    round_get,
)
from reports.api.tokens import api_token_roots, api_token_use_log, unit_seen
from reports.models import ApiToken
from rounds.models import Round

TAG = "Cần mã truy cập"
TOKEN_ERRORS = {
    **PUBLIC_ERRORS,
    401: schemas.ErrorOut,
    403: schemas.ErrorOut,
}

router = Router(tags=[TAG])


def unit_id_param() -> int | None:
    return Query(
        None,
        ge=1,
        le=MAX_ID,
        description="Chỉ một đơn vị (và các đơn vị trực thuộc) trong phạm vi của mã.",
    )


def _roots(token: ApiToken, unit_id: int | None) -> list[Unit] | None:
    """The token's subtrees, or the one asked for when the token may see it."""
    roots = api_token_roots(token=token)
    if unit_id is None:
        return roots
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    if not unit.path or not unit_seen(roots=roots, unit=unit):
        raise ApiError(
            403,
            "unit_out_of_scope",
            _("Mã truy cập không được xem số liệu của đơn vị này."),
        )
    return [unit]


@router.get(
    "/contests/{contest_id}/participation",
    auth=TokenAuth(ApiToken.Scope.PARTICIPATION),
    response={200: schemas.ParticipationOut, **TOKEN_ERRORS},
    operation_id="contest_participation",
    summary="Tham gia theo đơn vị (cần quyền participation)",
    description="Số người dự thi, số lượt thi và tỷ lệ tham gia của từng đơn vị "
    "trong phạm vi của mã truy cập, như bảng điều khiển của cổng thi (số liệu "
    "được lưu tạm tối đa một phút).",
)
def contest_participation(
    request: HttpRequest,
    contest_id: int = contest_id_param(),
    round_id: int | None = Query(
        None, ge=1, le=MAX_ID, description="Chỉ tính một tuần thi của cuộc thi."
    ),
    unit_id: int | None = unit_id_param(),
) -> dict:
    token: ApiToken = request.auth
    contest = contest_get(contest_id=contest_id, published_only=False)
    round_ = None
    if round_id is not None:
        round_ = Round.objects.filter(pk=round_id, contest=contest).first()
        if round_ is None:
            raise Http404
    roots = _roots(token, unit_id)
    figures = participation_get(contest=contest, round_=round_, roots=roots)
    units = [
        {
            "unit_id": rate.unit_id,
            "name": rate.name,
            "level": rate.level,
            "own_headcount": rate.own_headcount,
            "headcount": rate.headcount,
            "participants": rate.participants,
            "rate_participants": rate.rate_participants,
            "rate_percent": rate.rate_percent,
            "below_target": rate.below_target,
        }
        for board in figures.boards
        for rate in board.unit_rates
    ]
    api_token_use_log(
        token=token,
        kind="participation",
        description=_("API: tham gia theo đơn vị - %(what)s")
        % {"what": round_ or contest},
        rows=len(units),
        personal=False,
    )
    return {
        "contest_id": contest.pk,
        "round_id": round_.pk if round_ else None,
        "target_percent": contest.participation_target_percent,
        "participants": figures.participants,
        "attempts": figures.attempts,
        "units": units,
    }


@router.get(
    "/rounds/{round_id}/results/personal",
    auth=TokenAuth(ApiToken.Scope.PERSONAL),
    response={200: schemas.PersonalResultOut, **TOKEN_ERRORS},
    operation_id="round_results_personal",
    summary="Kết quả tuần thi có thông tin cá nhân (cần quyền personal)",
    description="Danh sách đầy đủ đã phê duyệt, kèm ngày sinh, số điện thoại, "
    "email, số CCCD, chỉ của thí sinh thuộc các đơn vị trong phạm vi của mã.",
)
def round_results_personal(
    request: HttpRequest,
    round_id: int = round_id_param(),
    offset: int = offset_param(),
    limit: int = limit_param(),
    unit_id: int | None = unit_id_param(),
) -> dict:
    token: ApiToken = request.auth
    round_ = round_get(round_id=round_id, published_only=False)
    roots = _roots(token, unit_id)
    meta = result_meta(round_, count=0, offset=offset, limit=limit)
    rows = result_rows_personal(result=meta.pop("result"), roots=roots)
    meta["count"] = rows.count()
    meta["items"] = [personal_row(row) for row in rows[offset : offset + limit]]
    api_token_use_log(
        token=token,
        kind="personal-results",
        description=_("API: kết quả có thông tin cá nhân - %(what)s")
        % {"what": round_},
        rows=len(meta["items"]),
        personal=True,
    )
    return meta
