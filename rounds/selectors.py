import string
import threading
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import BigIntegerField, CharField, Prefetch, QuerySet, Value
from django.utils.html import escape

from accounts.models import User
from quizzes.models import Question, QuestionRevision
from rounds import attempt_reads, draw, eligibility
from rounds.models import Attempt, Contest, ContestCommitteeMember, Round

LETTERS = string.ascii_uppercase


def person_of(user: User) -> eligibility.Person:
    unit_path = tuple(user.unit.ancestor_ids) if user.unit_id else ()
    return eligibility.Person(
        date_of_birth=user.date_of_birth,
        is_staff=user.is_staff or user.is_superuser,
        unit_path_ids=unit_path,
        has_citizen_id=bool(user.citizen_id),
        person_id=user.pk,
        occupation=user.occupation,
        nationality=user.nationality,
        phone_verified=user.phone_verified_at is not None,
    )


def contest_eligibility_rules(*, contest: Contest) -> eligibility.Rules:
    """The contest's eligibility settings as plain data, in one query."""
    return _rules_of(contest, _eligibility_rows(contest))


# Every start checks the same contest's lists: each worker reads them at most once in
# ELIGIBILITY_SECONDS (as the draw pool), so a committee member added or a unit
# excluded applies to starts within that time on every server. The contest's own
# fields (age, citizen ID, occupations...) come from the row the start just read.
ELIGIBILITY_SECONDS = 5.0
_ELIGIBILITY_ROWS: dict[int, tuple[float, list[tuple]]] = {}


def contest_eligibility_rules_for_start(*, contest: Contest) -> eligibility.Rules:
    """contest_eligibility_rules, its lists at most ELIGIBILITY_SECONDS old."""
    cached = _ELIGIBILITY_ROWS.get(contest.pk)
    now = time.monotonic()
    if cached is not None and now - cached[0] < ELIGIBILITY_SECONDS:
        return _rules_of(contest, cached[1])
    rows = _eligibility_rows(contest)
    _ELIGIBILITY_ROWS[contest.pk] = (now, rows)
    return _rules_of(contest, rows)


def _eligibility_rows(contest: Contest) -> list[tuple]:
    # Every start reads both lists: the committee (user, their unit, role) and,
    # in the same statement, the excluded units (unit, NULL, no role).
    excluded = (
        Contest.excluded_units.through.objects.filter(contest=contest)
        .annotate(
            no_unit=Value(None, output_field=BigIntegerField()),
            no_role=Value("", output_field=CharField()),
        )
        .values_list("unit_id", "no_unit", "no_role")
    )
    return list(
        ContestCommitteeMember.objects.filter(contest=contest)
        .values_list("user_id", "user__unit_id", "role")
        .union(excluded, all=True)
    )


def _rules_of(contest: Contest, rows: list[tuple]) -> eligibility.Rules:
    committee = [row for row in rows if row[2]]
    return eligibility.Rules(
        min_age=contest.min_age,
        excluded_unit_ids=frozenset(unit for unit, _none, role in rows if not role),
        require_citizen_id=contest.require_citizen_id,
        committee_ids=frozenset(user_id for user_id, _unit, _role in committee),
        committee_unit_ids=frozenset(
            unit
            for _user, unit, role in committee
            if unit is not None and role in ContestCommitteeMember.UNIT_WIDE_ROLES
        )
        if contest.exclude_committee_units
        else frozenset(),
        allowed_occupations=frozenset(contest.allowed_occupations or ()),
        allowed_nationalities=frozenset(contest.allowed_nationalities or ()),
        require_phone_verification=contest.require_phone_verification,
    )


def round_status(*, round_: Round, now: datetime) -> str:
    if now < round_.opens_at:
        return "upcoming"
    if now < round_.closes_at:
        return "open"
    return "closed"


def contest_list_home(*, now: datetime) -> QuerySet[Contest]:
    """Published contests with a round open now or still to come, rounds attached."""
    return (
        Contest.objects.filter(is_published=True, rounds__closes_at__gt=now)
        .distinct()
        .prefetch_related(
            Prefetch("rounds", queryset=Round.objects.order_by("opens_at"))
        )
        .order_by("pk")
    )


def contest_list_past(*, now: datetime) -> QuerySet[Contest]:
    """Published contests whose every round has closed."""
    return (
        Contest.objects.filter(is_published=True)
        .exclude(rounds__closes_at__gt=now)
        .filter(rounds__isnull=False)
        .distinct()
        .order_by("-pk")
    )


