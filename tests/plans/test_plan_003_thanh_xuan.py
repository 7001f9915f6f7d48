"""Seed 003: Thanh Xuân district (Hà Nội), electronic identification and online
public services (2023).

The plan's rules, each a test below:
- Vietnamese citizens and foreigners who entered Vietnam take part: a foreigner
  registers with a foreign phone number and a nationality, plays and wins;
- from 14 years of age (on the day of the attempt), pupils of 14 included;
- living and working in Hà Nội, with full and accurate details: the unit is
  chosen from the district's list and the details are mandatory;
- members of the organizing committee, the jury, the support team and the staff
  directly organizing the contest do not take part (their colleagues do);
- individual prizes: 2 first (3,000,000), 4 second (1,500,000), 10 third
  (1,000,000) and 15 consolation (500,000);
- collective prizes: 1 first (5,000,000), 2 second (3,500,000), 3 third
  (2,500,000), for the district's departments and its 11 wards; a person of a
  ward counts for the ward, not also for the district People's Committee office;
- the organizing committee may adjust the prize structure: until a list is
  approved the new structure applies, afterwards the list is frozen;
- the contest runs in Quý III/2023; its exact times are in the "Thể lệ", which
  is not given: these tests choose one round from 08:00 on 21/8/2023 to 23:59 on
  30/9/2023 (Vietnam time), 20 questions in 20 minutes, attempts unlimited with
  the best counted, ranked by correct answers then the shorter time.
"""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts import importer
from accounts.models import Unit, User
from awards.models import (
    PrizeTier,
    ResultRow,
    RoundResult,
    UnitResult,
    UnitResultRow,
)
from rounds import services
from rounds.models import Contest, Round
from tests.factories import UserFactory, make_bank, solved_challenge
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
# The "Thể lệ" is not given: one round inside Quý III/2023, chosen here.
OPENS = datetime(2023, 8, 21, 8, 0, tzinfo=VN)
CLOSES = datetime(2023, 9, 30, 23, 59, tzinfo=VN)
PLAYED = datetime(2023, 9, 5, 9, 0, tzinfo=VN)  # a day inside the round
QUESTIONS = 20
PASSWORD = "Dinh-danh-2023!"

WARDS = [
    "Hạ Đình",
    "Khương Đình",
    "Khương Mai",
    "Khương Trung",
    "Kim Giang",
    "Nhân Chính",
    "Phương Liệt",
    "Thanh Xuân Bắc",
    "Thanh Xuân Nam",
    "Thanh Xuân Trung",
    "Thượng Đình",
]
DEPARTMENTS = [
    "Phòng Tư pháp",
    "Phòng Nội vụ",
    "Phòng Văn hóa và Thông tin",
    "Phòng Giáo dục và Đào tạo",
    "Phòng Tài chính - Kế hoạch",
]
INDIVIDUAL = [
    ("Giải Nhất", 2, 3_000_000),
    ("Giải Nhì", 4, 1_500_000),
    ("Giải Ba", 10, 1_000_000),
    ("Giải Khuyến khích", 15, 500_000),
]
COLLECTIVE = [
    ("Giải Nhất tập thể", 1, 5_000_000),
    ("Giải Nhì tập thể", 2, 3_500_000),
    ("Giải Ba tập thể", 3, 2_500_000),
]
GROUP = "Các phòng, ban, đơn vị và UBND 11 phường"


def at(minutes: int) -> datetime:
    return PLAYED + timedelta(minutes=minutes)


