"""Seed 004: Phú Lộc district's contest on digital transformation (2024).

The plan's rules, each a test below:
- only cadres, civil servants and public employees (CBCCVC) take part;
- members of the organizing committee, the jury and the secretariat do not;
- two weeks: 09/9-13/9/2024 and 16/9-20/9/2024, whole days;
- 15 questions and a prediction of how many people answer all 15 correctly;
- each week 1 first, 2 second and 2 third prizes; the first goes to whoever
  answers correctly, predicts closest and submits earliest;
- 5 collective prizes to the units with the most participants over the contest.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Unit, User
from awards.models import (
    PrizeTier,
    ResultRow,
    RoundResult,
    UnitResult,
    UnitResultRow,
)
from rounds import services
from rounds.models import Contest, ContestCommitteeMember, Round
from tests.factories import RoundFactory, UserFactory, make_bank
from tests.plans.organizer import (
    admin_action,
    admin_add,
    admin_change,
    compute_and_approve,
    judge,
    messages_of,
    organizer,
    take,
)

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WEEK_1 = datetime(2024, 9, 9, tzinfo=VN)
WEEK_2 = datetime(2024, 9, 16, tzinfo=VN)


def at(week: datetime, day: int, hour: int, minute: int = 0, second: int = 0):
    return week + timedelta(days=day, hours=hour, minutes=minute, seconds=second)


@pytest.fixture
def plan():
    """The contest as the organizer sets it up in the admin, before anyone plays."""
    office = organizer()
    district = admin_add(
        office, Unit, {"name": "UBND huyện Phú Lộc", "code": "PL", "level": "district"}
    )
    units = [
        admin_add(
            office,
            Unit,
            {
                "name": f"UBND xã {name}",
                "code": f"PL-{n}",
                "level": "commune",
                "parent": district,
                "headcount": 30,
            },
        )
        for n, name in enumerate(
            ["Lộc An", "Lộc Bình", "Lộc Điền", "Lộc Hòa", "Lộc Sơn", "Vinh Hưng"],
            start=1,
        )
    ]
    topics = make_bank(topics=1, per_topic=20)  # the question authors' work
    member = UserFactory(full_name="Trần Văn Giám Khảo", unit=units[0])
    contest = admin_add(
        office,
        Contest,
        {
            "title": "Hội thi trực tuyến tìm hiểu về Chuyển đổi số năm 2024",
            "slug": "chuyen-doi-so-phu-loc-2024",
            "topics": topics,
            "min_age": 0,
            "review_policy": Contest.ReviewPolicy.NEVER,
        },
        inlines={
            "ranking_rules": [
                {
                    "counted_attempt": "best",
                    "order": ["correct", "prediction", "submitted"],
                    "truth_kind": "perfect_people",
                    "unit_metric": "participants",
                    "unit_tie_break": [],
                }
            ],
            "unit_groups": [
                {"name": "Cơ quan, đơn vị, địa phương", "levels": ["commune"]}
            ],
            "committee": [{"user": member, "role": "judge"}],
        },
    )
    group = contest.unit_groups.get()
    contest = admin_change(
        office,
        contest,
        inlines={
            "prize_tiers": [
                {"order": 1, "kind": "individual", "name": "Giải nhất tuần",
                 "count": 1, "amount_vnd": 1_000_000},
                {"order": 2, "kind": "individual", "name": "Giải nhì tuần",
                 "count": 2, "amount_vnd": 700_000},
                {"order": 3, "kind": "individual", "name": "Giải ba tuần",
                 "count": 2, "amount_vnd": 500_000},
                {"order": 4, "kind": "collective", "unit_group": group,
                 "name": "Giải tập thể", "count": 5, "amount_vnd": 2_000_000},
            ]
        },
    )  # fmt: skip
    rounds = [
        admin_add(
            office,
            Round,
            {
                "contest": contest,
                "name": name,
                "opens_at": opens,
                "closes_at": opens + timedelta(days=5),  # to the end of Friday
                "question_count": 15,
                "time_limit_seconds": 15 * 60,
                "max_attempts": 0,
                "prediction_question": "Có bao nhiêu người trả lời đúng cả 15 câu?",
                "stage": "regular",
                "qualify_per_unit": 10,
                "grace_seconds": 10,
                "min_seconds_per_question": 0,
            },
        )
        for name, opens in [("Tuần 1", WEEK_1), ("Tuần 2", WEEK_2)]
    ]
    return contest, rounds, units, member, office


def civil_servants(unit: Unit, count: int) -> list[User]:
    return [
        UserFactory(unit=unit, occupation=User.Occupation.CIVIL_SERVANT)
        for _ in range(count)
    ]


def test_only_civil_servants_may_register_and_take_part(plan):
    contest, rounds, units, _member, office = plan
    admin_change(office, contest, {"allowed_occupations": ["civil_servant"]})
    citizen = UserFactory(unit=units[0], occupation=User.Occupation.OTHER)

    problem = services.registration_problem(
        contest=Contest.objects.get(pk=contest.pk),
        date_of_birth=citizen.date_of_birth,
        unit=units[0],
        now=at(WEEK_1, 0, 9),
        occupation=User.Occupation.OTHER,
    )
    with pytest.raises(ValidationError) as refused:
        services.attempt_start(user=citizen, round_=rounds[0], now=at(WEEK_1, 0, 9))

    assert (problem.field, problem.code) == ("occupation", "occupation_not_allowed")
    assert problem.message == (
        "Cuộc thi này chỉ dành cho: Cán bộ, công chức, viên chức."
    )
    assert refused.value.code == "occupation_not_allowed"
    assert not citizen.attempts.exists()


def test_a_jury_member_is_refused_here_but_not_in_another_contest(plan):
    _contest, rounds, _units, member, _office = plan
    other = RoundFactory(opens_at=WEEK_1, closes_at=WEEK_1 + timedelta(days=5))
    other.contest.topics.set(rounds[0].contest.topics.all())

    with pytest.raises(ValidationError) as refused:
        services.attempt_start(user=member, round_=rounds[0], now=at(WEEK_1, 0, 9))
    elsewhere = services.attempt_start(user=member, round_=other, now=at(WEEK_1, 0, 9))

    assert refused.value.code == "contest_role"
    assert ContestCommitteeMember.objects.filter(user=member).count() == 1
    assert not elsewhere.attempt.is_practice


def test_week_one_prizes_go_to_correct_then_closest_prediction_then_earliest(plan):
    _contest, rounds, units, _member, _office = plan
    week = rounds[0]
    a, b, c, d, e, f = civil_servants(units[0], 6)
    # Five people answer all 15 correctly: the truth of the prediction is 5.
    take(a, week, correct=15, prediction=5, at=at(WEEK_1, 0, 8, 0, 30))
    take(c, week, correct=15, prediction=5, at=at(WEEK_1, 0, 8, 5))
    take(f, week, correct=15, prediction=6, at=at(WEEK_1, 1, 7))
    take(b, week, correct=15, prediction=4, at=at(WEEK_1, 1, 9))
    take(d, week, correct=15, prediction=50, at=at(WEEK_1, 0, 7))
    take(e, week, correct=14, prediction=5, at=at(WEEK_1, 0, 6))  # first, not all

    result = compute_and_approve(week)

    prizes = list(
        ResultRow.objects.filter(result=result)
        .order_by("rank")
        .values_list("user_id", "prize_name", "prize_amount_vnd")
    )
    assert result.prediction_truth == 5
    assert result.perfect_people == 5
    assert result.status == RoundResult.Status.APPROVED
    assert prizes == [
        (a.pk, "Giải nhất tuần", 1_000_000),  # exact prediction, earliest
        (c.pk, "Giải nhì tuần", 700_000),  # exact prediction, later
        (f.pk, "Giải nhì tuần", 700_000),  # one off, submitted before b
        (b.pk, "Giải ba tuần", 500_000),
        (d.pk, "Giải ba tuần", 500_000),  # all correct, worst prediction
        (e.pk, "", 0),  # 14 of 15: after everyone with 15
    ]


def test_each_week_is_ranked_and_awarded_on_its_own(plan):
    _contest, rounds, units, _member, _office = plan
    a, b = civil_servants(units[1], 2)
    take(a, rounds[0], correct=15, prediction=1, at=at(WEEK_1, 0, 8))
    take(b, rounds[1], correct=15, prediction=1, at=at(WEEK_2, 0, 8))
    take(a, rounds[1], correct=12, prediction=1, at=at(WEEK_2, 0, 9))

    first, second = (compute_and_approve(r) for r in rounds)

    assert list(first.rows.values_list("user_id", "prize_name")) == [
        (a.pk, "Giải nhất tuần")
    ]
    assert list(second.rows.order_by("rank").values_list("user_id", "prize_name")) == [
        (b.pk, "Giải nhất tuần"),
        (a.pk, "Giải nhì tuần"),
    ]


def test_a_round_accepts_attempts_only_within_its_working_week(plan):
    _contest, rounds, units, _member, _office = plan
    (person,) = civil_servants(units[2], 1)

    with pytest.raises(ValidationError) as saturday:
        services.attempt_start(
            user=person, round_=rounds[0], now=at(WEEK_1, 5, 0, 0, 1)
        )
    monday = services.attempt_start(user=person, round_=rounds[1], now=WEEK_2)

    assert saturday.value.code == "round_closed"
    assert monday.attempt.round == rounds[1]


def test_five_units_with_most_eligible_participants_win_the_collective_prizes(plan):
    contest, rounds, units, _member, office = plan
    counts = [7, 6, 5, 4, 3, 2]  # CBCCVC per unit; the sixth has 3 citizens too
    people = {
        unit.pk: civil_servants(unit, n) for unit, n in zip(units, counts, strict=True)
    }
    citizens = [
        UserFactory(unit=units[5], occupation=User.Occupation.OTHER) for _ in range(3)
    ]
    everyone = [person for unit in units for person in people[unit.pk]] + citizens
    for minute, person in enumerate(everyone, start=1):
        take(person, rounds[0], correct=10, prediction=0, at=at(WEEK_1, 0, 8, minute))
    # The organizer narrows the contest to CBCCVC after the citizens played week 1.
    admin_change(office, contest, {"allowed_occupations": ["civil_servant"]})
    for person in people[units[0].pk][:3]:
        take(person, rounds[1], correct=11, prediction=0, at=at(WEEK_2, 1, 8))
    with pytest.raises(ValidationError):
        take(citizens[0], rounds[1], correct=15, prediction=0, at=at(WEEK_2, 1, 9))
    for round_ in rounds:
        compute_and_approve(round_)

    bench = judge()
    page = admin_action(bench, Contest, "compute_unit_results", [contest])
    result = UnitResult.objects.get(contest=contest)
    admin_action(bench, UnitResult, "approve", [result])

    rows = list(
        UnitResultRow.objects.filter(result=result, rank__isnull=False)
        .order_by("rank")
        .values_list("unit_id", "rank", "participants", "prize_name")
    )
    assert "Đã thực hiện." in messages_of(page)
    assert UnitResult.objects.get(pk=result.pk).status == RoundResult.Status.APPROVED
    assert rows == [
        (units[0].pk, 1, 7, "Giải tập thể"),
        (units[1].pk, 2, 6, "Giải tập thể"),
        (units[2].pk, 3, 5, "Giải tập thể"),
        (units[3].pk, 4, 4, "Giải tập thể"),
        (units[4].pk, 5, 3, "Giải tập thể"),
        (units[5].pk, 6, 2, ""),  # 2 CBCCVC: the 3 citizens do not count
    ]
    assert PrizeTier.objects.get(kind="collective").count == 5
