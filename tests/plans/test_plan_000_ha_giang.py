"""Seed 000: Hà Giang province's contest "Tìm hiểu Đề án 06, lợi ích cho người dân"
(plan 185/KH-UBND, 2024).

The plan's rules, each a test below:
- open to the province's units and to every cadre, civil servant, student, worker,
  member of the armed forces and citizen living or working in the province;
- members of the organizing committee, the question-drafting team and the
  secretariat may not take part (their colleagues may: the plan excludes people,
  not units);
- 3 weekly rounds from 07:30 on 09/9/2024 to 23:50 on 29/9/2024;
- unlimited attempts per account;
- each week 1 first (4,000,000đ), 2 second (3,000,000đ) and 3 third (2,000,000đ)
  individual prizes, awarded right after the week;
- collective prizes once, after the 3 weeks, separately for district-level units
  (1 first 8,000,000, 1 second 6,000,000, 1 third 4,000,000, 2 consolation
  3,000,000) and commune-level units (1 first 7,000,000, 2 second 5,500,000,
  3 third 3,500,000, 5 consolation 2,500,000);
- every unit at least 70% of its CBCCVC taking part: the unit's rate counts its
  CBCCVC only, over its CBCCVC headcount, both in the collective result and on the
  committee's dashboard (citizens taking part do not make up for missing staff).

What the plan leaves open, and what is chosen here:
- The weeks run Monday 07:30 to Sunday 23:50 (09/9-15/9, 16/9-22/9, 23/9-29/9):
  the plan's first opening and last closing times, repeated each week; the night
  from Sunday 23:50 to Monday 07:30 is left to tally the week.
- The attempt that counts is the best (the usual rule); people rank by correct
  answers, then the shorter attempt, then the earlier submission. The plan has no
  prediction question, and sets no limit on weekly prizes per person.
- The collective ranking is by participation rate: the unit's participating CBCCVC
  over its CBCCVC headcount (a district counts its communes too), with the plan's
  70% as the minimum to be ranked; equal rates fall to the average score.
- 20 questions in 15 minutes, drawn from the plan's nine topics.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client

from accounts.models import Unit, User
from awards.models import ResultRow, RoundResult, UnitResult, UnitResultRow
from awards.services import result_approve, result_compute, unit_result_compute
from reports.dashboard import dashboard_get
from rounds import services
from rounds.models import Attempt, Contest, ContestCommitteeMember, Round
from tests.factories import TopicFactory, UserFactory, make_question
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
from tests.websec import staff_in

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAYS = [date(2024, 9, 9), date(2024, 9, 16), date(2024, 9, 23)]
TOPICS = [
    "Các nhiệm vụ của Đề án 06",
    "Cải cách thủ tục hành chính, dịch vụ công trực tuyến",
    "Căn cước và Luật Căn cước",
    "Định danh điện tử (VNeID)",
    "Chuyển đổi số",
    "Thanh toán không dùng tiền mặt",
    "Chính sách, an sinh xã hội theo Đề án 06",
    "Lừa đảo chiếm đoạt tài sản trên không gian mạng",
    "Các nội dung khác có liên quan",
]
QUESTIONS = 20
COMMITTEE_ROLES = [
    ContestCommitteeMember.Role.ORGANIZER,
    ContestCommitteeMember.Role.AUTHOR,
    ContestCommitteeMember.Role.SECRETARIAT,
]
CONSOLATION_DISTRICT = "Giải khuyến khích cấp huyện"
CONSOLATION_COMMUNE = "Giải khuyến khích cấp xã"
MINUTE = timedelta(minutes=1)


def at(week: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Vietnam time on `day` (0 = Monday) of week `week` (0-2)."""
    moment = time(hour, minute, second)
    return datetime.combine(MONDAYS[week] + timedelta(days=day), moment, tzinfo=VN)


@dataclass(frozen=True)
class Plan:
    contest: Contest
    weeks: list[Round]
    committee: dict[str, User]  # by role
    office: Client  # the organizer's, logged in to the admin