@pytest.fixture
def plan():
    """The contest as the organizer sets it up in the admin, before anyone plays."""
    office = organizer()
    # The unit list as the organizer uploads it ("Nhập từ Excel"): the district
    # People's Committee, whose own staff is its office (Văn phòng HĐND và UBND
    # quận), and under it the departments and the 11 wards, units of their own.
    import_units(
        office,
        [("TX", "UBND quận Thanh Xuân", "Cấp huyện", "", 40)]
        + [
            (f"TX-P{n}", name, "Phòng, ban cấp huyện", "TX", 12)
            for n, name in enumerate(DEPARTMENTS, start=1)
        ]
        + [
            (f"TX-W{n}", f"UBND phường {name}", "Cấp xã", "TX", 30)
            for n, name in enumerate(WARDS, start=1)
        ],
    )
    district = Unit.objects.get(code="TX")
    departments = {
        name: Unit.objects.get(code=f"TX-P{n}")
        for n, name in enumerate(DEPARTMENTS, start=1)
    }
    wards = {
        name: Unit.objects.get(code=f"TX-W{n}") for n, name in enumerate(WARDS, start=1)
    }
    topics = make_bank(topics=1, per_topic=QUESTIONS + 4)  # the question authors' work
    justice = departments["Phòng Tư pháp"]
    committee = {
        "organizer": UserFactory(full_name="Lê Văn Tổ Chức", unit=justice),
        "judge": UserFactory(
            full_name="Phạm Thị Giám Khảo",
            unit=departments["Phòng Giáo dục và Đào tạo"],
        ),
        "secretariat": UserFactory(full_name="Ngô Văn Giúp Việc", unit=justice),
        # "Cán bộ trực tiếp tham gia vào quá trình tổ chức": read as the staff
        # running the contest software, the portal's technical role.
        "technical": UserFactory(full_name="Đỗ Văn Kỹ Thuật", unit=justice),
    }
    contest = admin_add(
        office,
        Contest,
        {
            "title": "Cuộc thi trực tuyến “Tìm hiểu pháp luật về định danh điện tử "
            "và dịch vụ công trực tuyến” trên địa bàn quận Thanh Xuân",
            "slug": "dinh-danh-dien-tu-thanh-xuan-2023",
            "topics": topics,
            "min_age": 14,
            # Open to foreigners, who have no CCCD: the number cannot be required.
            "require_citizen_id": False,
            "allowed_occupations": [],  # every occupation
            "review_policy": Contest.ReviewPolicy.AFTER_CLOSE,
        },
        inlines={
            "ranking_rules": [
                {
                    "counted_attempt": "best",
                    "order": ["correct", "duration"],
                    "truth_kind": "perfect_people",
                    # Not stated by the plan: units ranked by their participants,
                    # then by their participation rate.
                    "unit_metric": "participants",
                    "unit_tie_break": ["rate"],
                }
            ],
            "unit_groups": [
                {
                    "name": GROUP,
                    "levels": ["district", "district_department", "commune"],
                }
            ],
            "committee": [
                {"user": user, "role": role} for role, user in committee.items()
            ],
        },
    )
    group = contest.unit_groups.get()
    contest = admin_change(
        office,
        contest,
        inlines={
            "prize_tiers": [
                {
                    "order": n,
                    "kind": "individual",
                    "name": name,
                    "count": count,
                    "amount_vnd": amount,
                }
                for n, (name, count, amount) in enumerate(INDIVIDUAL, start=1)
            ]
            + [
                {
                    "order": 10 + n,
                    "kind": "collective",
                    "unit_group": group,
                    "name": name,
                    "count": count,
                    "amount_vnd": amount,
                }
                for n, (name, count, amount) in enumerate(COLLECTIVE, start=1)
            ]
        },
    )
    round_ = admin_add(
        office,
        Round,
        {
            "contest": contest,
            "name": "Đợt thi Quý III/2023",
            "opens_at": OPENS,
            "closes_at": CLOSES,
            "question_count": QUESTIONS,
            "time_limit_seconds": 20 * 60,
            "max_attempts": 0,
            "prediction_question": "",
            "stage": "regular",
            "qualify_per_unit": 10,
            "grace_seconds": 10,
            "min_seconds_per_question": 2,
        },
    )
    return {
        "office": office,
        "contest": contest,
        "round": round_,
        "district": district,
        "departments": departments,
        "wards": wards,
        "committee": committee,
    }


