"""The stored collective result agrees with the pure rules of awards.collective
applied to people the test builds itself from the approved round results, on a
generated unit tree with excluded and disqualified people, for every criterion."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from accounts.models import Unit, User
from awards import services
from awards.collective import (
    METRICS,
    NO_PARTICIPANTS,
    PARTICIPANTS,
    RATE,
    PersonResult,
    RoundScore,
    UnitNode,
    figures,
    rank_units,
)
from awards.eligibility_reasons import blocking_reason
from awards.models import (
    ContestantGroup,
    Disqualification,
    PrizeTier,
    RankingRules,
    ResultRow,
    RoundResult,
    UnitGroup,
    UnitResultRow,
)
from quizzes.models import QuestionRevision
from rounds.models import Contest, ContestCommitteeMember, Round
from rounds.selectors import contest_eligibility_rules
from tests.factories import (
    RoundFactory,
    UnitFactory,
    UserFactory,
    make_finished_attempt,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 9, 9, 1, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
AFTER = T0 + 2 * WEEK + timedelta(days=1)
OCCUPATIONS = ["civil_servant", "student", "worker", "other", "armed_forces"]
HEADCOUNTS = [0, 0, 3, 8, 15, 40]
POPULATIONS = [[], ["civil_servant"], ["civil_servant", "worker"]]
PROVINCE_GROUP = "Cấp tỉnh"
COMMUNE_GROUP = "Cấp xã"


@dataclass(frozen=True)
class Generated:
    contest: Contest
    rounds: list[Round]
    units: list[Unit]
    judge: User
    committee_member: User
    disqualified: User
    first_round_only: User
    committee_commune: Unit


@pytest.fixture
def revisions(bank) -> list[QuestionRevision]:
    return list(QuestionRevision.objects.order_by("pk")[:6])


def _take(
    user: User,
    round_: Round,
    revisions: Sequence[QuestionRevision],
    rng: random.Random,
    *,
    perfect: bool = False,
) -> None:
    """One or two finished attempts of `user` in `round_`, few distinct values."""
    for _ in range(rng.choice([1, 1, 2])):
        drawn = revisions[: rng.choice([5, 6])]
        all_right = perfect or rng.random() < 0.3
        make_finished_attempt(
            user,
            round_,
            drawn,
            correct=len(drawn) if all_right else rng.randint(0, len(drawn)),
            at=round_.opens_at + timedelta(hours=rng.randint(1, 100)),
            duration_ms=rng.choice([30_000, 45_000, 60_000, 61_500]),
        )


def _generate(seed: int, revisions: Sequence[QuestionRevision]) -> Generated:
    rng = random.Random(seed)
    first = RoundFactory(opens_at=T0, closes_at=T0 + WEEK - timedelta(hours=1))
    contest = first.contest
    second = RoundFactory(contest=contest, opens_at=T0 + WEEK, closes_at=T0 + 2 * WEEK)
    # The seed, not chance, picks the settings: a few seeds cover every one.
    contest.participation_occupations = POPULATIONS[seed % len(POPULATIONS)]
    contest.min_age = 18 if seed % 4 >= 2 else 0
    contest.save()

    province = UnitFactory(level="province", headcount=rng.choice(HEADCOUNTS))
    districts = [
        UnitFactory(level="district", parent=province, headcount=rng.choice(HEADCOUNTS))
        for _ in range(2)
    ]
    communes = [
        UnitFactory(level="commune", parent=district, headcount=rng.choice(HEADCOUNTS))
        for district in districts
        for _ in range(rng.choice([2, 3]))
    ]
    # Only excluded people work here: its row shows that they are not counted.
    committee_commune = UnitFactory(level="commune", parent=districts[0], headcount=5)
    units = [province, *districts, *communes, committee_commune]

    contestant_groups: list[ContestantGroup | None] = [None]
    if seed % 2:
        # "other" and "armed_forces" are in no group: their rows are not counted.
        contestant_groups = [
            ContestantGroup.objects.create(
                contest=contest, name="CBCCVC", occupations=["civil_servant"]
            ),
            ContestantGroup.objects.create(
                contest=contest, name="Nhân dân", occupations=["student", "worker"]
            ),
        ]
    for order, group in enumerate(contestant_groups, start=1):
        PrizeTier.objects.create(
            contest=contest,
            kind=PrizeTier.Kind.INDIVIDUAL,
            name=f"Giải cá nhân {order}",
            count=rng.choice([1, 2, 3]),
            amount_vnd=500_000,
            order=order,
            contestant_group=group,
        )
    unit_groups = [
        (PROVINCE_GROUP, ["province"]),
        ("Cấp huyện", ["district"]),
        (COMMUNE_GROUP, ["commune"]),
        # A district and its communes in one group: nobody may count twice.
        ("Huyện và xã", ["district", "commune"]),
    ]
    for order, (name, levels) in enumerate(unit_groups, start=10):
        PrizeTier.objects.create(
            contest=contest,
            kind=PrizeTier.Kind.COLLECTIVE,
            name=f"Giải tập thể {name}",
            count=rng.choice([1, 2]),
            amount_vnd=2_000_000,
            order=order,
            unit_group=UnitGroup.objects.create(
                contest=contest, name=name, levels=levels
            ),
        )

    rounds = [first, second]
    judge = UserFactory(is_staff=True, unit=province)
    for _ in range(40):
        user = UserFactory(
            unit=rng.choice([province, *districts, *communes])
            if rng.random() < 0.95
            else None,
            occupation=rng.choice(OCCUPATIONS),
            date_of_birth=rng.choice(
                [date(1990, 1, 1), date(1990, 1, 1), date(2010, 1, 1), None]
            ),
            is_staff=rng.random() < 0.05,
        )
        for round_ in rng.choice([[first], [second], rounds, rounds]):
            _take(user, round_, revisions, rng)
    first_round_only = UserFactory(
        unit=communes[0], occupation="civil_servant", date_of_birth=date(1990, 1, 1)
    )
    _take(first_round_only, first, revisions, rng)
    committee_member = UserFactory(
        unit=committee_commune,
        occupation="civil_servant",
        date_of_birth=date(1990, 1, 1),
    )
    ContestCommitteeMember.objects.create(
        contest=contest,
        user=committee_member,
        role=ContestCommitteeMember.Role.JUDGE,
    )
    disqualified = UserFactory(
        unit=committee_commune,
        occupation="civil_servant",
        date_of_birth=date(1990, 1, 1),
    )
    for person in (committee_member, disqualified):
        _take(person, first, revisions, rng, perfect=True)
    _take(committee_member, second, revisions, rng, perfect=True)

    for round_ in rounds:
        services.result_compute(round_=round_, actor=judge, now=AFTER)
    services.contestant_disqualify(
        round_=first, user=disqualified, reason="Gian lận", actor=judge, now=AFTER
    )
    for result in RoundResult.objects.filter(round__in=rounds):
        services.result_approve(result=result, actor=judge, now=AFTER)
    return Generated(
        contest=contest,
        rounds=rounds,
        units=units,
        judge=judge,
        committee_member=committee_member,
        disqualified=disqualified,
        first_round_only=first_round_only,
        committee_commune=committee_commune,
    )


def _people(contest: Contest, rounds: Sequence[Round]) -> list[PersonResult]:
    """Each eligible person's approved rounds, built here from the result rows."""
    elig = contest_eligibility_rules(contest=contest)
    has_groups = contest.contestant_groups.exists()
    population = set(contest.participation_occupations or ())
    people: dict[int, tuple[int, str, list[RoundScore]]] = {}
    rows = (
        ResultRow.objects.filter(
            result__round__in=rounds, result__status=RoundResult.Status.APPROVED
        )
        .select_related("user__unit", "result__round")
        .order_by("-result__round__closes_at", "rank")
    )
    for row in rows:
        if has_groups and not row.group_name:
            continue
        user = row.user
        disqualified = set(
            Disqualification.objects.filter(round=row.result.round).values_list(
                "user_id", flat=True
            )
        )
        reason = blocking_reason(
            {
                "user_id": user.pk,
                "user__unit__path": user.unit.path if user.unit else None,
                "user__date_of_birth": user.date_of_birth,
                "user__is_staff": user.is_staff,
                "user__is_superuser": user.is_superuser,
                "user__occupation": user.occupation,
                "user__nationality": user.nationality,
                "submitted_at": row.submitted_at,
            },
            rules=elig,
            disqualified=disqualified,
            earlier_winners=set(),
        )
        if reason is not None or row.unit_id is None:
            continue
        _unit, _occupation, scores = people.setdefault(
            user.pk, (row.unit_id, user.occupation, [])
        )
        scores.append(
            RoundScore(
                correct=row.correct,
                question_count=row.question_count,
                duration_ms=row.duration_ms,
                is_winner=row.prize_tier_id is not None,
            )
        )
    return [
        PersonResult(
            person_id=person_id,
            unit_id=unit_id,
            scores=tuple(scores),
            in_rate_population=not population or occupation in population,
        )
        for person_id, (unit_id, occupation, scores) in people.items()
    ]