@pytest.fixture
def plan() -> Plan:
    """The contest as the organizer sets it up in the admin, before anyone plays."""
    office = organizer()
    topics = [TopicFactory(name=name) for name in TOPICS]  # the question authors'
    for n in range(3 * len(topics)):
        make_question(topic=topics[n % len(topics)], n=n, correct=n % 4)
    committee = {
        role: UserFactory(full_name=f"Thành viên {role}") for role in COMMITTEE_ROLES
    }
    contest = admin_add(
        office,
        Contest,
        {
            "title": "Tìm hiểu Đề án 06, lợi ích cho người dân",
            "slug": "de-an-06-ha-giang-2024",
            "organizer_name": "Ủy ban nhân dân tỉnh Hà Giang",
            "topics": topics,
            "min_age": 0,
            "participation_target_percent": 70,
            "participation_occupations": ["civil_servant"],
        },
        inlines={
            "unit_groups": [
                {"name": "Cấp huyện", "levels": ["district"]},
                {"name": "Cấp xã", "levels": ["commune"]},
            ],
            "committee": [
                {"user": user, "role": role} for role, user in committee.items()
            ],
        },
    )
    weeks = [
        admin_add(
            office,
            Round,
            {
                "contest": contest,
                "name": f"Tuần thi thứ {n}",
                "opens_at": at(n - 1, 0, 7, 30),
                "closes_at": at(n - 1, 6, 23, 50),
                "question_count": QUESTIONS,
                "time_limit_seconds": 15 * 60,
                "max_attempts": 0,
                "prediction_question": "",
                "stage": "regular",
                "qualify_per_unit": 10,
                "grace_seconds": 10,
                "min_seconds_per_question": 0,
            },
        )
        for n in (1, 2, 3)
    ]
    district = contest.unit_groups.get(name="Cấp huyện")
    commune = contest.unit_groups.get(name="Cấp xã")
    tiers = [  # kind, unit group, name, count, amount in VND
        ("individual", None, "Giải nhất tuần", 1, 4_000_000),
        ("individual", None, "Giải nhì tuần", 2, 3_000_000),
        ("individual", None, "Giải ba tuần", 3, 2_000_000),
        ("collective", district, "Giải nhất cấp huyện", 1, 8_000_000),
        ("collective", district, "Giải nhì cấp huyện", 1, 6_000_000),
        ("collective", district, "Giải ba cấp huyện", 1, 4_000_000),
        ("collective", district, CONSOLATION_DISTRICT, 2, 3_000_000),
        ("collective", commune, "Giải nhất cấp xã", 1, 7_000_000),
        ("collective", commune, "Giải nhì cấp xã", 2, 5_500_000),
        ("collective", commune, "Giải ba cấp xã", 3, 3_500_000),
        ("collective", commune, CONSOLATION_COMMUNE, 5, 2_500_000),
    ]
    contest = admin_change(
        office,
        contest,
        inlines={
            "ranking_rules": [
                {
                    "counted_attempt": "best",
                    "order": ["correct", "duration", "submitted"],
                    "truth_kind": "perfect_people",  # unused: no prediction
                    "unit_metric": "rate",
                    "unit_tie_break": ["average_score"],
                    "unit_min_rate_percent": 70,
                    "unit_rounds": weeks,  # the collective prizes wait for all three
                }
            ],
            "prize_tiers": [
                {
                    "order": order,
                    "kind": kind,
                    "unit_group": group,
                    "name": name,
                    "count": count,
                    "amount_vnd": amount,
                }
                for order, (kind, group, name, count, amount) in enumerate(tiers, 1)
            ],
        },
    )
    return Plan(contest=contest, weeks=weeks, committee=committee, office=office)


def unit(plan: Plan, name: str, level: str, headcount: int, parent=None) -> Unit:
    """A unit the organizer enters, its headcount being its CBCCVC."""
    return admin_add(
        plan.office,
        Unit,
        {
            "name": name,
            "code": name,
            "level": level,
            "parent": parent,
            "headcount": headcount,
        },
    )


def people(
    where: Unit, count: int, occupation: str = User.Occupation.CIVIL_SERVANT
) -> list[User]:
    return [UserFactory(unit=where, occupation=occupation) for _ in range(count)]


def play_week_one(plan: Plan, players: list[User], correct: int = 15) -> None:
    """Each player takes one attempt on Tuesday of week 1, a minute apart."""
    for minute, person in enumerate(players):
        take(person, plan.weeks[0], correct=correct, at=at(0, 1, 8) + minute * MINUTE)


def collective_result(plan: Plan) -> UnitResult:
    """The three weeks approved, then the collective result computed and approved."""
    for week in plan.weeks:
        compute_and_approve(week)
    bench = judge()
    page = admin_action(bench, Contest, "compute_unit_results", [plan.contest])
    assert "Đã thực hiện." in messages_of(page)
    result = UnitResult.objects.get(contest=plan.contest)
    admin_action(bench, UnitResult, "approve", [result])
    return UnitResult.objects.get(pk=result.pk)