def contest_get_published(*, slug: str) -> QuerySet[Contest]:
    return Contest.objects.filter(slug=slug, is_published=True).prefetch_related(
        Prefetch("rounds", queryset=Round.objects.order_by("opens_at")),
        "prize_tiers",
    )


def round_current_or_next(*, rounds: list[Round], now: datetime) -> Round | None:
    """The open round, else the next one to open, else None."""
    for round_ in rounds:
        if round_.opens_at <= now < round_.closes_at:
            return round_
    upcoming = [r for r in rounds if r.opens_at > now]
    return min(upcoming, key=lambda r: r.opens_at) if upcoming else None


@dataclass(frozen=True, slots=True)
class ShownChoice:
    letter: str
    index: int  # shown position, what the browser sends back
    text: str
    selected: bool
    is_correct: bool  # only ever read on a review page after the round closed


@dataclass(frozen=True, slots=True)
class ShownQuestion:
    position: int
    number: int
    text: str
    topic_id: int
    explanation: str
    choices: tuple[ShownChoice, ...]
    # A review keeps the answer of a question a round still open or to come can
    # draw: no correct choice, no explanation, no right/wrong verdict.
    answer_withheld: bool = False

    @property
    def answered(self) -> bool:
        return any(choice.selected for choice in self.choices)

    @property
    def answered_correctly(self) -> bool:
        return any(choice.selected and choice.is_correct for choice in self.choices)


@dataclass(frozen=True, slots=True)
class FrozenRevision:
    """A question revision as plain data, with its text escaped for HTML once."""

    pk: int
    question_id: int
    topic_id: int
    text: str
    explanation: str
    choice_texts: tuple[str, ...]
    correct_index: int
    text_html: str
    choice_html: tuple[str, ...]


# Revisions never change once written (quizzes.services.question_publish makes a new
# one for every edit), so each worker keeps those it has read: the attempt page, the
# draw and scoring then read no question rows at all once warm.
_REVISIONS: dict[int, FrozenRevision] = {}
_REVISIONS_MAX = 50_000
_revisions_lock = threading.Lock()


def revisions_get(revision_ids: Iterable[int]) -> dict[int, FrozenRevision]:
    """The frozen revisions by id: from this worker's memory, else one query."""
    revision_ids = set(revision_ids)  # may be a generator: read it once
    found: dict[int, FrozenRevision] = {}
    for pk in revision_ids:
        revision = _REVISIONS.get(pk)
        if revision is not None:
            found[pk] = revision
    missing = revision_ids - found.keys()
    if not missing:
        return found
    rows = QuestionRevision.objects.filter(pk__in=missing).values_list(
        "pk",
        "question_id",
        "topic_id",
        "text",
        "explanation",
        "choice_texts",
        "correct_index",
    )
    for pk, question_id, topic_id, text, explanation, choices, correct in rows:
        found[pk] = FrozenRevision(
            pk=pk,
            question_id=question_id,
            topic_id=topic_id,
            text=text,
            explanation=explanation,
            choice_texts=tuple(choices),
            correct_index=correct,
            text_html=escape(text),
            choice_html=tuple(escape(choice) for choice in choices),
        )
    with _revisions_lock:
        if len(_REVISIONS) + len(missing) > _REVISIONS_MAX:
            _REVISIONS.clear()
        _REVISIONS.update((pk, found[pk]) for pk in missing if pk in found)
    return found


def revisions_forget() -> None:
    """Empty this worker's copy (tests, whose rolled-back ids come back)."""
    with _revisions_lock:
        _REVISIONS.clear()


@dataclass(frozen=True, slots=True)
class DrawPool:
    """What a round draws from: published revision ids by topic, and per-topic quotas."""

    by_topic: dict[int, list[int]]
    quotas: dict[int, int]
    every_id: tuple[int, ...]  # draw.pool_ids(by_topic), kept with the pool


# Every start draws from the same pool: each worker reads it at most once in
# DRAW_POOL_SECONDS, so a question published or withdrawn is drawn (or no longer
# drawn) within that time on every server.
DRAW_POOL_SECONDS = 30.0
_DRAW_POOLS: dict[int, tuple[float, DrawPool]] = {}


