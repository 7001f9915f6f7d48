"""Seed 002: Sơn Hà district's contest on administrative reform and digital
transformation (Kế hoạch 96/KH-UBND, 2024).

The plan's rules, each a test below:
- open to the units and people of the district: cadres, civil servants, pupils,
  the armed forces, workers and all citizens (no occupation, no minimum age);
- except the members of the organizing committee, the jury and the secretariat,
  the cadres of the units those members belong to (their own unit: not a sub-unit,
  not another unit), and the technical staff of the contest's software;
- one period, from 07:00 on 01/6/2024 to 22:00 on 20/6/2024;
- each attempt: 30 multiple-choice questions drawn at random and 1 prediction;
- a certificate to every contestant who achieves a result;
- individual prizes to the most correct answers, then the fastest time:
  1 first 1,500,000, 2 second 1,000,000, 3 third 500,000, 10 consolation
  300,000 VND;
- 5 collective prizes of 2,000,000 VND to the units with the most participants,
  then the most participants with every answer correct, then the fastest time.

Settings the plan leaves to the thể lệ, chosen here: a 30-minute time limit, any
number of attempts with the best one counted, and the prediction asks how many
people answer all 30 questions correctly (it is asked but, as the plan ranks only
on correct answers and time, it is not a ranking criterion).
"""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Unit, User
from awards.certificate_services import certificate_issue, certificate_issue_all
from awards.models import (
    Certificate,
    ResultRow,
    RoundResult,
    UnitResult,
    UnitResultRow,
)
from rounds import services
from rounds.models import Attempt, Contest, ContestCommitteeMember, Round
from tests.factories import UserFactory, make_bank
from tests.plans.organizer import (
    admin_action,
    admin_add,
    admin_approve,
    admin_change,
    compute_and_approve,
    judge,
    messages_of,
    organizer,
    take,
)

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2024, 6, 1, 7, 0, tzinfo=VN)
CLOSES = datetime(2024, 6, 20, 22, 0, tzinfo=VN)
DAY_3 = datetime(2024, 6, 3, 8, 0, tzinfo=VN)

# "Đạt kết quả" is not quantified by the plan: we read it as at least half of the
# answers correct, 15 of the 30 questions.
CERTIFICATE_PERCENT = 50

COMMITTEE_UNIT_MESSAGE = (
    "Cán bộ cùng đơn vị với thành viên Ban Tổ chức, Ban Giám khảo, Tổ thư ký "
    "không được tham gia cuộc thi này."
)
COMMUNES = [
    "Thị trấn Di Lăng",
    "xã Sơn Bao",
    "xã Sơn Cao",
    "xã Sơn Giang",
    "xã Sơn Hạ",
    "xã Sơn Hải",
]


def unit(office, name: str, code: str, level: str, parent=None, headcount=20):
    return admin_add(
        office,
        Unit,
        {
            "name": name,
            "code": code,
            "level": level,
            "parent": parent,
            "headcount": headcount,
        },
    )