def group_rows(result: UnitResult, group: str) -> list[tuple]:
    """The group's units that took part, ranked first: the staff accounts' own
    units, with nobody taking part, are left out."""
    return list(
        UnitResultRow.objects.filter(
            result=result, group_name=group, participants__gt=0
        )
        .order_by(F("rank").asc(nulls_last=True), "unit_id")
        .values_list(
            "unit__name", "rank", "rate_percent", "prize_name", "prize_amount_vnd"
        )
    )


@pytest.mark.parametrize("occupation", User.Occupation.values)
def test_everyone_living_or_working_in_the_province_may_take_part(plan, occupation):
    district = unit(plan, "UBND huyện Đồng Văn", "district", 20)
    person = UserFactory(unit=district, occupation=occupation)

    problem = services.registration_problem(
        contest=plan.contest,
        date_of_birth=person.date_of_birth,
        unit=district,
        now=at(0, 0, 8),
        occupation=occupation,
    )
    started = services.attempt_start(user=person, round_=plan.weeks[0], now=at(0, 0, 8))

    assert problem is None
    assert not started.attempt.is_practice
    assert Attempt.objects.filter(user=person, is_practice=False).count() == 1


@pytest.mark.parametrize("role", COMMITTEE_ROLES)
def test_committee_members_may_not_take_part_but_their_colleagues_may(plan, role):
    office = unit(plan, "Công an tỉnh Hà Giang", "provincial_department", 50)
    member = plan.committee[role]
    member.unit = office
    member.save()
    (colleague,) = people(office, 1)

    with pytest.raises(ValidationError) as refused:
        services.attempt_start(user=member, round_=plan.weeks[0], now=at(0, 0, 8))
    allowed = services.attempt_start(
        user=colleague, round_=plan.weeks[0], now=at(0, 0, 8)
    )

    assert refused.value.code == "contest_role"
    assert not Attempt.objects.filter(user=member).exists()
    assert not allowed.attempt.is_practice


def test_a_secretary_named_after_playing_is_passed_over_for_the_prize(plan):
    commune = unit(plan, "UBND xã Lũng Cú", "commune", 10)
    secretary, first, second = people(commune, 3)
    take(secretary, plan.weeks[0], correct=20, seconds=100, at=at(0, 0, 8))
    take(first, plan.weeks[0], correct=19, at=at(0, 0, 9))
    take(second, plan.weeks[0], correct=18, at=at(0, 0, 10))
    admin_change(
        plan.office,
        plan.contest,
        inlines={"committee": [{"user": secretary, "role": "secretariat"}]},
    )

    result = compute_and_approve(plan.weeks[0])

    assert list(
        result.rows.order_by("rank").values_list("user_id", "prize_name", "skip_reason")
    ) == [
        (secretary.pk, "", "contest_role"),
        (first.pk, "Giải nhất tuần", ""),
        (second.pk, "Giải nhì tuần", ""),
    ]


@pytest.mark.parametrize(
    ("week", "moment"),
    [
        pytest.param(0, at(0, 0, 7, 30), id="week-1-opens-0730-09/9"),
        pytest.param(0, at(0, 6, 23, 49, 59), id="week-1-last-second-15/9"),
        pytest.param(1, at(1, 0, 7, 30), id="week-2-opens-0730-16/9"),
        pytest.param(2, at(2, 6, 23, 49, 59), id="week-3-last-second-29/9"),
    ],
)
def test_a_week_accepts_attempts_from_monday_0730_to_sunday_2350(plan, week, moment):
    (person,) = people(unit(plan, "UBND xã Sà Phìn", "commune", 10), 1)

    started = services.attempt_start(user=person, round_=plan.weeks[week], now=moment)

    assert started.attempt.round == plan.weeks[week]
    assert started.attempt.deadline <= plan.weeks[week].closes_at


@pytest.mark.parametrize(
    ("week", "moment", "code"),
    [
        pytest.param(0, at(0, 0, 7, 29, 59), "round_not_open", id="before-0730-09/9"),
        pytest.param(0, at(0, 6, 23, 50), "round_closed", id="week-1-at-2350-15/9"),
        pytest.param(1, at(1, 0, 7, 29), "round_not_open", id="night-before-week-2"),
        pytest.param(2, at(2, 6, 23, 50), "round_closed", id="contest-ends-29/9"),
    ],
)
def test_no_attempt_starts_outside_the_weeks(plan, week, moment, code):
    (person,) = people(unit(plan, "UBND xã Phố Cáo", "commune", 10), 1)

    with pytest.raises(ValidationError) as refused:
        services.attempt_start(user=person, round_=plan.weeks[week], now=moment)

    assert refused.value.code == code
    assert not Attempt.objects.filter(user=person).exists()


