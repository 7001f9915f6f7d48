"""Helpers shared by the report tests: attempts, results, permissions, reading back."""

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Permission
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import User
from awards import services
from awards.models import PrizeTier, RoundResult
from quizzes.models import QuestionRevision
from rounds.models import Attempt, Round
from tests.factories import make_finished_attempt

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(day: int, hour: int = 10, minute: int = 0, month: int = 9) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=VN)


OPENS = vn(9, 7, 30)
CLOSES = vn(29, 23, 50)
AFTER_CLOSE = vn(30, 8)


def grant(user: User, *codenames: str) -> User:
    """Give the user reports permissions; a fresh copy so no permission cache lingers."""
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=codenames, content_type__app_label="reports"
        )
    )
    return User.objects.get(pk=user.pk)


def finished(
    user: User,
    round_: Round,
    revisions: Sequence[QuestionRevision],
    *,
    correct: int,
    at: datetime | None = None,
    duration_ms: int = 60_000,
    prediction: int | None = None,
    is_practice: bool = False,
    answered: int | None = None,
) -> Attempt:
    """A finished attempt on the first 5 revisions: the first `correct` right,
    then wrong ones up to `answered` (all by default), the rest unanswered."""
    return make_finished_attempt(
        user,
        round_,
        revisions[:5],
        correct=correct,
        at=at or vn(10),
        duration_ms=duration_ms,
        prediction=prediction,
        is_practice=is_practice,
        answered=answered,
    )


def tier(contest, name: str, count: int, order: int, **extra: Any) -> PrizeTier:
    return PrizeTier.objects.create(
        contest=contest,
        kind=extra.pop("kind", PrizeTier.Kind.INDIVIDUAL),
        name=name,
        count=count,
        amount_vnd=extra.pop("amount_vnd", 1_000_000 * (4 - order)),
        order=order,
        **extra,
    )


def compute(round_: Round, actor: User) -> RoundResult:
    return services.result_compute(round_=round_, actor=actor, now=AFTER_CLOSE)


def open_workbook(data: bytes | io.BytesIO) -> Worksheet:
    """The first sheet of an .xlsx read back from bytes."""
    stream = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    stream.seek(0)
    return load_workbook(stream).worksheets[0]


def header_row(ws: Worksheet) -> int:
    """The header sits just above the frozen panes."""
    return int(ws.freeze_panes.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - 1


def headers(ws: Worksheet) -> list[str]:
    return [cell.value for cell in ws[header_row(ws)]]


def records(ws: Worksheet) -> list[dict[str, Any]]:
    """Data rows as header -> value dictionaries."""
    names = headers(ws)
    return [
        dict(zip(names, row, strict=False))
        for row in ws.iter_rows(min_row=header_row(ws) + 1, values_only=True)
    ]


def cells(ws: Worksheet, header: str) -> list:
    """The cell objects of one column, data rows only."""
    column = headers(ws).index(header) + 1
    return [
        ws.cell(row=r, column=column) for r in range(header_row(ws) + 1, ws.max_row + 1)
    ]