@pytest.fixture
def plan():
    """The contest as the organizer sets it up in the admin, before anyone plays."""
    office = organizer()
    district = unit(office, "UBND huyện Sơn Hà", "SH", "district", headcount=40)
    dept = "district_department"
    units = {
        "culture": unit(office, "Phòng Văn hóa và Thông tin", "SH-VHTT", dept, district),
        "office": unit(office, "Văn phòng HĐND và UBND huyện", "SH-VP", dept, district),
        "education": unit(office, "Phòng Giáo dục và Đào tạo", "SH-GDDT", dept, district),
        "media": unit(
            office, "Trung tâm Truyền thông - Văn hóa - Thể thao", "SH-TT", dept, district
        ),
        "district": district,
    }  # fmt: skip
    units["school"] = unit(
        office, "Trường THCS Di Lăng", "SH-THCS", "other", units["education"]
    )
    communes = [
        unit(office, f"UBND {name}", f"SH-X{n}", "commune", district, headcount=30)
        for n, name in enumerate(COMMUNES, start=1)
    ]
    members = {
        # Phòng Văn hóa và Thông tin is the standing body of the organizing committee.
        "organizer": UserFactory(full_name="Đinh Văn Tổ Chức", unit=units["culture"]),
        "judge": UserFactory(full_name="Phạm Thị Giám Khảo", unit=units["education"]),
        "secretariat": UserFactory(full_name="Lê Văn Thư Ký", unit=units["office"]),
        "technical": UserFactory(full_name="Võ Văn Kỹ Thuật", unit=units["media"]),
    }
    topics = make_bank(topics=2, per_topic=20)  # the question authors' work
    contest = admin_add(
        office,
        Contest,
        {
            "title": "Cuộc thi trực tuyến tìm hiểu, tuyên truyền cải cách hành chính, "
            "chuyển đổi số huyện Sơn Hà năm 2024",
            "slug": "cchc-cds-son-ha-2024",
            "topics": topics,
            "min_age": 0,
            "allowed_occupations": [],
            "exclude_committee_units": True,
            "allow_excluded_practice": False,
            "review_policy": Contest.ReviewPolicy.AFTER_CLOSE,
        },
        inlines={
            "ranking_rules": [
                {
                    "counted_attempt": "best",
                    "order": ["correct", "duration"],
                    "truth_kind": "perfect_people",
                    "unit_metric": "participants",
                    # "số người tham gia có đáp án đúng nhiều nhất" counts people,
                    # not answers: the people with the highest possible score, all
                    # 30 correct (perfect_people), rather than total_correct, which
                    # a unit could raise with many weak entries.
                    "unit_tie_break": ["perfect_people", "average_duration"],
                    "certificates_enabled": True,
                    "certificate_min_correct_percent": CERTIFICATE_PERCENT,
                }
            ],
            "unit_groups": [
                {
                    "name": "Cơ quan, đơn vị, địa phương",
                    "levels": ["district_department", "commune", "other"],
                }
            ],
            "committee": [
                {"user": person, "role": role} for role, person in members.items()
            ],
        },
    )
    group = contest.unit_groups.get()
    contest = admin_change(
        office,
        contest,
        inlines={
            "prize_tiers": [
                {"order": 1, "kind": "individual", "name": "Giải Nhất",
                 "count": 1, "amount_vnd": 1_500_000},
                {"order": 2, "kind": "individual", "name": "Giải Nhì",
                 "count": 2, "amount_vnd": 1_000_000},
                {"order": 3, "kind": "individual", "name": "Giải Ba",
                 "count": 3, "amount_vnd": 500_000},
                {"order": 4, "kind": "individual", "name": "Giải Khuyến khích",
                 "count": 10, "amount_vnd": 300_000},
                {"order": 5, "kind": "collective", "unit_group": group,
                 "name": "Giải tập thể", "count": 5, "amount_vnd": 2_000_000},
            ]
        },
    )  # fmt: skip
    round_ = admin_add(
        office,
        Round,
        {
            "contest": contest,
            "name": "Thi trực tuyến 01/6 - 20/6/2024",
            "opens_at": OPENS,
            "closes_at": CLOSES,
            "question_count": 30,
            "time_limit_seconds": 30 * 60,
            "max_attempts": 0,
            "prediction_question": "Có bao nhiêu người trả lời đúng cả 30 câu hỏi?",
            "stage": "regular",
            "qualify_per_unit": 10,
            "grace_seconds": 10,
            "min_seconds_per_question": 0,
        },
    )
    return contest, round_, units, communes, members, office


def problem_of(contest: Contest, person: User):
    return services.registration_problem(
        contest=Contest.objects.get(pk=contest.pk),
        date_of_birth=person.date_of_birth,
        unit=person.unit,
        now=DAY_3,
        occupation=person.occupation,
    )


def started(person: User, round_: Round, now: datetime = DAY_3) -> bool | str:
    """Whether the person got a ranked attempt, or the code of the refusal."""
    try:
        attempt = services.attempt_start(user=person, round_=round_, now=now).attempt
    except ValidationError as refused:
        return refused.code
    return not attempt.is_practice


