"""Rules that must hold whatever the order of work, and settings refused in words."""

from datetime import timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from awards import services
from awards.models import (
    ContestantGroup,
    PrizeTier,
    RankingRules,
    ResultRow,
    RoundResult,
    UnitGroup,
)
from quizzes.models import QuestionRevision
from rounds.models import Contest, Round
from tests.factories import RoundFactory, UserFactory, make_bank, make_finished_attempt
from tests.plans.organizer import admin_errors, organizer
from tests.websec import admin_form_data, staff_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_weeks():
    """Two closed weekly rounds; the same champion tops both, a runner-up each week."""
    now = timezone.now()
    week_1 = RoundFactory(
        opens_at=now - timedelta(days=20), closes_at=now - timedelta(days=13)
    )
    contest = week_1.contest
    week_2 = RoundFactory(
        contest=contest,
        opens_at=now - timedelta(days=12),
        closes_at=now - timedelta(days=5),
    )
    contest.topics.set(make_bank(topics=1, per_topic=5))
    RankingRules.objects.create(contest=contest, one_weekly_prize_per_person=True)
    PrizeTier.objects.create(
        contest=contest, kind="individual", name="Giải nhất", count=1, order=1
    )
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    champion = UserFactory(full_name="Quán Quân")
    runners = {}
    for week in (week_1, week_2):
        at = week.opens_at + timedelta(days=1)
        make_finished_attempt(champion, week, revisions, correct=5, at=at)
        runners[week.pk] = UserFactory()
        make_finished_attempt(runners[week.pk], week, revisions, correct=4, at=at)
    return week_1, week_2, champion, runners


def approved_prizes(user) -> list[str]:
    return list(
        ResultRow.objects.filter(
            user=user,
            prize_tier__isnull=False,
            result__status=RoundResult.Status.APPROVED,
        ).values_list("result__round__name", flat=True)
    )


def test_two_weeks_computed_together_cannot_both_pay_one_person(two_weeks):
    week_1, week_2, champion, runners = two_weeks
    judge = UserFactory(is_staff=True)
    first = services.result_compute(round_=week_1, actor=judge)
    second = services.result_compute(round_=week_2, actor=judge)
    services.result_approve(result=first, actor=judge)

    with pytest.raises(ValidationError) as refused:
        services.result_approve(result=second, actor=judge)
    services.result_approve(
        result=services.result_compute(round_=week_2, actor=judge), actor=judge
    )

    assert refused.value.code == "second_weekly_prize"
    assert "tính lại kết quả" in refused.value.messages[0]
    assert approved_prizes(champion) == [week_1.name]
    assert approved_prizes(runners[week_2.pk]) == [week_2.name]
    skipped = ResultRow.objects.get(result__round=week_2, user=champion)
    assert skipped.skip_reason == "earlier_winner"


def test_a_later_week_approved_first_keeps_its_winner_out_of_the_earlier_one(
    two_weeks,
):
    week_1, week_2, champion, runners = two_weeks
    judge = UserFactory(is_staff=True)
    services.result_approve(
        result=services.result_compute(round_=week_2, actor=judge), actor=judge
    )

    services.result_approve(
        result=services.result_compute(round_=week_1, actor=judge), actor=judge
    )

    assert approved_prizes(champion) == [week_2.name]
    assert approved_prizes(runners[week_1.pk]) == [week_1.name]


def test_without_the_rule_one_person_may_win_every_week(two_weeks):
    week_1, week_2, champion, _runners = two_weeks
    RankingRules.objects.update(one_weekly_prize_per_person=False)
    judge = UserFactory(is_staff=True)

    for week in (week_1, week_2):
        services.result_approve(
            result=services.result_compute(round_=week, actor=judge), actor=judge
        )

    assert sorted(approved_prizes(champion)) == sorted([week_1.name, week_2.name])


def test_the_published_count_of_all_correct_describes_the_published_list():
    """Prediction and time before correct answers: the truth is counted with the
    prediction neutral (time picks the 3/5 attempt, so nobody is 'all correct'),
    yet the list counts the 5/5 attempt whose prediction hits that truth."""
    now = timezone.now()
    round_ = RoundFactory(
        opens_at=now - timedelta(days=8),
        closes_at=now - timedelta(days=1),
        prediction_question="Bao nhiêu người đúng tất cả?",
    )
    round_.contest.topics.set(make_bank(topics=1, per_topic=5))
    RankingRules.objects.create(
        contest=round_.contest,
        counted_attempt="best",
        order=["prediction", "duration", "correct"],
        truth_kind="perfect_people",
    )
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    person = UserFactory()
    at = round_.opens_at + timedelta(days=1)
    make_finished_attempt(
        person, round_, revisions, correct=5, at=at, duration_ms=90_000, prediction=0
    )
    make_finished_attempt(
        person,
        round_,
        revisions,
        correct=3,
        at=at + timedelta(hours=1),
        duration_ms=30_000,
        prediction=9,
    )

    result = services.result_compute(round_=round_, actor=UserFactory(is_staff=True))

    (row,) = result.rows.all()
    assert (result.prediction_truth, row.correct, row.question_count) == (0, 5, 5)
    assert result.perfect_people == 1