def draw_pool_get(*, round_: Round) -> DrawPool:
    cached = _DRAW_POOLS.get(round_.pk)
    now = time.monotonic()
    if cached is not None and now - cached[0] < DRAW_POOL_SECONDS:
        return cached[1]
    contest_topic_ids = list(round_.contest.topics.values_list("pk", flat=True))
    questions = Question.objects.filter(is_active=True, current_revision__isnull=False)
    if contest_topic_ids:
        questions = questions.filter(topic_id__in=contest_topic_ids)
    by_topic: dict[int, list[int]] = {}
    for topic_id, revision_id in questions.values_list(
        "topic_id", "current_revision_id"
    ):
        by_topic.setdefault(topic_id, []).append(revision_id)
    pool = DrawPool(
        by_topic=by_topic,
        quotas=dict(round_.quotas.values_list("topic_id", "count")),
        every_id=draw.pool_ids(by_topic),
    )
    # The worker's copy of the revisions is filled with the whole pool at once (one
    # query; none once they are all known). Filled one draw at a time, a fresh
    # worker paid a query on most of its first few hundred starts (30 drawn of a
    # 2,000-question bank each), and its pages, submits and results on attempts
    # drawn by another worker.
    pool_ids = [revision_id for ids in by_topic.values() for revision_id in ids]
    if len(pool_ids) <= _REVISIONS_MAX // 2:
        revisions_get(pool_ids)
    _DRAW_POOLS[round_.pk] = (now, pool)
    return pool


def draw_pools_forget() -> None:
    """Forget the per-worker copies of what a round draws from and who may start."""
    _DRAW_POOLS.clear()
    _ELIGIBILITY_ROWS.clear()


def attempt_questions(
    *, attempt: Attempt, withhold: Collection[int] = frozenset()
) -> list[ShownQuestion]:
    """The attempt's questions in drawn order with choices as shown, in one query.
    The answers of the questions whose ids are in `withhold` are left out."""
    revision_ids = [item[0] for item in attempt.draw]
    revisions = revisions_get(revision_ids)
    shown: list[ShownQuestion] = []
    for position, (revision_id, permutation) in enumerate(attempt.draw):
        revision = revisions[revision_id]
        given = attempt.answers[position]
        chosen = given[0] if given else None
        withheld = revision.question_id in withhold
        shown.append(
            ShownQuestion(
                position=position,
                number=position + 1,
                text=revision.text,
                topic_id=revision.topic_id,
                explanation="" if withheld else revision.explanation,
                choices=tuple(
                    ShownChoice(
                        letter=LETTERS[shown_index],
                        index=shown_index,
                        text=revision.choice_texts[original],
                        selected=chosen == original,
                        is_correct=not withheld and original == revision.correct_index,
                    )
                    for shown_index, original in enumerate(permutation)
                ),
                answer_withheld=withheld,
            )
        )
    return shown


def questions_still_drawable(*, now: datetime) -> frozenset[int]:
    """Ids of the questions a round open now or still to come, of any contest, can
    draw: their answers are never shown to contestants (a review would hand them
    to the next week's players). One or two queries."""
    coming = Round.objects.filter(closes_at__gt=now)
    questions = Question.objects.filter(is_active=True, current_revision__isnull=False)
    # A contest without topics draws from the whole bank.
    if Contest.objects.filter(rounds__in=coming, topics__isnull=True).exists():
        return frozenset(questions.values_list("pk", flat=True))
    topics = Contest.topics.through.objects.filter(contest__rounds__in=coming).values(
        "topic_id"
    )
    return frozenset(questions.filter(topic_id__in=topics).values_list("pk", flat=True))


def attempt_list_for_user(*, user: User) -> QuerySet[Attempt]:
    """Every attempt of the user, newest first, with round and contest."""
    return (
        Attempt.objects.filter(user=user)
        .select_related("round__contest")
        .defer("draw", "answers")
        .order_by("-started_at")
    )


def attempt_open_in_round(*, user: User, round_: Round) -> Attempt | None:
    """The person's open attempt in the round: their few attempts there are read
    by person (see the comments on Attempt.round and Attempt.status), the open one
    picked here."""
    attempts = attempt_reads.attempts_of_user_in_round(user_id=user.pk, round_=round_)
    return next((a for a in attempts if a.status == Attempt.Status.OPEN), None)


def round_review_allowed(*, round_: Round, now: datetime) -> bool:
    """May contestants see the correct answers of this round's attempts now?"""
    contest = round_.contest
    return (
        contest.review_policy == Contest.ReviewPolicy.AFTER_CLOSE
        and now >= round_.closes_at
    )