def test_everyone_in_the_district_may_take_part_whatever_occupation_or_age(plan):
    contest, round_, _units, communes, _members, _office = plan
    people = [
        UserFactory(unit=communes[0], occupation=occupation, date_of_birth=born)
        for occupation, born in [
            (User.Occupation.CIVIL_SERVANT, date(1980, 3, 2)),
            # Primary school pupils are called on too (VI.3): no minimum age.
            (User.Occupation.STUDENT, date(2015, 9, 5)),
            (User.Occupation.ARMED_FORCES, date(1998, 1, 1)),
            (User.Occupation.WORKER, date(1975, 6, 30)),
            (User.Occupation.OTHER, date(1960, 12, 12)),
        ]
    ]

    problems = [problem_of(contest, person) for person in people]
    starts = [started(person, round_) for person in people]

    assert problems == [None] * 5
    assert starts == [True] * 5


def test_committee_jury_secretariat_and_technical_staff_may_not_take_part(plan):
    _contest, round_, _units, _communes, members, _office = plan

    refusals = {role: started(member, round_) for role, member in members.items()}

    assert refusals == {
        "organizer": "contest_role",
        "judge": "contest_role",
        "secretariat": "contest_role",
        "technical": "contest_role",
    }
    assert sorted(ContestCommitteeMember.objects.values_list("role", flat=True)) == [
        "judge",
        "organizer",
        "secretariat",
        "technical",
    ]


def test_cadres_of_a_committee_members_own_unit_may_not_take_part(plan):
    contest, round_, units, _communes, members, _office = plan
    # The organizer's, the jury member's and the secretary's own units.
    colleagues = {
        role: UserFactory(unit=units[key])
        for role, key in [
            ("organizer", "culture"),
            ("judge", "education"),
            ("secretariat", "office"),
        ]
    }

    problems = {
        role: problem_of(contest, person) for role, person in colleagues.items()
    }
    refusals = {}
    for role, person in colleagues.items():
        with pytest.raises(ValidationError) as refused:
            services.attempt_start(user=person, round_=round_, now=DAY_3)
        refusals[role] = (refused.value.code, refused.value.messages)

    for role, person in colleagues.items():
        assert person.unit == members[role].unit
        assert (problems[role].field, problems[role].code) == ("unit", "committee_unit")
        assert problems[role].message == COMMITTEE_UNIT_MESSAGE
        assert refusals[role] == ("committee_unit", [COMMITTEE_UNIT_MESSAGE])
        assert not person.attempts.exists()


def test_people_of_sub_units_and_other_units_may_take_part(plan):
    contest, round_, units, communes, _members, _office = plan
    people = {
        # Under Phòng Giáo dục và Đào tạo, where a jury member works.
        "sub-unit": UserFactory(unit=units["school"]),
        # Above every committee member's unit.
        "parent unit": UserFactory(unit=units["district"]),
        "other unit": UserFactory(unit=communes[5]),
    }

    problems = {where: problem_of(contest, p) for where, p in people.items()}
    starts = {where: started(p, round_) for where, p in people.items()}

    assert problems == dict.fromkeys(people)
    assert starts == dict.fromkeys(people, True)


def test_colleagues_of_the_technical_staff_may_take_part(plan):
    # Reading: "trừ A; B của các đơn vị có thành viên BTC, BGK, TTK và C" lists
    # three exclusions, the technical staff (C) the last, as the plan's list does.
    contest, round_, units, _communes, _members, _office = plan
    colleague = UserFactory(unit=units["media"])

    problem = problem_of(contest, colleague)
    start = started(colleague, round_)

    assert problem is None
    assert start is True


def test_a_colleague_who_played_before_the_member_joined_takes_no_prize(plan):
    contest, round_, _units, communes, _members, office = plan
    colleague, other = UserFactory(unit=communes[1]), UserFactory(unit=communes[2])
    take(colleague, round_, correct=30, prediction=2, at=DAY_3, seconds=200)
    take(other, round_, correct=29, prediction=2, at=DAY_3, seconds=300)
    newcomer = UserFactory(full_name="Nguyễn Thị Bổ Sung", unit=communes[1])
    admin_change(
        office, contest, inlines={"committee": [{"user": newcomer, "role": "judge"}]}
    )

    result = compute_and_approve(round_)

    assert list(
        result.rows.order_by("rank").values_list("user_id", "skip_reason", "prize_name")
    ) == [
        (colleague.pk, "committee_unit", ""),
        (other.pk, "", "Giải Nhất"),
    ]


