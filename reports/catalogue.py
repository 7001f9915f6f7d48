"""The one catalogue of exports: each kind's title and writer, looked up by the
download views (reports.export_views) and the background jobs (reports.job_runs)
alike, so a list has the same name and content however it is asked for."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from awards.models import RoundResult
from contest_portal.converters import row_id
from reports import exports, printed
from rounds.models import Contest, Round

Write = Callable[[IO[bytes]], int]

KINDS = frozenset(
    {
        "winners",
        "ranking",
        "ranking-pdf",
        "questions",
        "units",
        "contest-questions",
        "contestants",
        "bank",
    }
)
PERSONAL_KINDS = frozenset({"contestants"})
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True, slots=True)
class Prepared:
    description: str
    write: Write
    extension: str = "xlsx"  # a key of CONTENT_TYPES


def _key_id(key: str) -> int:
    """The round id an export's key names; Http404 when it names none."""
    found = row_id(key)
    if found is None:
        raise Http404
    return found


def _result(key: str) -> RoundResult:
    return get_object_or_404(
        RoundResult.objects.select_related("round__contest"), round_id=_key_id(key)
    )


def prepare(*, kind: str, key: str, personal: bool, by: User) -> Prepared:
    """The description and writer of one export; Http404 for an unknown target."""
    if kind not in KINDS:
        raise ValueError(f"unknown export kind: {kind!r}")
    if kind == "winners":
        result = _result(key)
        suffix = " (có thông tin cá nhân)" if personal else ""
        return Prepared(
            f"Danh sách đạt giải{suffix} - {result.round}",
            lambda t: exports.winners_export(
                result=result, target=t, by=by, include_personal=personal
            ),
        )
    if kind == "ranking":
        result = _result(key)
        return Prepared(
            f"Bảng xếp hạng - {result.round}",
            lambda t: exports.ranking_export(result=result, target=t, by=by),
        )
    if kind == "ranking-pdf":
        result = _result(key)
        return Prepared(
            f"Bảng xếp hạng (bản in PDF) - {result.round}",
            lambda t: printed.ranking_pdf(result=result, target=t),
            extension="pdf",
        )
    if kind == "questions":
        round_ = get_object_or_404(
            Round.objects.select_related("contest"), pk=_key_id(key)
        )
        return Prepared(
            f"Thống kê câu hỏi - {round_}",
            lambda t: exports.questions_export(round_=round_, target=t, by=by),
        )
    contest_kinds = {
        "units": ("Tham gia theo đơn vị", exports.units_export),
        "contest-questions": ("Thống kê câu hỏi", exports.questions_export),
        "contestants": ("Danh sách thí sinh", exports.contestants_export),
    }
    if kind in contest_kinds:
        contest = get_object_or_404(Contest, slug=key)
        title, function = contest_kinds[kind]
        return Prepared(
            f"{title} - {contest}",
            lambda t: function(contest=contest, target=t, by=by),
        )
    if kind == "bank":
        return Prepared(
            "Ngân hàng câu hỏi", lambda t: exports.bank_export(target=t, by=by)
        )
    raise ValueError(f"unknown export kind: {kind!r}")