# --- settings that could never award -------------------------------------------------


@pytest.fixture
def contest_page():
    round_ = RoundFactory()
    client = organizer()
    url = reverse("admin:rounds_contest_change", args=[round_.contest.pk])
    return round_.contest, client, url


def post_with(client, url, extra: dict):
    data = admin_form_data(client.get(url))
    data.update(extra)
    return client.post(url, data)


def groups_rows(*groups: tuple[str, list[str]]) -> dict:
    data = {"contestant_groups-TOTAL_FORMS": str(len(groups))}
    for i, (name, occupations) in enumerate(groups):
        data[f"contestant_groups-{i}-name"] = name
        data[f"contestant_groups-{i}-occupations"] = occupations
    return data


def test_an_occupation_in_two_contestant_groups_is_refused_in_words(contest_page):
    contest, client, url = contest_page

    response = post_with(
        client,
        url,
        groups_rows(
            ("CBCCVC", ["civil_servant"]), ("Nhân dân", ["civil_servant", "other"])
        ),
    )

    assert response.status_code == 200
    assert any(
        "«Cán bộ, công chức, viên chức» có trong hai nhóm thí sinh" in str(e)
        for e in admin_errors(response)
    )
    assert not ContestantGroup.objects.filter(contest=contest).exists()


def test_an_ungrouped_tier_in_a_grouped_contest_is_refused_in_words(contest_page):
    contest, client, url = contest_page
    ContestantGroup.objects.create(
        contest=contest, name="CBCCVC", occupations=["civil_servant"]
    )

    response = post_with(
        client,
        url,
        {
            "prize_tiers-TOTAL_FORMS": "1",
            "prize_tiers-0-order": "1",
            "prize_tiers-0-kind": "individual",
            "prize_tiers-0-name": "Giải nhất",
            "prize_tiers-0-count": "1",
            "prize_tiers-0-amount_vnd": "1000000",
        },
    )

    assert response.status_code == 200
    assert any(
        "Giải cá nhân «Giải nhất» chưa chọn nhóm thí sinh" in str(e)
        for e in admin_errors(response)
    )
    assert not PrizeTier.objects.filter(contest=contest).exists()


def test_a_collective_tier_without_a_unit_group_is_refused_in_words(contest_page):
    contest, client, url = contest_page

    response = post_with(
        client,
        url,
        {
            "prize_tiers-TOTAL_FORMS": "1",
            "prize_tiers-0-order": "1",
            "prize_tiers-0-kind": "collective",
            "prize_tiers-0-name": "Giải tập thể",
            "prize_tiers-0-count": "1",
            "prize_tiers-0-amount_vnd": "1000000",
        },
    )

    assert any("chưa chọn nhóm đơn vị" in str(e) for e in admin_errors(response))
    assert not PrizeTier.objects.filter(contest=contest).exists()