def test_attempts_are_unlimited_and_the_best_one_counts(plan):
    (person,) = people(unit(plan, "UBND xã Sủng Là", "commune", 10), 1)
    tries = [(12, 600), (18, 500), (15, 300), (18, 400), (10, 100), (17, 50)]
    for hour, (correct, seconds) in enumerate(tries, start=8):
        take(person, plan.weeks[0], correct=correct, seconds=seconds, at=at(0, 2, hour))

    result = compute_and_approve(plan.weeks[0])

    row = ResultRow.objects.get(result=result, user=person)
    assert Attempt.objects.filter(user=person, status="finished").count() == 6
    assert (row.attempt_number, row.correct, row.duration_ms) == (4, 18, 400_000)
    assert row.attempts_used == 6


def test_each_week_gives_1_first_2_second_and_3_third_prizes(plan):
    commune = unit(plan, "UBND xã Lũng Táo", "commune", 20)
    a, b, c, d, e, f, g = people(commune, 7)
    week = plan.weeks[0]
    take(b, week, correct=20, seconds=420, at=at(0, 0, 8))
    take(d, week, correct=19, seconds=200, at=at(0, 3, 9))  # as c, but later
    take(a, week, correct=20, seconds=300, at=at(0, 5, 21))
    take(g, week, correct=17, seconds=60, at=at(0, 0, 9))
    take(c, week, correct=19, seconds=200, at=at(0, 1, 9))
    take(f, week, correct=18, seconds=500, at=at(0, 0, 10))
    take(e, week, correct=18, seconds=100, at=at(0, 6, 23, 30))

    result = compute_and_approve(week)

    assert result.status == RoundResult.Status.APPROVED
    assert list(
        result.rows.order_by("rank").values_list(
            "user_id", "prize_name", "prize_amount_vnd"
        )
    ) == [
        (a.pk, "Giải nhất tuần", 4_000_000),  # all 20, the shorter attempt
        (b.pk, "Giải nhì tuần", 3_000_000),
        (c.pk, "Giải nhì tuần", 3_000_000),  # 19 in 200 s, submitted before d
        (d.pk, "Giải ba tuần", 2_000_000),
        (e.pk, "Giải ba tuần", 2_000_000),
        (f.pk, "Giải ba tuần", 2_000_000),
        (g.pk, "", 0),  # the seventh: six prizes a week
    ]


def test_a_week_is_awarded_right_after_it_closes_while_the_next_runs(plan):
    (person,) = people(unit(plan, "UBND xã Thài Phìn Tủng", "commune", 10), 1)
    week_1, week_2 = plan.weeks[:2]
    take(person, week_1, correct=20, at=at(0, 6, 23, 30))
    official = staff_in("Ban Giám khảo")

    with pytest.raises(ValidationError) as too_early:
        result_compute(round_=week_1, actor=official, now=at(0, 6, 23, 50, 5))
    result = result_compute(round_=week_1, actor=official, now=at(0, 6, 23, 55))
    result_approve(result=result, actor=official, now=at(1, 0, 8))

    assert too_early.value.code == "round_open"  # still in the grace seconds
    assert services.round_is_open(round_=week_2, now=at(1, 0, 8))
    assert RoundResult.objects.get(round=week_1).status == RoundResult.Status.APPROVED
    assert list(result.rows.values_list("user_id", "prize_amount_vnd")) == [
        (person.pk, 4_000_000)
    ]


def test_the_same_person_may_win_in_each_of_the_three_weeks(plan):
    a, b = people(unit(plan, "UBND xã Pả Vi", "commune", 10), 2)
    for week, round_ in enumerate(plan.weeks):
        take(a, round_, correct=20, at=at(week, 0, 8))
        take(b, round_, correct=19, at=at(week, 0, 8))

    results = [compute_and_approve(round_) for round_ in plan.weeks]

    assert [
        list(r.rows.order_by("rank").values_list("user_id", "prize_name"))
        for r in results
    ] == [[(a.pk, "Giải nhất tuần"), (b.pk, "Giải nhì tuần")]] * 3