def import_units(client: Client, rows: list[tuple]) -> None:
    """Upload the unit list in the admin's spreadsheet import and confirm it."""
    workbook = openpyxl.Workbook()
    workbook.active.append(list(importer.HEADERS))
    for row in rows:
        workbook.active.append(list(row))
    data = io.BytesIO()
    workbook.save(data)
    upload = SimpleUploadedFile("don-vi-quan-thanh-xuan.xlsx", data.getvalue())
    preview = client.post(reverse("admin:accounts_unit_import"), {"file": upload})
    assert preview.context["plan"].counts["create"] == len(rows)
    confirmed = client.post(
        reverse("admin:accounts_unit_import_confirm"),
        {"token": preview.context["token"]},
    )
    assert confirmed.status_code == 302


def people(unit: Unit, count: int, **fields) -> list[User]:
    return [UserFactory(unit=unit, **fields) for _ in range(count)]


def compute_and_approve_units(contest: Contest) -> UnitResult:
    bench = judge()
    page = admin_action(bench, Contest, "compute_unit_results", [contest])
    assert "Đã thực hiện." in messages_of(page)
    result = UnitResult.objects.get(contest=contest)
    admin_action(bench, UnitResult, "approve", [result])
    return UnitResult.objects.get(pk=result.pk)


def prizes(result: RoundResult) -> list[tuple[int, str, int]]:
    return list(
        ResultRow.objects.filter(result=result)
        .order_by("rank")
        .values_list("user_id", "prize_name", "prize_amount_vnd")
    )


def register(contest: Contest, unit: Unit | None, **fields: str) -> Client:
    """A person registering on the contest's own registration page."""
    browser = Client()
    url = reverse("rounds:contest-register", kwargs={"slug": contest.slug})
    data = {
        "gender": User.Gender.MALE,
        "email": "",
        "citizen_id": "",
        "unit": str(unit.pk) if unit else "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy_consent": "on",
        **solved_challenge(browser, url),
        **fields,
    }
    response = browser.post(url, data)
    browser.response = response
    return browser


def test_a_foreigner_and_a_vietnamese_citizen_register_take_part_and_win(plan):
    contest, round_ = plan["contest"], plan["round"]
    ward = plan["wards"]["Nhân Chính"]

    foreigner = register(
        contest,
        ward,
        full_name="John Michael Smith",
        date_of_birth="12/03/1985",
        nationality="US",
        phone="+1 202 555 0123",
        occupation=User.Occupation.WORKER,
    )
    citizen = register(
        contest,
        plan["departments"]["Phòng Nội vụ"],
        full_name="Nguyễn Thị Thu Hà",
        date_of_birth="20/10/1992",
        gender=User.Gender.FEMALE,
        nationality="VN",
        phone="0912 345 678",
        citizen_id="001192012345",
        occupation=User.Occupation.CIVIL_SERVANT,
    )
    john = User.objects.get(full_name="John Michael Smith")
    ha = User.objects.get(full_name="Nguyễn Thị Thu Hà")
    take(john, round_, correct=QUESTIONS, at=at(0), seconds=300)
    take(ha, round_, correct=QUESTIONS - 1, at=at(5), seconds=200)
    result = compute_and_approve(round_)

    contest_page = reverse("rounds:contest-detail", kwargs={"slug": contest.slug})
    assert foreigner.response.status_code == 302
    assert foreigner.response.url == contest_page
    assert citizen.response.url == contest_page
    assert (john.phone, john.nationality, john.citizen_id) == (
        "+12025550123",
        "US",
        None,
    )
    assert john.unit == ward
    assert (ha.phone, ha.nationality, ha.citizen_id) == (
        "0912345678",
        "VN",
        "001192012345",
    )
    assert prizes(result) == [
        (john.pk, "Giải Nhất", 3_000_000),
        (ha.pk, "Giải Nhất", 3_000_000),
    ]