def test_the_contest_runs_from_0700_on_1_june_to_2200_on_20_june_2024(plan):
    _contest, round_, _units, communes, _members, _office = plan
    moments = {
        "01/6 06:59:59": OPENS - timedelta(seconds=1),
        "01/6 07:00": OPENS,
        "20/6 21:59:59": CLOSES - timedelta(seconds=1),
        "20/6 22:00": CLOSES,
    }

    starts = {
        label: started(UserFactory(unit=communes[2]), round_, now=moment)
        for label, moment in moments.items()
    }

    assert starts == {
        "01/6 06:59:59": "round_not_open",
        "01/6 07:00": True,
        "20/6 21:59:59": True,
        "20/6 22:00": "round_closed",
    }
    assert Attempt.objects.filter(round=round_).count() == 2


def test_an_attempt_is_30_random_questions_and_one_prediction(plan):
    _contest, round_, _units, communes, _members, _office = plan
    first, second = (UserFactory(unit=communes[3]) for _ in range(2))

    one = services.attempt_start(
        user=first, round_=round_, now=DAY_3, rng=random.Random(1)
    ).attempt
    two = services.attempt_start(
        user=second, round_=round_, now=DAY_3, rng=random.Random(2)
    ).attempt
    with pytest.raises(ValidationError) as no_prediction:
        services.attempt_submit(
            attempt=one, answers={}, prediction=None, now=DAY_3 + timedelta(minutes=5)
        )
    finished = services.attempt_submit(
        attempt=one, answers={}, prediction=7, now=DAY_3 + timedelta(minutes=6)
    )

    drawn_one = {revision for revision, _ in one.draw}
    drawn_two = {revision for revision, _ in two.draw}
    assert (one.question_count, len(drawn_one)) == (30, 30)
    assert (two.question_count, len(drawn_two)) == (30, 30)
    assert drawn_one != drawn_two  # each attempt draws its own from the bank of 40
    assert round_.has_prediction
    assert no_prediction.value.code == "prediction_required"
    assert (finished.status, finished.prediction) == ("finished", 7)


def test_individual_prizes_go_to_the_most_correct_then_the_fastest(plan):
    _contest, round_, _units, communes, _members, _office = plan
    people = [UserFactory(unit=communes[n % 6]) for n in range(17)]
    # (correct of 30, seconds taken, prediction): the prediction plays no part.
    entries = [
        (30, 250, 900),  # first: all correct, fastest of them
        (30, 260, 2),  # an exact prediction does not lift anyone
        (30, 300, 2),
        (29, 120, 2),
        (29, 200, 2),
        (28, 100, 2),
        *[(25, 100 + 60 * n, 2) for n in range(10)],  # ten consolation prizes
        (20, 60, 2),  # the fastest of all, too few correct
    ]
    for n, (person, (correct, seconds, guess)) in enumerate(
        zip(people, entries, strict=True)
    ):
        take(
            person,
            round_,
            correct=correct,
            prediction=guess,
            at=DAY_3 + timedelta(minutes=n),
            seconds=seconds,
        )
    # A weaker, faster attempt later on: the best attempt is the one counted.
    later = DAY_3 + timedelta(days=1)
    take(people[5], round_, correct=12, prediction=2, at=later, seconds=30)

    result = compute_and_approve(round_)

    rows = list(
        ResultRow.objects.filter(result=result)
        .order_by("rank")
        .values_list("user_id", "correct", "prize_name", "prize_amount_vnd")
    )
    expected_prizes = (
        [("Giải Nhất", 1_500_000)]
        + [("Giải Nhì", 1_000_000)] * 2
        + [("Giải Ba", 500_000)] * 3
        + [("Giải Khuyến khích", 300_000)] * 10
        + [("", 0)]
    )
    assert result.status == RoundResult.Status.APPROVED
    assert result.perfect_people == 3
    assert rows == [
        (person.pk, correct, name, amount)
        for person, (correct, _s, _g), (name, amount) in zip(
            people, entries, expected_prizes, strict=True
        )
    ]
    assert sum(amount for *_rest, amount in rows) == 8_000_000