def test_the_collective_prizes_wait_for_all_three_weeks(plan):
    play_week_one(plan, people(unit(plan, "UBND xã Xín Cái", "commune", 10), 8))
    for week in plan.weeks[:2]:
        compute_and_approve(week)

    with pytest.raises(ValidationError) as refused:
        unit_result_compute(
            contest=plan.contest, actor=staff_in("Ban Giám khảo"), now=at(2, 0, 8)
        )

    assert refused.value.code == "rounds_not_approved"
    assert not UnitResult.objects.filter(contest=plan.contest).exists()


def test_commune_level_prizes_go_by_cbccvc_rate_from_70_percent(plan):
    dong_van = unit(plan, "UBND huyện Đồng Văn", "district", 0)
    meo_vac = unit(plan, "UBND huyện Mèo Vạc", "district", 0)
    communes = [  # name, district, CBCCVC headcount, CBCCVC taking part
        ("Lũng Cú", dong_van, 10, 7),  # 70.00%: exactly the minimum
        ("Sà Phìn", dong_van, 6, 6),  # 100%
        ("Phố Cáo", dong_van, 8, 6),  # 75%
        ("Sủng Là", dong_van, 9, 8),  # 88.89%
        ("Lũng Táo", dong_van, 9, 6),  # 66.67%: below the minimum
        ("Thài Phìn Tủng", dong_van, 11, 8),  # 72.73%
        ("Pả Vi", meo_vac, 6, 5),  # 83.33%
        ("Xín Cái", meo_vac, 10, 9),  # 90%
        ("Giàng Chu Phìn", meo_vac, 9, 7),  # 77.78%
        ("Sơn Vĩ", meo_vac, 8, 7),  # 87.5%
        ("Lũng Pù", meo_vac, 10, 8),  # 80%
        ("Niêm Sơn", meo_vac, 7, 6),  # 85.71%
    ]
    players = []
    for name, district, headcount, taking_part in communes:
        players += people(
            unit(plan, f"UBND xã {name}", "commune", headcount, district), taking_part
        )
    play_week_one(plan, players)

    result = collective_result(plan)

    assert result.status == RoundResult.Status.APPROVED
    assert group_rows(result, "Cấp xã") == [
        ("UBND xã Sà Phìn", 1, Decimal("100"), "Giải nhất cấp xã", 7_000_000),
        ("UBND xã Xín Cái", 2, Decimal("90"), "Giải nhì cấp xã", 5_500_000),
        ("UBND xã Sủng Là", 3, Decimal("88.89"), "Giải nhì cấp xã", 5_500_000),
        ("UBND xã Sơn Vĩ", 4, Decimal("87.5"), "Giải ba cấp xã", 3_500_000),
        ("UBND xã Niêm Sơn", 5, Decimal("85.71"), "Giải ba cấp xã", 3_500_000),
        ("UBND xã Pả Vi", 6, Decimal("83.33"), "Giải ba cấp xã", 3_500_000),
        ("UBND xã Lũng Pù", 7, Decimal("80"), CONSOLATION_COMMUNE, 2_500_000),
        ("UBND xã Giàng Chu Phìn", 8, Decimal("77.78"), CONSOLATION_COMMUNE, 2_500_000),
        ("UBND xã Phố Cáo", 9, Decimal("75"), CONSOLATION_COMMUNE, 2_500_000),
        (
            "UBND xã Thài Phìn Tủng",
            10,
            Decimal("72.73"),
            CONSOLATION_COMMUNE,
            2_500_000,
        ),
        ("UBND xã Lũng Cú", 11, Decimal("70"), CONSOLATION_COMMUNE, 2_500_000),
        ("UBND xã Lũng Táo", None, Decimal("66.67"), "", 0),
    ]


