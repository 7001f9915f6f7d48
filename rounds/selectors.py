import string
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from quizzes.models import QuestionRevision
from rounds import eligibility
from rounds.models import Attempt, Contest, Round

LETTERS = string.ascii_uppercase


def person_of(user: User) -> eligibility.Person:
    unit_path = tuple(user.unit.ancestor_ids) if user.unit_id else ()
    return eligibility.Person(
        date_of_birth=user.date_of_birth,
        is_staff=user.is_staff or user.is_superuser,
        contest_role=user.contest_role,
        unit_path_ids=unit_path,
        has_citizen_id=bool(user.citizen_id),
    )


def contest_eligibility_rules(*, contest: Contest) -> eligibility.Rules:
    """The contest's eligibility settings as plain data."""
    return eligibility.Rules(
        min_age=contest.min_age,
        excluded_unit_ids=frozenset(
            contest.excluded_units.values_list("pk", flat=True)
        ),
        require_citizen_id=contest.require_citizen_id,
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

    @property
    def answered(self) -> bool:
        return any(choice.selected for choice in self.choices)

    @property
    def answered_correctly(self) -> bool:
        return any(choice.selected and choice.is_correct for choice in self.choices)


def attempt_questions(*, attempt: Attempt) -> list[ShownQuestion]:
    """The attempt's questions in drawn order with choices as shown, in one query."""
    revision_ids = [item[0] for item in attempt.draw]
    revisions = QuestionRevision.objects.in_bulk(revision_ids)
    shown: list[ShownQuestion] = []
    for position, (revision_id, permutation) in enumerate(attempt.draw):
        revision = revisions[revision_id]
        given = attempt.answers[position]
        chosen = given[0] if given else None
        shown.append(
            ShownQuestion(
                position=position,
                number=position + 1,
                text=revision.text,
                topic_id=revision.topic_id,
                explanation=revision.explanation,
                choices=tuple(
                    ShownChoice(
                        letter=LETTERS[shown_index],
                        index=shown_index,
                        text=revision.choice_texts[original],
                        selected=chosen == original,
                        is_correct=original == revision.correct_index,
                    )
                    for shown_index, original in enumerate(permutation)
                ),
            )
        )
    return shown


def attempt_list_for_user(*, user: User) -> QuerySet[Attempt]:
    """Every attempt of the user, newest first, with round and contest."""
    return (
        Attempt.objects.filter(user=user)
        .select_related("round__contest")
        .defer("draw", "answers")
        .order_by("-started_at")
    )


def attempt_best_in_round(*, user: User, round_: Round) -> Attempt | None:
    """The user's best finished attempt: most correct, then fastest, then earliest."""
    return (
        Attempt.objects.filter(user=user, round=round_, status=Attempt.Status.FINISHED)
        .defer("draw", "answers")
        .order_by("-correct_count", "duration_ms", "submitted_at", "pk")
        .first()
    )


def attempt_count_in_round(*, user: User, round_: Round) -> int:
    return Attempt.objects.filter(user=user, round=round_).count()


def attempt_open_in_round(*, user: User, round_: Round) -> Attempt | None:
    return Attempt.objects.filter(
        user=user, round=round_, status=Attempt.Status.OPEN
    ).first()


def round_review_allowed(*, round_: Round, now: datetime) -> bool:
    """May contestants see the correct answers of this round's attempts now?"""
    contest = round_.contest
    return (
        contest.review_policy == Contest.ReviewPolicy.AFTER_CLOSE
        and now >= round_.closes_at
    )
