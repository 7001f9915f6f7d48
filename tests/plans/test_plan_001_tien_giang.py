"""Seed 001: Tiền Giang province's contest on e-government towards digital
government (2019-2020).

The plan's rules, each a test below:
- Vietnamese citizens aged 12 or more, living or working in the province;
- members of the organizing committee, the jury, the support team and the other
  bodies taking part in organizing the contest (question authors, technicians) do
  not take part;
- 60 multiple-choice questions in at most 45 minutes, scored automatically and
  shown at once: the number of correct answers and the completion time;
- two rounds: a qualifying round inside each provincial body, district People's
  Committee (its communes and offices included) and enterprise, whose top 10
  reach the final; the final for the qualifiers only;
- the qualifying round awards no prize of the contest (each unit gives its own);
- the final is scored for individuals: 1 first prize of 10,000,000 VND, 2 second
  of 7,000,000, 3 third of 5,000,000, 10 consolation of 3,000,000; a qualifying
  round's winner may take any of them;
- and for units: 1 first prize of 20,000,000 VND, 1 second of 15,000,000, 2 third
  of 10,000,000 and 6 consolation of 5,000,000, over the final only. The plan
  names no collective criterion: units rank by their finalists' mean score, then
  their mean completion time, a district with its communes and offices.

Not a rule of the software: the certificates of merit for the 10 bodies that best
organized their qualifying round (II.5.c) are chosen by the committee from their
reports, with an amount "as regulated", so nothing is computed for them.

The plan names quarters, not dates: the qualifying round is set over the second
quarter of 2020 and the final, a single sitting of everyone, on a morning of the
third quarter. It states no ranking order: the result it shows is the number of
correct answers and the completion time, so people rank by correct answers, then
the shorter time (then, always, the earlier submission).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import Unit, User
from awards.models import (
    PrizeTier,
    RankingRules,
    RoundResult,
    UnitResult,
    UnitResultRow,
)
from rounds import services
from rounds.models import (
    Attempt,
    Contest,
    ContestCommitteeMember,
    Round,
    RoundQualifier,
)
from tests.factories import UserFactory, make_bank
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
# Quarter II of 2020: the units hold their qualifying rounds.
QUALIFYING_OPENS = datetime(2020, 4, 1, 7, 0, tzinfo=VN)
QUALIFYING_CLOSES = datetime(2020, 7, 1, 0, 0, tzinfo=VN)
# Quarter III of 2020, before the XIth provincial Party Congress: the final.
FINAL_OPENS = datetime(2020, 8, 22, 8, 0, tzinfo=VN)
FINAL_CLOSES = datetime(2020, 8, 22, 10, 0, tzinfo=VN)
QUESTIONS = 60
TIME_LIMIT = 45 * 60
# The bodies that hold a qualifying round (II.4.a, III.6-8): provincial
# departments, bodies and unions; district People's Committees; enterprises,
# colleges and universities (level "other").
QUALIFYING_LEVELS = ["provincial_department", "district", "other"]

INDIVIDUAL_PRIZES = [
    ("Giải nhất", 1, 10_000_000),
    ("Giải nhì", 2, 7_000_000),
    ("Giải ba", 3, 5_000_000),
    ("Giải khuyến khích", 10, 3_000_000),
]
COLLECTIVE_PRIZES = [
    ("Giải nhất tập thể", 1, 20_000_000),
    ("Giải nhì tập thể", 1, 15_000_000),
    ("Giải ba tập thể", 2, 10_000_000),
    ("Giải khuyến khích tập thể", 6, 5_000_000),
]
ROLES = ["organizer", "judge", "secretariat", "author", "technical"]


def unit(office: Client, name: str, code: str, level: str, parent=None) -> Unit:
    return admin_add(
        office,
        Unit,
        {"name": name, "code": code, "level": level, "parent": parent, "headcount": 20},
    )


@pytest.fixture
def plan():
    """The contest as the organizer sets it up in the admin, before anyone plays."""
    office = organizer()
    province = unit(office, "UBND tỉnh Tiền Giang", "TG", "province")
    units = {
        "noi_vu": unit(office, "Sở Nội vụ", "TG-SNV", "provincial_department", province),
        "tttt": unit(
            office, "Sở Thông tin và Truyền thông", "TG-STTTT",
            "provincial_department", province,
        ),
        "cai_be": unit(office, "UBND huyện Cái Bè", "TG-CB", "district", province),
        "vnpt": unit(office, "Viễn thông Tiền Giang", "TG-VNPT", "other", province),
    }  # fmt: skip
    units["an_huu"] = unit(
        office, "UBND xã An Hữu", "CB-AH", "commune", units["cai_be"]
    )
    units["hau_my"] = unit(
        office, "UBND xã Hậu Mỹ Bắc A", "CB-HMBA", "commune", units["cai_be"]
    )
    units["van_phong"] = unit(
        office,
        "Văn phòng HĐND và UBND huyện Cái Bè",
        "CB-VP",
        "district_department",
        units["cai_be"],
    )
    topics = make_bank(topics=2, per_topic=30)  # the question authors' work
    members = {
        role: UserFactory(
            full_name=f"Thành viên {role}",
            unit=units["noi_vu"] if n % 2 else units["tttt"],
        )
        for n, role in enumerate(ROLES)
    }
    contest = admin_add(
        office,
        Contest,
        {
            "title": "Tìm hiểu về Chính quyền điện tử hướng tới Chính quyền số "
            "tỉnh Tiền Giang năm 2019 - 2020",
            "slug": "chinh-quyen-dien-tu-tien-giang-2020",
            "topics": topics,
            "min_age": 12,
            # The plan never publishes the answer key, and the final draws from
            # the same bank as the qualifying round.
            "review_policy": Contest.ReviewPolicy.NEVER,
        },
        inlines={
            "unit_groups": [
                {
                    "name": "Cơ quan, đơn vị, địa phương, doanh nghiệp",
                    "levels": QUALIFYING_LEVELS,
                }
            ],
            "committee": [{"user": members[role], "role": role} for role in ROLES],
        },
    )
    round_fields = {
        "contest": contest,
        "question_count": QUESTIONS,
        "time_limit_seconds": TIME_LIMIT,
        # The plan speaks of one sitting per round, never of retries.
        "max_attempts": 1,
        "prediction_question": "",
        "grace_seconds": 10,
        "min_seconds_per_question": 2,
    }
    qualifying = admin_add(
        office,
        Round,
        {
            **round_fields,
            "name": "Vòng loại",
            "opens_at": QUALIFYING_OPENS,
            "closes_at": QUALIFYING_CLOSES,
            "stage": "qualifying",
            "qualify_per_unit": 10,
            "qualify_unit_levels": QUALIFYING_LEVELS,
        },
    )
    final = admin_add(
        office,
        Round,
        {
            **round_fields,
            "name": "Vòng chung kết",
            "opens_at": FINAL_OPENS,
            "closes_at": FINAL_CLOSES,
            "stage": "final",
            "qualifying_round": qualifying,
            "qualify_per_unit": 10,
        },
    )
    group = contest.unit_groups.get()
    contest = admin_change(
        office,
        contest,
        inlines={
            "ranking_rules": [
                {
                    "counted_attempt": "best",
                    "order": ["correct", "duration"],
                    "truth_kind": "perfect_people",  # no prediction question
                    # "The final is scored for units": the finalists' mean score,
                    # then their mean completion time, over the final only.
                    "unit_metric": "average_score",
                    "unit_tie_break": ["average_duration"],
                    "unit_rounds": [final],
                }
            ],
            "prize_tiers": [
                *(
                    {"order": n, "kind": "individual", "stage": "final",
                     "name": name, "count": count, "amount_vnd": amount}
                    for n, (name, count, amount) in enumerate(INDIVIDUAL_PRIZES, 1)
                ),
                *(
                    {"order": 10 + n, "kind": "collective", "unit_group": group,
                     "name": name, "count": count, "amount_vnd": amount}
                    for n, (name, count, amount) in enumerate(COLLECTIVE_PRIZES, 1)
                ),
            ],
        },
    )  # fmt: skip
    return contest, qualifying, final, units, members, office


def people(unit_: Unit, count: int, **fields) -> list[User]:
    return [UserFactory(unit=unit_, **fields) for _ in range(count)]


def sit(round_: Round, scores: list[tuple[User, int, int]]) -> None:
    """Each (person, correct, minutes) sits the round once, one minute apart."""
    opens = round_.opens_at
    for n, (person, correct, minutes) in enumerate(scores):
        take(
            person,
            round_,
            correct=correct,
            at=opens + timedelta(minutes=n),
            seconds=minutes * 60,
        )


def qualify(qualifying: Round, finalists: list[User]) -> RoundResult:
    """The finalists pass the qualifying round, which is then approved."""
    sit(qualifying, [(person, 45, 30) for person in finalists])
    return compute_and_approve(qualifying)


def prizes(result: RoundResult) -> list[tuple[int, str, int]]:
    return list(
        result.rows.order_by("rank").values_list(
            "user_id", "prize_name", "prize_amount_vnd"
        )
    )


def test_contestants_are_aged_12_or_more_on_the_day_they_sit(plan):
    _contest, qualifying, _final, units, _members, _office = plan
    on = datetime(2020, 4, 15, 9, 0, tzinfo=VN)
    twelve_today, twelve_tomorrow = (
        UserFactory(
            unit=units["an_huu"],
            occupation=User.Occupation.STUDENT,
            date_of_birth=born,
        )
        for born in (date(2008, 4, 15), date(2008, 4, 16))
    )

    problems = [
        services.registration_problem(
            contest=Contest.objects.get(pk=qualifying.contest_id),
            date_of_birth=pupil.date_of_birth,
            unit=units["an_huu"],
            now=on,
            occupation=User.Occupation.STUDENT,
        )
        for pupil in (twelve_today, twelve_tomorrow)
    ]
    admitted = services.attempt_start(user=twelve_today, round_=qualifying, now=on)
    with pytest.raises(ValidationError) as refused:
        services.attempt_start(user=twelve_tomorrow, round_=qualifying, now=on)

    assert problems[0] is None
    assert (problems[1].field, problems[1].code) == ("date_of_birth", "under_age")
    assert problems[1].message == "Bạn chưa đủ 12 tuổi để tham gia cuộc thi này."
    assert not admitted.attempt.is_practice
    assert refused.value.code == "under_age"
    assert not twelve_tomorrow.attempts.exists()


def test_contestants_live_or_work_in_the_province_so_each_names_a_unit_of_it(plan):
    _contest, qualifying, _final, units, _members, _office = plan
    on = datetime(2020, 4, 15, 9, 0, tzinfo=VN)
    resident = UserFactory(unit=units["hau_my"], occupation=User.Occupation.OTHER)
    unplaced = UserFactory(unit=None, occupation=User.Occupation.OTHER)

    admitted = services.attempt_start(user=resident, round_=qualifying, now=on)
    with pytest.raises(ValidationError) as refused:
        services.attempt_start(user=unplaced, round_=qualifying, now=on)

    assert not admitted.attempt.is_practice
    assert refused.value.code == "missing_unit"
    assert not unplaced.attempts.exists()


def test_only_vietnamese_citizens_take_part(plan):
    contest, qualifying, _final, units, _members, office = plan
    on = datetime(2020, 4, 15, 9, 0, tzinfo=VN)
    admin_change(office, contest, {"allowed_nationalities": ["VN"]})
    engineer = UserFactory(
        unit=units["vnpt"], occupation=User.Occupation.WORKER, nationality="KR"
    )

    with pytest.raises(ValidationError) as refused:
        services.attempt_start(user=engineer, round_=qualifying, now=on)

    assert refused.value.code == "nationality_not_allowed"
    assert not engineer.attempts.exists()


def test_committee_jury_support_team_and_organizing_staff_may_not_take_part(plan):
    _contest, qualifying, _final, units, members, _office = plan
    on = datetime(2020, 4, 15, 9, 0, tzinfo=VN)
    # Only the members themselves: the plan does not exclude their colleagues.
    colleagues = people(units["noi_vu"], 1) + people(units["tttt"], 1)

    refusals = {}
    for role, member in members.items():
        with pytest.raises(ValidationError) as refused:
            services.attempt_start(user=member, round_=qualifying, now=on)
        refusals[role] = refused.value.code
    admitted = [
        services.attempt_start(user=person, round_=qualifying, now=on).attempt
        for person in colleagues
    ]

    assert refusals == dict.fromkeys(ROLES, "contest_role")
    assert dict(ContestCommitteeMember.objects.values_list("user_id", "role")) == {
        member.pk: role for role, member in members.items()
    }
    assert not Attempt.objects.filter(user__in=members.values()).exists()
    assert {a.user.unit for a in admitted} == {m.unit for m in members.values()}
    assert not any(a.is_practice for a in admitted)


def test_each_round_draws_60_questions_to_answer_in_at_most_45_minutes(plan):
    _contest, qualifying, final, units, _members, _office = plan
    on_time, late = people(units["noi_vu"], 2)

    in_time = take(on_time, qualifying, correct=60, at=QUALIFYING_OPENS, seconds=2699)
    overdue = take(late, qualifying, correct=60, at=QUALIFYING_OPENS, seconds=46 * 60)

    assert (final.question_count, final.time_limit_seconds) == (60, 45 * 60)
    assert len(in_time.draw) == in_time.question_count == 60
    assert len({revision for revision, _choices in in_time.draw}) == 60
    assert in_time.deadline - in_time.started_at == timedelta(minutes=45)
    assert (in_time.correct_count, in_time.duration_ms) == (60, 2_699_000)
    assert in_time.finished_by == Attempt.FinishedBy.CONTESTANT
    # Past 45 minutes (and the network grace) the attempt ends at its deadline,
    # from the answers saved by then: none here.
    assert overdue.finished_by == Attempt.FinishedBy.DEADLINE
    assert (overdue.correct_count, overdue.duration_ms) == (0, 45 * 60 * 1000)


def test_the_score_and_completion_time_are_shown_as_soon_as_the_attempt_ends(plan):
    _contest, qualifying, _final, units, _members, _office = plan
    (person,) = people(units["an_huu"], 1)
    attempt = take(
        person, qualifying, correct=57, at=QUALIFYING_OPENS, seconds=20 * 60 + 34
    )
    browser = Client()
    browser.force_login(person)

    page = browser.get(
        reverse("rounds:attempt-result", kwargs={"public_id": attempt.public_id})
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert '<p class="result-score" id="score">57/60</p>' in html
    assert '<dd id="duration"><span class="nowrap">20:34</span> ' in html


def test_each_unit_sends_its_top_10_to_the_final_a_district_with_its_communes(plan):
    _contest, qualifying, final, units, _members, _office = plan
    # Cái Bè district: 4 people in each commune and 3 in its own office, 11 in all.
    district = (
        people(units["an_huu"], 4)
        + people(units["hau_my"], 4)
        + people(units["van_phong"], 3)
    )
    department = people(units["noi_vu"], 2)
    ranked = [*district[:7], district[8], district[9], district[10], district[7]]
    # The district's eleventh (50 correct) still beats the department's two.
    sit(
        qualifying,
        [(p, 60 - n, 30) for n, p in enumerate(ranked)]
        + [(department[0], 40, 30), (department[1], 30, 30)],
    )

    result = compute_and_approve(qualifying)

    qualified = set(
        result.rows.filter(qualified=True).values_list("user_id", flat=True)
    )
    out = set(result.rows.filter(qualified=False).values_list("user_id", flat=True))
    assert out == {district[7].pk}  # a commune's fourth, eleventh of the district
    assert len(qualified & {p.pk for p in district}) == 10  # not 10 per commune
    assert {department[0].pk, department[1].pk} <= qualified  # fewer than 10: all
    assert (
        set(
            RoundQualifier.objects.filter(round=final).values_list("user_id", flat=True)
        )
        == qualified
    )


def test_only_the_qualifiers_take_the_final(plan):
    _contest, qualifying, final, units, _members, _office = plan
    district = people(units["an_huu"], 6) + people(units["van_phong"], 5)
    late_comer = people(units["tttt"], 1)[0]  # never sat the qualifying round
    sit(qualifying, [(p, 60 - n, 30) for n, p in enumerate(district)])
    compute_and_approve(qualifying)
    on = FINAL_OPENS + timedelta(minutes=1)

    admitted = services.attempt_start(user=district[0], round_=final, now=on)
    refusals = []
    for person in (district[10], late_comer):
        with pytest.raises(ValidationError) as refused:
            services.attempt_start(user=person, round_=final, now=on)
        refusals.append(refused.value.code)

    assert admitted.attempt.round == final
    assert refusals == ["not_qualified", "not_qualified"]
    assert RoundQualifier.objects.filter(round=final).count() == 10


def test_the_qualifying_round_awards_no_prize_of_the_contest(plan):
    _contest, qualifying, _final, units, _members, _office = plan
    finalists = people(units["noi_vu"], 3) + people(units["vnpt"], 2)
    sit(qualifying, [(p, 60 - n, 20) for n, p in enumerate(finalists)])

    result = compute_and_approve(qualifying)

    assert result.status == RoundResult.Status.APPROVED
    assert list(result.rows.order_by("rank").values_list("user_id", flat=True)) == [
        p.pk for p in finalists
    ]
    assert not result.rows.exclude(prize_name="").exists()
    assert not result.rows.filter(prize_tier__isnull=False).exists()
    assert result.rows.filter(qualified=True).count() == 5
    assert set(
        PrizeTier.objects.filter(kind="individual").values_list("stage", flat=True)
    ) == {"final"}


def test_final_individual_prizes_one_first_two_second_three_third_ten_consolation(
    plan,
):
    _contest, qualifying, final, units, _members, _office = plan
    finalists = (
        people(units["an_huu"], 4)
        + people(units["hau_my"], 3)
        + people(units["van_phong"], 3)
        + people(units["noi_vu"], 4)
        + people(units["vnpt"], 3, occupation=User.Occupation.WORKER)
    )
    qualify(qualifying, finalists)
    fastest, first_done, *others = finalists
    # Two perfect scores: the shorter completion time takes the first prize,
    # though the other was handed in earlier.
    ranked = [(fastest, 60, 30), (first_done, 60, 31)] + [
        (p, 59 - n, 25) for n, p in enumerate(others)
    ]
    sit(final, [ranked[1], *ranked[2:], ranked[0]])

    result = compute_and_approve(final)

    expected_prizes = [
        (name, amount)
        for name, count, amount in INDIVIDUAL_PRIZES
        for _ in range(count)
    ] + [("", 0)]
    assert len(finalists) == 17
    assert prizes(result) == [
        (person.pk, *prize)
        for (person, _c, _m), prize in zip(ranked, expected_prizes, strict=True)
    ]
    # 10 + 2 x 7 + 3 x 5 + 10 x 3 million dong.
    assert sum(amount for _u, _n, amount in prizes(result)) == 69_000_000


def test_the_qualifying_round_winner_can_still_take_the_final_first_prize(plan):
    contest, qualifying, final, units, _members, _office = plan
    winner, runner_up = people(units["hau_my"], 1) + people(units["tttt"], 1)
    sit(qualifying, [(winner, 60, 20), (runner_up, 59, 20)])
    first_round = compute_and_approve(qualifying)
    sit(final, [(runner_up, 58, 20), (winner, 60, 25)])

    result = compute_and_approve(final)

    assert first_round.rows.get(rank=1).user_id == winner.pk
    assert prizes(result) == [
        (winner.pk, "Giải nhất", 10_000_000),
        (runner_up.pk, "Giải nhì", 7_000_000),
    ]
    # One weekly prize per person does not apply: neither round is a weekly one.
    assert not RankingRules.objects.get(contest=contest).one_weekly_prize_per_person


def test_collective_prizes_rank_units_by_their_final_scores_then_time(plan):
    contest, qualifying, final, units, _members, office = plan
    province = units["noi_vu"].parent
    more = {
        code: unit(office, name, f"TG-{code}", level, province)
        for code, name, level in [
            ("STC", "Sở Tài chính", "provincial_department"),
            ("STP", "Sở Tư pháp", "provincial_department"),
            ("SGD", "Sở Giáo dục và Đào tạo", "provincial_department"),
            ("MT", "UBND thành phố Mỹ Tho", "district"),
            ("CT", "UBND huyện Châu Thành", "district"),
            ("EVN", "Công ty Điện lực Tiền Giang", "other"),
            ("TGU", "Trường Đại học Tiền Giang", "other"),
        ]
    }
    # Cái Bè counts its commune's and its office's finalists: mean 58 of 60.
    cai_be = people(units["an_huu"], 1) + people(units["van_phong"], 1)
    field = [
        (units["noi_vu"], 60, 30),
        (more["STC"], 59, 30),
        (more["SGD"], 57, 20),  # 57 like Sở Tư pháp, but faster on average
        (more["STP"], 57, 40),
        (more["MT"], 56, 30),
        (more["CT"], 55, 30),
        (more["EVN"], 54, 30),
        (more["TGU"], 53, 30),
        (units["tttt"], 52, 30),
        (units["vnpt"], 50, 30),  # the best of the qualifying round, last here
    ]
    singles = {u.pk: people(u, 1)[0] for u, _c, _m in field}
    everyone = cai_be + list(singles.values())
    sit(
        qualifying,
        [(p, 60 if p.unit == units["vnpt"] else 40, 30) for p in everyone],
    )
    compute_and_approve(qualifying)
    sit(
        final,
        [(cai_be[0], 60, 30), (cai_be[1], 56, 30)]
        + [(singles[u.pk], correct, minutes) for u, correct, minutes in field],
    )
    compute_and_approve(final)

    bench = judge()
    page = admin_action(bench, Contest, "compute_unit_results", [contest])
    result = UnitResult.objects.get(contest=contest)
    admin_action(bench, UnitResult, "approve", [result])

    rows = list(
        UnitResultRow.objects.filter(result=result, rank__isnull=False)
        .order_by("rank")
        .values_list("unit_id", "participants", "prize_name", "prize_amount_vnd")
    )
    order = [units["noi_vu"], more["STC"], units["cai_be"]] + [
        u for u, _c, _m in field[2:]
    ]
    expected_prizes = [
        (name, amount)
        for name, count, amount in COLLECTIVE_PRIZES
        for _ in range(count)
    ] + [("", 0)]
    assert "Đã thực hiện." in messages_of(page)
    assert UnitResult.objects.get(pk=result.pk).status == RoundResult.Status.APPROVED
    assert result.ruleset["rounds"] == [final.pk]
    assert rows == [
        (u.pk, 2 if u == units["cai_be"] else 1, *prize)
        for u, prize in zip(order, expected_prizes, strict=True)
    ]
    # The communes and the district's office are counted in the district only.
    assert not UnitResultRow.objects.filter(
        result=result,
        unit__in=[units["an_huu"], units["hau_my"], units["van_phong"]],
    ).exists()