def test_settings_saved_outside_the_admin_are_refused_at_compute_not_crashed():
    now = timezone.now()
    round_ = RoundFactory(
        opens_at=now - timedelta(days=3), closes_at=now - timedelta(days=1)
    )
    contest = round_.contest
    ContestantGroup.objects.create(contest=contest, name="A", occupations=["other"])
    PrizeTier.objects.create(contest=contest, kind="individual", name="G", count=1)
    browser = Client()
    browser.force_login(staff_in("Ban Giám khảo"))

    response = browser.post(
        reverse("admin:rounds_round_changelist"),
        {"action": "compute_results", "_selected_action": [round_.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "chưa chọn nhóm thí sinh" in response.content.decode()
    assert not RoundResult.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("order", ["correct", "no-such-criterion"]),
        ("order", "correct"),
        ("counted_attempt", "median"),
        ("unit_tie_break", ["rate", "rate"]),
    ],
    ids=["unknown-criterion", "not-a-list", "unknown-policy", "repeated-tie-break"],
)
def test_a_broken_stored_rule_gives_a_message_not_a_server_error(field, value):
    now = timezone.now()
    round_ = RoundFactory(
        opens_at=now - timedelta(days=3), closes_at=now - timedelta(days=1)
    )
    RankingRules.objects.create(contest=round_.contest)
    UnitGroup.objects.create(contest=round_.contest, name="Xã", levels=["commune"])
    RankingRules.objects.update(**{field: value})
    judge = UserFactory(is_staff=True)
    if field == "unit_tie_break":
        services.result_approve(
            result=services.result_compute(round_=round_, actor=judge), actor=judge
        )

        def work():
            return services.unit_result_compute(contest=round_.contest, actor=judge)
    else:

        def work():
            return services.result_compute(round_=round_, actor=judge)

    with pytest.raises(ValidationError) as refused:
        work()

    assert refused.value.code == "invalid_rules"


# --- no JSON text boxes -------------------------------------------------------------


@pytest.mark.parametrize(
    "url_of",
    [
        lambda contest, round_: reverse("admin:rounds_contest_add"),
        lambda contest, round_: reverse(
            "admin:rounds_contest_change", args=[contest.pk]
        ),
        lambda contest, round_: reverse("admin:rounds_round_add"),
        lambda contest, round_: reverse("admin:rounds_round_change", args=[round_.pk]),
    ],
    ids=["contest-add", "contest-change", "round-add", "round-change"],
)
def test_no_form_an_organizer_uses_asks_for_json(url_of):
    round_ = RoundFactory()
    RankingRules.objects.create(contest=round_.contest)
    client = organizer()

    response = client.get(url_of(round_.contest, round_))

    forms_shown = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms_shown += [inline.formset.empty_form, *inline.formset.forms]
    json_fields = [
        name
        for form in forms_shown
        for name, field in form.fields.items()
        if isinstance(field, forms.JSONField)
    ]
    assert response.status_code == 200
    assert json_fields == []


def test_the_ranking_order_is_picked_from_numbered_vietnamese_choices():
    round_ = RoundFactory()
    RankingRules.objects.create(contest=round_.contest)
    client = organizer()

    html = client.get(
        reverse("admin:rounds_contest_change", args=[round_.contest.pk])
    ).content.decode()

    assert 'name="ranking_rules-0-order_0"' in html
    assert 'aria-label="Thứ 1"' in html
    assert "Dự đoán gần đáp án hơn" in html


def test_a_ranking_order_picked_twice_is_refused(contest_page):
    contest, client, url = contest_page
    RankingRules.objects.create(contest=contest)

    response = post_with(
        client,
        url,
        {"ranking_rules-0-order_0": "correct", "ranking_rules-0-order_1": "correct"},
    )

    assert response.status_code == 200
    assert RankingRules.objects.get(contest=contest).order == [
        "correct",
        "prediction",
        "duration",
        "submitted",
    ]
    assert Round.objects.filter(contest=contest).exists()
    assert Contest.objects.filter(pk=contest.pk).exists()


def test_pages_still_answer_while_a_stored_rule_is_broken(client):
    now = timezone.now()
    round_ = RoundFactory(
        opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=3)
    )
    round_.contest.topics.set(make_bank(topics=1, per_topic=5))
    RankingRules.objects.create(contest=round_.contest, live_leaderboard=True)
    person = UserFactory()
    make_finished_attempt(
        person,
        round_,
        list(QuestionRevision.objects.order_by("pk")[:5]),
        correct=4,
        at=now - timedelta(hours=1),
    )
    RankingRules.objects.update(order=["correct", "typo"], counted_attempt="median")
    client.force_login(person)

    result_page = client.get(
        reverse(
            "rounds:attempt-result",
            kwargs={"public_id": person.attempts.get().public_id},
        )
    )
    public = client.get(reverse("awards:round-results", kwargs={"round_id": round_.pk}))
    contest = client.get(
        reverse("rounds:contest-detail", kwargs={"slug": round_.contest.slug})
    )

    assert (result_page.status_code, public.status_code) == (200, 200)
    assert 'id="counted">4/5 câu, lượt 1<' in result_page.content.decode()
    assert contest.status_code == 200


def test_a_qualifying_prize_never_costs_the_final_prize_with_one_weekly_prize():
    now = timezone.now()
    qualifying = RoundFactory(
        stage="qualifying",
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=13),
    )
    contest = qualifying.contest
    final = RoundFactory(
        contest=contest,
        stage="final",
        qualifying_round=qualifying,
        opens_at=now - timedelta(days=12),
        closes_at=now - timedelta(days=5),
    )
    contest.topics.set(make_bank(topics=1, per_topic=5))
    RankingRules.objects.create(contest=contest, one_weekly_prize_per_person=True)
    for name, stage in [("Giải vòng loại", "qualifying"), ("Giải nhất", "")]:
        PrizeTier.objects.create(
            contest=contest, kind="individual", name=name, count=1, stage=stage
        )
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    champion = UserFactory()
    judge = UserFactory(is_staff=True)
    for round_ in (qualifying, final):
        make_finished_attempt(
            champion,
            round_,
            revisions,
            correct=5,
            at=round_.opens_at + timedelta(days=1),
        )
        services.result_approve(
            result=services.result_compute(round_=round_, actor=judge), actor=judge
        )

    prizes = dict(
        ResultRow.objects.filter(user=champion).values_list(
            "result__round__stage", "prize_name"
        )
    )
    assert prizes == {"qualifying": "Giải vòng loại", "final": "Giải nhất"}