def _percent(value: Fraction) -> Decimal:
    hundredths = round(value * 100, 2)
    return (Decimal(hundredths.numerator) / Decimal(hundredths.denominator)).quantize(
        Decimal("0.01")
    )


def _expected(
    generated: Generated,
    *,
    order: Sequence[str],
    min_rate_percent: int | None,
    rounds: Sequence[Round],
) -> list[tuple]:
    """The collective result by the pure rules, one tuple per unit and group."""
    contest = generated.contest
    people = _people(contest, rounds)
    nodes = [UnitNode(u.pk, u.parent_id, u.headcount) for u in generated.units]
    min_rate = None if min_rate_percent is None else Fraction(min_rate_percent, 100)
    expected = []
    for group in contest.unit_groups.order_by("pk"):
        members = {u.pk for u in generated.units if u.level in group.levels}
        found = figures(nodes, people, members=members)
        for standing in rank_units(
            list(found.values()), order=order, min_rate=min_rate
        ):
            fig = standing.figures
            expected.append(
                (
                    group.name,
                    fig.unit_id,
                    standing.rank,
                    fig.participants,
                    fig.headcount,
                    _percent(fig.rate),
                    _percent(fig.average_score),
                    fig.total_correct,
                    fig.perfect_people,
                    round(fig.average_duration_ms),
                    fig.winners,
                    standing.not_ranked_because or "",
                )
            )
    return sorted(expected, key=lambda row: (row[0], row[1]))