def test_a_person_turning_14_that_day_is_admitted_and_one_aged_13_is_refused(plan):
    contest, round_ = plan["contest"], plan["round"]
    ward = plan["wards"]["Khương Mai"]
    # Both are pupils of a lower secondary school (THCS) of the ward.
    birthday = UserFactory(
        unit=ward, occupation=User.Occupation.STUDENT, date_of_birth=date(2009, 9, 5)
    )
    thirteen = UserFactory(
        unit=ward, occupation=User.Occupation.STUDENT, date_of_birth=date(2009, 9, 6)
    )
    # Half past midnight in Hà Nội is still the 4th in UTC: the day is Vietnam's.
    just_after_midnight = datetime(2023, 9, 5, 0, 30, tzinfo=VN)

    admitted = services.attempt_start(
        user=birthday, round_=round_, now=just_after_midnight
    )
    with pytest.raises(ValidationError) as refused:
        services.attempt_start(user=thirteen, round_=round_, now=just_after_midnight)
    problem = services.registration_problem(
        contest=contest,
        date_of_birth=thirteen.date_of_birth,
        unit=ward,
        now=just_after_midnight,
        occupation=User.Occupation.STUDENT,
    )

    assert not admitted.attempt.is_practice
    assert refused.value.code == "under_age"
    assert refused.value.messages == ["Bạn chưa đủ 14 tuổi để tham gia cuộc thi này."]
    assert not thirteen.attempts.exists()
    assert (problem.field, problem.code) == ("date_of_birth", "under_age")
    assert problem.message == "Bạn chưa đủ 14 tuổi để tham gia cuộc thi này."


def test_registration_needs_full_details_and_a_unit_of_the_district(plan):
    contest = plan["contest"]
    # "Sinh sống và làm việc trên địa bàn thành phố Hà Nội": the portal knows it
    # by the unit, chosen from the district's list of departments and wards.
    offered = {
        unit
        for _label, options in Client()
        .get(reverse("rounds:contest-register", kwargs={"slug": contest.slug}))
        .context["form"]
        .fields["unit"]
        .widget.choices
        if isinstance(options, list)
        for unit, _name in options
    }

    incomplete = register(
        contest,
        None,
        full_name="Trần Văn Thiếu",
        date_of_birth="",
        nationality="VN",
        phone="0987 654 321",
        occupation=User.Occupation.WORKER,
    )

    errors = incomplete.response.context["form"].errors
    assert incomplete.response.status_code == 200
    assert {"date_of_birth", "unit"} <= set(errors)
    assert not User.objects.filter(full_name="Trần Văn Thiếu").exists()
    units = [plan["district"], *plan["departments"].values(), *plan["wards"].values()]
    assert {unit.pk for unit in units} <= offered


def test_committee_jury_and_support_team_are_refused_but_their_colleagues_are_not(
    plan,
):
    round_, committee = plan["round"], plan["committee"]
    colleague = UserFactory(unit=plan["departments"]["Phòng Tư pháp"])

    refusals = {}
    for role, member in committee.items():
        with pytest.raises(ValidationError) as refused:
            services.attempt_start(user=member, round_=round_, now=at(0))
        refusals[role] = (refused.value.code, refused.value.messages[0])
    admitted = services.attempt_start(user=colleague, round_=round_, now=at(0))

    message = (
        "Thành viên Ban Tổ chức, Ban Giám khảo, Tổ soạn thảo câu hỏi và Tổ thư ký "
        "không được tham gia cuộc thi."
    )
    assert refusals == dict.fromkeys(
        ("organizer", "judge", "secretariat", "technical"), ("contest_role", message)
    )
    assert not admitted.attempt.is_practice
    assert not any(member.attempts.exists() for member in committee.values())


