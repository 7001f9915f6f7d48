"""The ranking in the database: each person's counted attempt, ordered by the
one definition of the criteria (awards.ranking), its statistics, the live top."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    Max,
    Min,
    OrderBy,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Abs, RowNumber
from django.utils import timezone

from accounts.models import User
from awards import ranking
from awards.selectors.result_page import RoundRanking, round_ranking_get
from awards.selectors.rules import ranking_rules_get, readable_rules
from rounds.models import Attempt, Round

COUNTED_FIELDS = (
    "pk",
    "user_id",
    "number",
    "correct_count",
    "question_count",
    "prediction",
    "duration_ms",
    "submitted_at",
    "gap",
    "attempts_used",
)


RANKING_FIELDS = (
    *COUNTED_FIELDS,
    "user__date_joined",
    "user__full_name",
    "user__date_of_birth",
    "user__is_staff",
    "user__is_superuser",
    "user__occupation",
    "user__unit_id",
    "user__unit__name",
    "user__unit__path",
)


RANK_KEY_COLUMNS = {
    "attempt_id": "pk",
    "correct": "correct_count",
    "prediction_gap": "gap",
    "duration_ms": "duration_ms",
    "submitted_at": "submitted_at",
    "attempts_used": "attempts_used",
    "registered_at": "user__date_joined",
}


def counted_attempt_of(
    *,
    round_: Round,
    attempts: Sequence[Attempt],
    settings: RoundRanking | None = None,
) -> tuple[Attempt | None, str]:
    """Which of one person's attempts in the round counts, by the contest's rules
    (the attempt its ranking would count, with the round's truth once computed),
    and the counted-attempt policy that chose it. ``settings``: the round's ranking
    settings when the caller has read them already (the result page)."""
    if settings is None:
        settings = round_ranking_get(round_=round_)
    policy, order = readable_rules(settings.counted_attempt, settings.order)
    by_id = {
        a.pk: a
        for a in attempts
        if a.status == Attempt.Status.FINISHED and not a.is_practice
    }
    counted = ranking.counted_attempts(
        [
            ranking.Entry(
                attempt_id=a.pk,
                person_id=a.user_id,
                correct=a.correct_count,
                question_count=a.question_count,
                prediction=a.prediction,
                duration_ms=a.duration_ms,
                submitted_at=a.submitted_at,
                registered_at=a.submitted_at,  # constant within one person
            )
            for a in by_id.values()
        ],
        policy=policy,
        order=order,
        truth=settings.truth if round_.has_prediction else None,
    )
    return (by_id[counted[0].attempt_id] if counted else None), policy


def _order_keys(
    order: Sequence[str], *, within_person: bool, has_truth: bool
) -> list[tuple[str, bool]]:
    """ranking.order_keys as (column of RANKING_FIELDS, descending) pairs."""
    return [
        (RANK_KEY_COLUMNS[key], descending)
        for key, descending in ranking.order_keys(
            order, within_person=within_person, has_truth=has_truth
        )
    ]


def _columns(keys: Sequence[tuple[str, bool]]) -> list[OrderBy]:
    return [
        F(RANK_KEY_COLUMNS[key]).desc()
        if descending
        else F(RANK_KEY_COLUMNS[key]).asc()
        for key, descending in keys
    ]


def _order_by(
    order: Sequence[str], *, within_person: bool, has_truth: bool
) -> list[OrderBy]:
    return _columns(
        ranking.order_keys(order, within_person=within_person, has_truth=has_truth)
    )


def ranking_order_sql(order: Sequence[str], *, has_truth: bool, alias: str) -> str:
    """The same order as round_ranking_rows, as SQL over that query's columns when it
    is used as a subquery named `alias`: for ranking rows in the database itself."""
    quote = connection.ops.quote_name
    return ", ".join(
        f"{alias}.{quote(name)} {'DESC' if descending else 'ASC'}"
        for name, descending in _order_keys(
            order, within_person=False, has_truth=has_truth
        )
    )


def _gap(truth: int | None):
    if truth is None:
        return Value(0, output_field=BigIntegerField())
    return Case(
        When(
            prediction__isnull=True,
            then=Value(ranking.MISSING_PREDICTION_GAP, output_field=BigIntegerField()),
        ),
        default=Abs(F("prediction") - Value(truth)),
        output_field=BigIntegerField(),
    )


def _finished(round_: Round) -> QuerySet:
    """The round's finished, ranked attempts: what the attempt_ranked index holds."""
    return Attempt.objects.filter(
        round=round_, status=Attempt.Status.FINISHED, is_practice=False
    )


def _pick_order(order: Sequence[str], policy: str, truth: int | None) -> list:
    return _columns(ranking.pick_keys(policy, order=order, has_truth=truth is not None))


def _with_keys(attempts: QuerySet, truth: int | None) -> QuerySet:
    """Each attempt with its prediction gap and its person's attempts used."""
    return attempts.annotate(
        gap=_gap(truth),
        attempts_used=Window(Count("pk"), partition_by=[F("user_id")]),
    )


def _counted_attempts(
    *, round_: Round, order: Sequence[str], policy: str, truth: int | None
) -> QuerySet:
    """Each person's counted attempt, with its prediction gap and attempts used."""
    return (
        _with_keys(_finished(round_), truth)
        .annotate(
            pick=Window(
                RowNumber(),
                partition_by=[F("user_id")],
                order_by=_pick_order(order, policy, truth),
            ),
        )
        .filter(pick=1)
    )


def round_ranking_rows(
    *, round_: Round, order: Sequence[str], policy: str, truth: int | None
) -> QuerySet:
    """The full ranking in one query: each person's counted attempt, best first.

    Implements awards.ranking in SQL with window functions (PostgreSQL and SQLite).
    """
    return (
        _counted_attempts(round_=round_, order=order, policy=policy, truth=truth)
        .order_by(*_order_by(order, within_person=False, has_truth=truth is not None))
        .values(*RANKING_FIELDS)
    )


def round_counted_attempts(
    *, round_: Round, order: Sequence[str], policy: str, truth: int | None
) -> QuerySet:
    """Each person's counted attempt without the person's details, in no order: the
    source a stored result joins its people to once the attempts are picked."""
    if connection.vendor == "postgresql":
        # The same pick as _counted_attempts, as each person's first attempt in the
        # pick order (DISTINCT ON): the attempts come in person order from the
        # attempt_ranked index, and are not all numbered to keep the first ones.
        return (
            _with_keys(_finished(round_), truth)
            .order_by(F("user_id").asc(), *_pick_order(order, policy, truth))
            .distinct("user_id")
            .values(*COUNTED_FIELDS)
        )
    return (
        _counted_attempts(round_=round_, order=order, policy=policy, truth=truth)
        .order_by()
        .values(*COUNTED_FIELDS)
    )


@dataclass(frozen=True, slots=True)
class RoundStats:
    participants: int
    attempts: int
    perfect_people: int


def round_stats(*, round_: Round, order: Sequence[str], policy: str) -> RoundStats:
    """Participants, finished attempts and people whose counted attempt (chosen with
    the prediction neutral) has every answer correct."""
    order = ranking.validate_order(order)
    attempts = _finished(round_)
    if policy == ranking.BEST and order and order[0] == ranking.CORRECT:
        # The counted attempt has the person's most correct answers. When every
        # attempt has the same number of questions it is perfect exactly when one of
        # theirs is: one grouped pass, no window to sort a million attempts for.
        per_person = attempts.values("user_id").annotate(
            used=Count("pk"),
            perfect=Max(
                Case(
                    When(correct_count=F("question_count"), then=Value(1)),
                    default=Value(0),
                )
            ),
            fewest=Min("question_count"),
            most=Max("question_count"),
        )
        totals = per_person.aggregate(
            people=Count("user_id"),
            all_used=Sum("used"),
            all_perfect=Sum("perfect"),
            round_fewest=Min("fewest"),
            round_most=Max("most"),
        )
        if totals["round_fewest"] == totals["round_most"]:
            return RoundStats(
                participants=totals["people"],
                attempts=totals["all_used"] or 0,
                perfect_people=totals["all_perfect"] or 0,
            )
    totals = _counted_attempts(
        round_=round_, order=order, policy=policy, truth=None
    ).aggregate(
        participants=Count("pk"),
        attempts=Sum("attempts_used"),
        perfect=Count("pk", filter=Q(correct_count=F("question_count"))),
    )
    return RoundStats(
        participants=totals["participants"],
        attempts=totals["attempts"] or 0,
        perfect_people=totals["perfect"],
    )


LEADERBOARD_SECONDS = 60
LEADERBOARD_SIZE = 20
# The last top is kept this long, to show while one worker ranks the round again.
LEADERBOARD_KEEP_SECONDS = 24 * 3600
# Longer than a ranking of a million attempts takes; a crashed ranker frees it then.
LEADERBOARD_LOCK_SECONDS = 120


def leaderboard_top(*, round_: Round, now: datetime | None = None) -> list[dict] | None:
    """The live top of an open round, ranked at most once a minute by one worker.

    While one worker ranks the round again, every other request shows the last top
    instead of ranking it too (a round of a million attempts takes seconds, and the
    deadline rush would otherwise rank it on every worker at once). None when no top
    was ranked yet and another worker is ranking the first one.
    """
    at = (now or timezone.now()).timestamp()
    key = f"leaderboard:{round_.pk}"
    kept = cache.get(key)
    if kept is not None and at - kept["at"] < LEADERBOARD_SECONDS:
        return kept["rows"]
    lock = f"{key}:ranking"
    if not cache.add(lock, True, LEADERBOARD_LOCK_SECONDS):
        return kept["rows"] if kept is not None else None
    try:
        rows = _leaderboard_rows(round_)
        cache.set(key, {"at": at, "rows": rows}, LEADERBOARD_KEEP_SECONDS)
    finally:
        cache.delete(lock)
    return rows


def _leaderboard_rows(round_: Round) -> list[dict]:
    """The top of the ranking without the prediction: the counted attempts are picked
    and ordered without their people, who are read for the top rows only."""
    rules = ranking_rules_get(contest=round_.contest)
    policy, order = readable_rules(rules.counted_attempt, rules.order)
    top = list(
        _counted_attempts(round_=round_, order=order, policy=policy, truth=None)
        .order_by(*_order_by(order, within_person=False, has_truth=False))
        .values("user_id", "correct_count", "question_count", "duration_ms")[
            :LEADERBOARD_SIZE
        ]
    )
    people = {
        person["pk"]: person
        for person in User.objects.filter(
            pk__in=[row["user_id"] for row in top]
        ).values("pk", "full_name", "unit__name")
    }
    return [
        {
            "rank": position,
            "full_name": people[row["user_id"]]["full_name"],
            "unit_name": people[row["user_id"]]["unit__name"] or "",
            "correct": row["correct_count"],
            "question_count": row["question_count"],
            "duration_ms": row["duration_ms"],
        }
        for position, row in enumerate(top, start=1)
    ]