def _stored(contest: Contest) -> list[tuple]:
    return list(
        UnitResultRow.objects.filter(result__contest=contest)
        .order_by("group_name", "unit_id")
        .values_list(
            "group_name",
            "unit_id",
            "rank",
            "participants",
            "headcount",
            "rate_percent",
            "average_score_percent",
            "total_correct",
            "perfect_people",
            "average_duration_ms",
            "winners",
            "not_ranked_because",
        )
    )


def _rules(
    contest: Contest, *, order: Sequence[str], min_rate_percent: int | None
) -> RankingRules:
    rules, _created = RankingRules.objects.update_or_create(
        contest=contest,
        defaults={
            "unit_metric": order[0],
            "unit_tie_break": list(order[1:]),
            "unit_min_rate_percent": min_rate_percent,
        },
    )
    return rules


@pytest.mark.parametrize("metric", METRICS, ids=METRICS)
@pytest.mark.parametrize("seed", range(4))
def test_the_stored_unit_result_agrees_with_the_pure_rules(seed, metric, revisions):
    generated = _generate(seed, revisions)
    rng = random.Random(f"{seed}-{metric}")
    others = [c for c in METRICS if c != metric]
    order = [metric, *rng.sample(others, rng.randint(0, 3))]
    min_rate_percent = rng.choice([None, None, 10, 40])
    _rules(generated.contest, order=order, min_rate_percent=min_rate_percent)

    services.unit_result_compute(
        contest=generated.contest, actor=generated.judge, now=AFTER
    )

    assert _stored(generated.contest) == _expected(
        generated,
        order=order,
        min_rate_percent=min_rate_percent,
        rounds=generated.rounds,
    )


@pytest.mark.parametrize("seed", range(3))
def test_committee_members_and_the_disqualified_are_not_counted(seed, revisions):
    generated = _generate(seed, revisions)
    excluded = {generated.committee_member.pk, generated.disqualified.pk}

    services.unit_result_compute(
        contest=generated.contest, actor=generated.judge, now=AFTER
    )

    # Both have approved result rows, in their unit, that would otherwise count.
    assert set(
        ResultRow.objects.filter(user_id__in=excluded).values_list("user_id", "unit_id")
    ) == {(pk, generated.committee_commune.pk) for pk in excluded}
    row = UnitResultRow.objects.get(
        group_name=COMMUNE_GROUP, unit=generated.committee_commune
    )
    assert (row.participants, row.rank, row.not_ranked_because) == (
        0,
        None,
        NO_PARTICIPANTS,
    )
    people = _people(generated.contest, generated.rounds)
    assert not excluded & {p.person_id for p in people}
    province = UnitResultRow.objects.get(group_name=PROVINCE_GROUP)
    assert province.participants == len(people)


def test_unit_rounds_counts_only_the_people_of_the_chosen_round(revisions):
    generated = _generate(5, revisions)
    second = generated.rounds[1]
    order = [PARTICIPANTS, RATE]
    rules = _rules(generated.contest, order=order, min_rate_percent=None)
    rules.unit_rounds.set([second])

    result = services.unit_result_compute(
        contest=generated.contest, actor=generated.judge, now=AFTER
    )

    assert result.ruleset["rounds"] == [second.pk]
    assert _stored(generated.contest) == _expected(
        generated, order=order, min_rate_percent=None, rounds=[second]
    )
    second_only = {p.person_id for p in _people(generated.contest, [second])}
    everyone = {p.person_id for p in _people(generated.contest, generated.rounds)}
    assert generated.first_round_only.pk in everyone - second_only
    province = UnitResultRow.objects.get(group_name=PROVINCE_GROUP)
    assert province.participants == len(second_only) < len(everyone)