def test_a_certificate_goes_to_each_achieving_contestant_after_approval(plan):
    _contest, round_, _units, communes, _members, _office = plan
    # The 16 prizes go to others first, so the two below are ranked on their score.
    winners = [UserFactory(unit=communes[4]) for _ in range(16)]
    for n, person in enumerate(winners):
        take(person, round_, correct=30, prediction=1, at=DAY_3, seconds=100 + n)
    achiever, weak = (UserFactory(unit=communes[5]) for _ in range(2))
    take(achiever, round_, correct=15, prediction=1, at=DAY_3, seconds=400)
    take(weak, round_, correct=14, prediction=1, at=DAY_3, seconds=400)
    bench = judge()
    admin_action(bench, Round, "compute_results", [round_])
    row_of = {r.user_id: r for r in ResultRow.objects.filter(result__round=round_)}
    with pytest.raises(ValidationError) as early:
        certificate_issue(row=row_of[achiever.pk])
    admin_approve(bench, RoundResult.objects.get())

    for_winner = certificate_issue_all(user=winners[0])
    for_achiever = certificate_issue_all(user=achiever)
    for_weak = certificate_issue_all(user=weak)
    with pytest.raises(ValidationError) as refused:
        certificate_issue(row=row_of[weak.pk])

    assert early.value.code == "not_approved"
    assert [(c.kind, c.prize_name, c.result_text) for c in for_winner] == [
        (Certificate.Kind.PRIZE, "Giải Nhất", "30/30 câu đúng")
    ]
    assert [(c.kind, c.prize_name, c.result_text) for c in for_achiever] == [
        (Certificate.Kind.ACHIEVEMENT, "", "15/30 câu đúng")
    ]
    assert (row_of[achiever.pk].prize_name, row_of[weak.pk].prize_name) == ("", "")
    assert for_weak == []
    assert refused.value.code == "not_entitled"
    assert Certificate.objects.count() == 2


def test_five_units_with_most_participants_then_perfect_people_then_fastest_win(
    plan,
):
    contest, round_, _units, communes, _members, _office = plan
    a, b, c, d, e, f = communes  # e before f: a lower id does not decide
    # Per unit: (correct, seconds) of each participant.
    plays = {
        a: [(20, 600)] * 6,
        b: [(20, 600)] * 5,
        c: [(30, 300)] + [(20, 300)] * 3,  # 4 people, 1 all correct, fast
        d: [(30, 900)] * 2 + [(20, 900)] * 2,  # 4 people, 2 all correct, slow
        # 3 people and 1 all correct each; e has more right answers in total,
        # f is faster: the tie for the 5th prize goes to f.
        e: [(30, 500), (29, 500), (29, 500)],
        f: [(30, 400), (20, 400), (20, 400)],
    }
    minute = 0
    for where, entries in plays.items():
        for correct, seconds in entries:
            minute += 1
            take(
                UserFactory(unit=where),
                round_,
                correct=correct,
                prediction=3,
                at=DAY_3 + timedelta(minutes=minute),
                seconds=seconds,
            )
    compute_and_approve(round_)

    bench = judge()
    page = admin_action(bench, Contest, "compute_unit_results", [contest])
    result = UnitResult.objects.get(contest=contest)
    admin_action(bench, UnitResult, "approve", [result])

    rows = list(
        UnitResultRow.objects.filter(result=result, rank__isnull=False)
        .order_by("rank")
        .values_list(
            "unit_id",
            "participants",
            "perfect_people",
            "average_duration_ms",
            "prize_name",
            "prize_amount_vnd",
        )
    )
    assert "Đã thực hiện." in messages_of(page)
    assert UnitResult.objects.get(pk=result.pk).status == RoundResult.Status.APPROVED
    assert rows == [
        (a.pk, 6, 0, 600_000, "Giải tập thể", 2_000_000),
        (b.pk, 5, 0, 600_000, "Giải tập thể", 2_000_000),
        (d.pk, 4, 2, 900_000, "Giải tập thể", 2_000_000),  # more all correct
        (c.pk, 4, 1, 300_000, "Giải tập thể", 2_000_000),
        (f.pk, 3, 1, 400_000, "Giải tập thể", 2_000_000),  # faster than e
        (e.pk, 3, 1, 500_000, "", 0),
    ]
