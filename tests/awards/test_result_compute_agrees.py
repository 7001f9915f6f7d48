"""The stored result (ranked in SQL, prizes walked only as far as they go) agrees
with the pure rules applied to every attempt: awards.ranking, awards.allocation and
the eligibility reasons, on generated rounds with groups, exclusions and ties."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models.deletion import ProtectedError

from accounts.models import User
from awards import allocation, ranking, services
from awards.eligibility_reasons import NO_GROUP, blocking_reason
from awards.models import (
    ContestantGroup,
    Disqualification,
    PrizeTier,
    RankingRules,
    ResultRow,
)
from rounds.models import Attempt, ContestCommitteeMember, Round
from rounds.selectors import contest_eligibility_rules
from tests.factories import RoundFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 9, 9, 1, 0, tzinfo=UTC)
CLOSES = T0 + timedelta(days=6)
AFTER = CLOSES + timedelta(days=1)
OCCUPATIONS = ["civil_servant", "student", "worker", "other", "armed_forces"]


def _attempt(
    user: User, round_: Round, rng: random.Random, number: int, counts: tuple
) -> Attempt:
    duration = rng.choice([30_000, 45_000, 60_000])  # few values: many ties
    submitted = T0 + timedelta(seconds=rng.choice([10, 20, 30, 40]) + number)
    return Attempt.objects.create(
        user=user,
        round=round_,
        number=number,
        status=Attempt.Status.FINISHED,
        is_practice=rng.random() < 0.1,
        started_at=submitted - timedelta(milliseconds=duration),
        deadline=submitted + timedelta(minutes=30),
        draw=[],
        answers=[],
        question_count=rng.choice(counts),
        correct_count=rng.choice([3, 4, 5, 5]),
        prediction=rng.choice([None, 3, 5, 8, 12]),
        duration_ms=duration,
        submitted_at=submitted,
    )


def _generated_round(seed: int) -> Round:
    rng = random.Random(seed)
    round_ = RoundFactory(
        opens_at=T0 - timedelta(days=1),
        closes_at=CLOSES,
        prediction_question="Bao nhiêu người trả lời đúng tất cả?",
        stage=rng.choice(["regular", "qualifying"]),
        qualify_per_unit=rng.choice([1, 2]),
    )
    contest = round_.contest
    contest.min_age = rng.choice([0, 18])
    contest.allowed_nationalities = rng.choice([[], ["VN"]])
    contest.save()
    RankingRules.objects.update_or_create(
        contest=contest,
        defaults={
            "counted_attempt": rng.choice(ranking.COUNTED_POLICIES),
            "order": rng.choice(
                [
                    list(ranking.DEFAULT_ORDER),
                    [ranking.CORRECT, ranking.DURATION, ranking.PREDICTION],
                    [ranking.CORRECT, ranking.ATTEMPTS, ranking.REGISTERED],
                ]
            ),
            "truth_kind": rng.choice(
                [ranking.TRUTH_PERFECT_PEOPLE, ranking.TRUTH_PARTICIPANTS]
            ),
        },
    )
    # One question count for the round, or two (the statistics' slower path).
    counts = rng.choice([(5,), (5, 6)])
    units = [UnitFactory() for _ in range(3)]
    contest.excluded_units.set(units[:1] if rng.random() < 0.5 else [])
    groups = []
    if rng.random() < 0.6:
        groups = [
            ContestantGroup.objects.create(
                contest=contest, name="CBCCVC", occupations=["civil_servant"]
            ),
            ContestantGroup.objects.create(
                contest=contest,
                name="Nhân dân",
                # "other" is in no group: ranked, never awarded.
                occupations=["student", "worker"],
            ),
        ]
    # With groups every tier names one: a tier outside them could never award.
    for order, group in enumerate(groups or [None], start=1):
        PrizeTier.objects.create(
            contest=contest,
            kind=PrizeTier.Kind.INDIVIDUAL,
            name=f"Giải {order}",
            count=rng.choice([0, 1, 2, 3]),
            amount_vnd=1_000_000,
            order=order,
            contestant_group=group,
            stage=rng.choice(["", "", "regular", "qualifying", "final"]),
        )
    joined = datetime(2024, 9, 1, tzinfo=UTC)
    for index in range(24):
        user = UserFactory(
            unit=rng.choice([*units, None]) if rng.random() < 0.95 else None,
            occupation=rng.choice(OCCUPATIONS),
            nationality=rng.choice(["VN", "VN", "LA"]),
            date_of_birth=rng.choice([date(1990, 1, 1), date(2010, 1, 1), None]),
            is_staff=rng.random() < 0.1,
            date_joined=joined + timedelta(seconds=rng.choice([0, index])),
        )
        for number in range(1, rng.choice([1, 1, 2, 3]) + 1):
            _attempt(user, round_, rng, number, counts)
        if rng.random() < 0.08:
            ContestCommitteeMember.objects.create(
                contest=contest, user=user, role=ContestCommitteeMember.Role.JUDGE
            )
        if rng.random() < 0.08:
            Disqualification.objects.create(
                round=round_,
                user=user,
                reason="Gian lận",
                decided_by=user,
                decided_at=AFTER,
            )
    return round_


def _expected(round_: Round) -> list[tuple]:
    """The result by the pure rules, one tuple per ranked person in rank order."""
    contest = round_.contest
    rules = RankingRules.objects.get(contest=contest)
    attempts = Attempt.objects.filter(
        round=round_, status=Attempt.Status.FINISHED, is_practice=False
    ).select_related("user__unit")
    entries = [
        ranking.Entry(
            attempt_id=a.pk,
            person_id=a.user_id,
            correct=a.correct_count,
            question_count=a.question_count,
            prediction=a.prediction,
            duration_ms=a.duration_ms,
            submitted_at=a.submitted_at,
            registered_at=a.user.date_joined,
        )
        for a in attempts
    ]
    order = tuple(rules.order)
    truth = ranking.prediction_truth(
        entries, kind=rules.truth_kind, policy=rules.counted_attempt, order=order
    )
    standings = ranking.rank(
        entries, policy=rules.counted_attempt, order=order, truth=truth
    )
    users = {a.user_id: a.user for a in attempts}
    elig = contest_eligibility_rules(contest=contest)
    disqualified = set(
        Disqualification.objects.filter(round=round_).values_list("user_id", flat=True)
    )

    def blocked(user: User, standing) -> str | None:
        row = {
            "user_id": user.pk,
            "user__unit__path": user.unit.path if user.unit else None,
            "user__date_of_birth": user.date_of_birth,
            "user__is_staff": user.is_staff,
            "user__is_superuser": user.is_superuser,
            "user__occupation": user.occupation,
            "user__nationality": user.nationality,
            "submitted_at": standing.entry.submitted_at,
        }
        return blocking_reason(
            row, rules=elig, disqualified=disqualified, earlier_winners=set()
        )

    groups = list(contest.contestant_groups.order_by("pk"))
    # A tier for "weekly rounds and the final" ("") is never given in a qualifying
    # round; a tier of one stage only in rounds of that stage.
    tiers = [
        t
        for t in PrizeTier.objects.filter(contest=contest).order_by("order", "pk")
        if t.stage == round_.stage
        or (t.stage == "" and round_.stage in ("regular", "final"))
    ]

    def group_of(user: User):
        return next((g for g in groups if user.occupation in g.occupations), None)

    award: dict[int, tuple[int | None, str]] = {}
    for group in [None, *groups] if groups else [None]:
        members = [s for s in standings if group_of(users[s.entry.person_id]) == group]
        if groups and group is None:
            for s in members:
                person = s.entry.person_id
                award[person] = (None, blocked(users[person], s) or NO_GROUP)
            continue
        group_id = group.pk if group else None
        given = allocation.allocate(
            [
                allocation.Candidate(
                    s.entry.person_id, blocked(users[s.entry.person_id], s)
                )
                for s in members
            ],
            [
                allocation.Tier(t.pk, t.count)
                for t in tiers
                if t.contestant_group_id == group_id
            ],
        )
        for a in given:
            award[a.person_id] = (a.tier_id, a.skipped_because or "")
    qualified: set[int] = set()
    if round_.stage == Round.Stage.QUALIFYING:
        taken: dict = {}
        for s in standings:
            user = users[s.entry.person_id]
            if (
                blocked(user, s)
                or taken.get(user.unit_id, 0) >= round_.qualify_per_unit
            ):
                continue
            taken[user.unit_id] = taken.get(user.unit_id, 0) + 1
            qualified.add(user.pk)
    seen: dict = {}
    expected = []
    for s in standings:
        person = s.entry.person_id
        group = group_of(users[person])
        seen[group] = seen.get(group, 0) + 1
        expected.append(
            (
                s.rank,
                person,
                s.entry.attempt_id,
                group.name if group else "",
                seen[group],
                s.attempts_used,
                s.prediction_gap,
                *award[person],
                person in qualified,
            )
        )
    return expected


@pytest.mark.parametrize("seed", range(12))
def test_the_stored_result_agrees_with_the_pure_rules(seed):
    round_ = _generated_round(seed)
    judge = UserFactory(is_staff=True)

    result = services.result_compute(round_=round_, actor=judge, now=AFTER)

    stored = [
        (
            r.rank,
            r.user_id,
            r.attempt_id,
            r.group_name,
            r.rank_in_group,
            r.attempts_used,
            r.prediction_gap,
            r.prize_tier_id,
            r.skip_reason,
            r.qualified,
        )
        for r in result.rows.order_by("rank")
    ]
    assert stored == _expected(round_)


def test_people_attempts_and_units_of_a_result_cannot_be_deleted():
    round_ = _generated_round(3)
    services.result_compute(round_=round_, actor=UserFactory(is_staff=True), now=AFTER)
    row = ResultRow.objects.filter(unit__isnull=False).first()

    for related in (row.user, row.attempt, row.unit):
        with pytest.raises(ProtectedError):
            related.delete()

    assert ResultRow.objects.filter(pk=row.pk, user=row.user).exists()