def test_individual_prizes_are_2_first_4_second_10_third_and_15_consolation(plan):
    round_ = plan["round"]
    units = [*plan["wards"].values(), *plan["departments"].values()]
    contestants = [UserFactory(unit=units[n % len(units)]) for n in range(32)]
    # Listed best first: fewer correct answers every fourth, else a longer time.
    for n, person in enumerate(contestants):
        take(
            person,
            round_,
            correct=QUESTIONS - n // 4,
            at=at(n),
            seconds=100 + 10 * (n % 4) + (n // 4),
        )

    result = compute_and_approve(round_)

    expected = (
        [("Giải Nhất", 3_000_000)] * 2
        + [("Giải Nhì", 1_500_000)] * 4
        + [("Giải Ba", 1_000_000)] * 10
        + [("Giải Khuyến khích", 500_000)] * 15
        + [("", 0)]  # the 32nd: 31 prizes in all
    )
    assert result.status == RoundResult.Status.APPROVED
    assert prizes(result) == [
        (person.pk, *prize) for person, prize in zip(contestants, expected, strict=True)
    ]
    assert sum(amount for _pk, _name, amount in prizes(result)) == 29_500_000


def test_collective_prizes_go_to_1_first_2_second_and_3_third_units(plan):
    contest, round_ = plan["contest"], plan["round"]
    wards, departments = plan["wards"], plan["departments"]
    entrants = [
        (wards["Thanh Xuân Bắc"], 7),
        (departments["Phòng Giáo dục và Đào tạo"], 6),
        (wards["Hạ Đình"], 5),
        (wards["Phương Liệt"], 4),
        (departments["Phòng Tài chính - Kế hoạch"], 3),
        (wards["Thượng Đình"], 2),
        (wards["Kim Giang"], 1),
    ]
    minute = 0
    for unit, count in entrants:
        for person in people(unit, count):
            minute += 1
            take(person, round_, correct=15, at=at(minute))
    compute_and_approve(round_)

    result = compute_and_approve_units(contest)

    ranked = list(
        UnitResultRow.objects.filter(result=result, rank__isnull=False)
        .order_by("rank")
        .values_list("unit_id", "participants", "prize_name", "prize_amount_vnd")
    )
    listed = UnitResultRow.objects.filter(result=result, group_name=GROUP)
    assert result.status == RoundResult.Status.APPROVED
    assert ranked == [
        (entrants[0][0].pk, 7, "Giải Nhất tập thể", 5_000_000),
        (entrants[1][0].pk, 6, "Giải Nhì tập thể", 3_500_000),
        (entrants[2][0].pk, 5, "Giải Nhì tập thể", 3_500_000),
        (entrants[3][0].pk, 4, "Giải Ba tập thể", 2_500_000),
        (entrants[4][0].pk, 3, "Giải Ba tập thể", 2_500_000),
        (entrants[5][0].pk, 2, "Giải Ba tập thể", 2_500_000),
        (entrants[6][0].pk, 1, "", 0),
    ]
    # The office, the departments and the 11 wards are ranked together; those
    # nobody of which took part are listed, not ranked.
    ours = [plan["district"], *departments.values(), *wards.values()]
    idle = listed.filter(unit__in=ours, rank__isnull=True)
    assert listed.filter(unit__in=ours).count() == 1 + len(DEPARTMENTS) + 11
    assert idle.count() == 1 + len(DEPARTMENTS) + 11 - len(entrants)
    assert set(idle.values_list("not_ranked_because", flat=True)) == {"no_participants"}


def test_a_person_of_a_ward_counts_for_the_ward_not_also_for_the_district_office(
    plan,
):
    contest, round_, district = plan["contest"], plan["round"], plan["district"]
    ward = plan["wards"]["Thanh Xuân Trung"]
    department = plan["departments"]["Phòng Văn hóa và Thông tin"]
    groups = [(ward, 3), (district, 2), (department, 1)]
    minute = 0
    for unit, count in groups:
        for person in people(unit, count):
            minute += 1
            take(person, round_, correct=12, at=at(minute))
    compute_and_approve(round_)

    result = compute_and_approve_units(contest)

    rows = {
        row.unit_id: row
        for row in UnitResultRow.objects.filter(result=result, rank__isnull=False)
    }
    assert {
        unit_id: (row.rank, row.participants, row.headcount)
        for unit_id, row in rows.items()
    } == {
        ward.pk: (1, 3, 30),
        # Only the office's own 2 people and its own 40 staff: not the wards'
        # or the departments' people, who count for their own units.
        district.pk: (2, 2, 40),
        department.pk: (3, 1, 12),
    }
    assert sum(row.participants for row in rows.values()) == 6
    assert str(rows[district.pk].rate_percent) == "5.00"


def test_the_committee_adjusts_the_prize_structure_until_the_list_is_approved(plan):
    office, round_ = plan["office"], plan["round"]
    contestants = people(plan["wards"]["Khương Trung"], 8)
    for n, person in enumerate(contestants):
        take(person, round_, correct=QUESTIONS - n, at=at(n))
    bench = judge()
    admin_action(bench, Round, "compute_results", [round_])
    result = RoundResult.objects.get(round=round_)
    before = [name for _pk, name, _amount in prizes(result)]
    first = PrizeTier.objects.get(contest=plan["contest"], name="Giải Nhất")

    # Sponsorship (xã hội hóa) adds a first prize and raises its amount.
    admin_change(office, first, {"count": 3, "amount_vnd": 4_000_000})
    admin_action(bench, RoundResult, "recompute", [result])
    adjusted = prizes(result)
    admin_approve(bench, result)
    admin_change(office, first, {"count": 1, "amount_vnd": 2_000_000})
    late = admin_action(bench, RoundResult, "recompute", [result])

    assert before == ["Giải Nhất"] * 2 + ["Giải Nhì"] * 4 + ["Giải Ba"] * 2
    assert adjusted == [
        (person.pk, *prize)
        for person, prize in zip(
            contestants,
            [("Giải Nhất", 4_000_000)] * 3
            + [("Giải Nhì", 1_500_000)] * 4
            + [("Giải Ba", 1_000_000)],
            strict=True,
        )
    ]
    assert "Kết quả tuần thi đã được phê duyệt, không thể thay đổi." in messages_of(
        late
    )
    frozen = RoundResult.objects.get(pk=result.pk)
    assert frozen.status == RoundResult.Status.APPROVED
    assert prizes(frozen) == adjusted
    assert [t for t in frozen.ruleset["tiers"] if t["name"] == "Giải Nhất"] == [
        {
            "id": first.pk,
            "name": "Giải Nhất",
            "count": 3,
            "amount_vnd": 4_000_000,
            "group": "",
        }
    ]


def test_the_committee_adjusts_the_collective_prizes_until_they_are_approved(plan):
    office, contest, round_ = plan["office"], plan["contest"], plan["round"]
    wards = plan["wards"]
    minute = 0
    for name, count in [("Khương Đình", 3), ("Hạ Đình", 2), ("Nhân Chính", 1)]:
        for person in people(wards[name], count):
            minute += 1
            take(person, round_, correct=10, at=at(minute))
    compute_and_approve(round_)
    bench = judge()
    first = PrizeTier.objects.get(contest=contest, name="Giải Nhất tập thể")
    admin_change(office, first, {"count": 2, "amount_vnd": 6_000_000})

    result = compute_and_approve_units(contest)
    admin_change(office, first, {"count": 1, "amount_vnd": 5_000_000})
    late = admin_action(bench, Contest, "compute_unit_results", [contest])

    assert list(
        UnitResultRow.objects.filter(result=result, rank__isnull=False)
        .order_by("rank")
        .values_list("unit_id", "prize_name", "prize_amount_vnd")
    ) == [
        (wards["Khương Đình"].pk, "Giải Nhất tập thể", 6_000_000),
        (wards["Hạ Đình"].pk, "Giải Nhất tập thể", 6_000_000),
        (wards["Nhân Chính"].pk, "Giải Nhì tập thể", 3_500_000),
    ]
    assert "Kết quả tập thể đã được phê duyệt, không thể thay đổi." in messages_of(late)
    assert UnitResult.objects.get(pk=result.pk).status == RoundResult.Status.APPROVED


def test_the_round_accepts_attempts_only_within_the_chosen_period(plan):
    round_ = plan["round"]
    early, on_time, late = people(plan["wards"]["Phương Liệt"], 3)

    with pytest.raises(ValidationError) as before:
        services.attempt_start(
            user=early, round_=round_, now=OPENS - timedelta(seconds=1)
        )
    opened = services.attempt_start(user=on_time, round_=round_, now=OPENS)
    with pytest.raises(ValidationError) as after:
        services.attempt_start(user=late, round_=round_, now=CLOSES)

    assert before.value.code == "round_not_open"
    assert before.value.messages == [
        "Tuần thi chưa mở. Thời gian mở: 08:00 21/08/2023."
    ]
    assert opened.attempt.deadline == OPENS + timedelta(minutes=20)
    assert opened.attempt.question_count == QUESTIONS
    assert after.value.code == "round_closed"