def test_district_level_prizes_count_the_district_with_its_communes(plan):
    districts = [  # name, CBCCVC headcount, CBCCVC taking part
        ("UBND huyện Quản Bạ", 10, 8),  # 80%
        ("UBND huyện Bắc Quang", 10, 4),  # 40% alone; 70% with xã Việt Vinh
        ("UBND huyện Hoàng Su Phì", 10, 6),  # 60%: below the minimum
        ("UBND thành phố Hà Giang", 20, 19),  # 95%
        ("UBND huyện Yên Minh", 12, 9),  # 75%
        ("UBND huyện Vị Xuyên", 10, 9),  # 90%
    ]
    players = []
    for name, headcount, taking_part in districts:
        players += people(unit(plan, name, "district", headcount), taking_part)
    bac_quang = Unit.objects.get(name="UBND huyện Bắc Quang")
    players += people(unit(plan, "UBND xã Việt Vinh", "commune", 10, bac_quang), 10)
    play_week_one(plan, players)

    result = collective_result(plan)

    assert group_rows(result, "Cấp huyện") == [
        ("UBND thành phố Hà Giang", 1, Decimal("95"), "Giải nhất cấp huyện", 8_000_000),
        ("UBND huyện Vị Xuyên", 2, Decimal("90"), "Giải nhì cấp huyện", 6_000_000),
        ("UBND huyện Quản Bạ", 3, Decimal("80"), "Giải ba cấp huyện", 4_000_000),
        ("UBND huyện Yên Minh", 4, Decimal("75"), CONSOLATION_DISTRICT, 3_000_000),
        ("UBND huyện Bắc Quang", 5, Decimal("70"), CONSOLATION_DISTRICT, 3_000_000),
        ("UBND huyện Hoàng Su Phì", None, Decimal("60"), "", 0),
    ]
    assert group_rows(result, "Cấp xã") == [
        ("UBND xã Việt Vinh", 1, Decimal("100"), "Giải nhất cấp xã", 7_000_000)
    ]


def test_equal_rates_fall_to_the_better_average_score(plan):
    yen_minh = unit(plan, "UBND huyện Yên Minh", "district", 0)
    du_gia = unit(plan, "UBND xã Du Già", "commune", 10, yen_minh)
    mau_due = unit(plan, "UBND xã Mậu Duệ", "commune", 10, yen_minh)
    play_week_one(plan, people(du_gia, 8), correct=12)
    play_week_one(plan, people(mau_due, 8), correct=18)

    result = collective_result(plan)

    assert group_rows(result, "Cấp xã") == [
        ("UBND xã Mậu Duệ", 1, Decimal("80"), "Giải nhất cấp xã", 7_000_000),
        ("UBND xã Du Già", 2, Decimal("80"), "Giải nhì cấp xã", 5_500_000),
    ]


@pytest.fixture
def citizens_make_up_for_cbccvc(plan):
    """Two communes of 10 CBCCVC: Thanh Thủy with 7 of them taking part, Phú Linh
    with 6 of them and 10 people of other occupations."""
    vi_xuyen = unit(plan, "UBND huyện Vị Xuyên", "district", 0)
    thanh_thuy = unit(plan, "UBND xã Thanh Thủy", "commune", 10, vi_xuyen)
    phu_linh = unit(plan, "UBND xã Phú Linh", "commune", 10, vi_xuyen)
    others = [
        *people(phu_linh, 6, User.Occupation.OTHER),
        *people(phu_linh, 2, User.Occupation.STUDENT),
        *people(phu_linh, 1, User.Occupation.WORKER),
        *people(phu_linh, 1, User.Occupation.ARMED_FORCES),
    ]
    play_week_one(plan, [*people(thanh_thuy, 7), *people(phu_linh, 6), *others])
    return thanh_thuy, phu_linh


def test_the_unit_rate_counts_cbccvc_only_over_the_headcount(
    plan, citizens_make_up_for_cbccvc
):
    thanh_thuy, phu_linh = citizens_make_up_for_cbccvc

    result = collective_result(plan)

    rows = UnitResultRow.objects.filter(result=result, unit__in=[thanh_thuy, phu_linh])
    assert list(
        rows.order_by(F("rank").asc(nulls_last=True)).values_list(
            "unit_id", "rank", "participants", "headcount", "rate_percent",
            "prize_name", "not_ranked_because",
        )
    ) == [
        (thanh_thuy.pk, 1, 7, 10, Decimal("70"), "Giải nhất cấp xã", ""),
        (phu_linh.pk, None, 16, 10, Decimal("60"), "", "below_min_rate"),
    ]  # fmt: skip
    assert result.ruleset["rate_occupations"] == ["civil_servant"]
    assert result.ruleset["min_rate_percent"] == 70


def test_the_dashboard_marks_a_unit_short_of_70_percent_cbccvc(
    plan, citizens_make_up_for_cbccvc
):
    thanh_thuy, phu_linh = citizens_make_up_for_cbccvc

    board = dashboard_get(contest=plan.contest, now=at(0, 1, 12))

    rates = {u.unit_id: (u.rate_percent, u.below_target) for u in board.unit_rates}
    assert rates[thanh_thuy.pk] == (70.0, False)
    assert rates[phu_linh.pk] == (60.0, True)
