"""Suspicion flags: each sign on and off at its boundary, shown to judges, rank intact."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from awards import services, suspicion
from awards.models import ResultRow
from awards.suspicion_selectors import round_suspicion_flags
from quizzes.models import QuestionRevision
from reports import exports
from rounds.scoring import answers_fingerprint
from tests.factories import RoundFactory, UserFactory, make_finished_attempt
from tests.reports import open_workbook, records

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2024, 9, 10, 9, 0, tzinfo=VN)
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)
CLOSES = datetime(2024, 9, 29, 23, 50, tzinfo=VN)
AFTER_CLOSE = datetime(2024, 9, 30, 8, 0, tzinfo=VN)
FLAG_COLUMN = "Dấu hiệu bất thường"


# --- pure rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration_ms", "count", "minimum", "expected"),
    [
        (9_999, 5, 2, True),
        (10_000, 5, 2, False),
        (0, 1, 1, True),
        (1, 30, 0, False),
        (59_999, 30, 2, True),
    ],
    ids=["just-under", "exactly-the-minimum", "zero-ms", "check-off", "30-questions"],
)
def test_too_fast_boundary(duration_ms, count, minimum, expected):
    assert (
        suspicion.is_too_fast(
            duration_ms=duration_ms,
            question_count=count,
            min_seconds_per_question=minimum,
        )
        is expected
    )


def registrations(count: int, *, step: timedelta, address: str = "203.0.113.7"):
    return [
        suspicion.Registration(user_id=i, address=address, registered_at=T0 + i * step)
        for i in range(count)
    ]


def test_twenty_accounts_in_one_hour_from_one_address_are_flagged():
    rows = registrations(20, step=timedelta(seconds=180))  # 57 minutes end to end

    flagged = suspicion.crowded_addresses(rows, min_accounts=20)

    assert set(flagged) == set(range(20))
    assert flagged[0] == suspicion.AddressCrowd("203.0.113.7", 20)


def test_nineteen_accounts_are_not_flagged():
    rows = registrations(19, step=timedelta(seconds=1))

    assert suspicion.crowded_addresses(rows, min_accounts=20) == {}


def test_twenty_accounts_spread_over_more_than_an_hour_are_not_flagged():
    rows = registrations(20, step=timedelta(seconds=190))  # 60 min 10 s end to end

    assert suspicion.crowded_addresses(rows, min_accounts=20) == {}


def test_window_ends_are_inclusive():
    rows = registrations(3, step=timedelta(minutes=30))

    flagged = suspicion.crowded_addresses(
        rows, min_accounts=3, window=timedelta(hours=1)
    )

    assert set(flagged) == {0, 1, 2}


def test_accounts_without_an_address_or_from_other_addresses_are_not_counted():
    rows = [
        *registrations(2, step=timedelta(seconds=1)),
        suspicion.Registration(3, None, T0),
        suspicion.Registration(4, "198.51.100.1", T0),
    ]

    assert suspicion.crowded_addresses(rows, min_accounts=3) == {}


def sheet(attempt_id, user_id, answers, *, duration_ms=60_000, at=T0):
    """A sheet of (revision id, choice) answers, fingerprinted as finishing does."""
    fingerprint = answers_fingerprint(
        revision_ids=[revision for revision, _choice in answers],
        chosen=[choice for _revision, choice in answers],
    )
    return suspicion.AnswerSheet(attempt_id, user_id, fingerprint, duration_ms, at)


SAME = [(11, 0), (12, 3), (13, None), (14, 1)]


def test_same_answers_within_the_tolerance_are_flagged_both_ways():
    sheets = [
        sheet(1, 100, SAME),
        # Drawn in another order: the answers are compared by revision id.
        sheet(
            2,
            200,
            list(reversed(SAME)),
            duration_ms=63_000,
            at=T0 + timedelta(seconds=3),
        ),
    ]

    matches = suspicion.same_answers(sheets, tolerance=timedelta(seconds=3))

    assert matches == {1: frozenset({200}), 2: frozenset({100})}


@pytest.mark.parametrize(
    ("other_answers", "duration_ms", "offset_ms"),
    [
        ([(11, 0), (12, 3), (13, None), (14, 2)], 60_000, 0),
        ([(11, 0), (12, 3), (13, 2), (14, 1)], 60_000, 0),
        ([(11, 0), (12, 3), (15, None), (14, 1)], 60_000, 0),
        (SAME, 63_001, 0),
        (SAME, 60_000, 3_001),
    ],
    ids=[
        "one-answer-differs",
        "one-more-answered",
        "another-question",
        "duration-3001-ms-apart",
        "submitted-3001-ms-apart",
    ],
)
def test_different_answers_or_timings_are_not_flagged(
    other_answers, duration_ms, offset_ms
):
    sheets = [
        sheet(1, 100, SAME),
        sheet(
            2,
            200,
            other_answers,
            duration_ms=duration_ms,
            at=T0 + timedelta(milliseconds=offset_ms),
        ),
    ]

    assert suspicion.same_answers(sheets, tolerance=timedelta(seconds=3)) == {}


def test_one_account_repeating_itself_and_blank_attempts_are_not_flagged():
    blank = [(11, None), (12, None)]
    sheets = [
        sheet(1, 100, SAME),
        sheet(2, 100, SAME),
        sheet(3, 200, blank),
        sheet(4, 300, blank),
    ]

    assert suspicion.same_answers(sheets) == {}


@given(st.permutations(range(6)))
def test_same_answers_does_not_depend_on_input_order(order):
    base = [
        sheet(1, 1, SAME),
        sheet(2, 2, SAME, at=T0 + timedelta(seconds=2)),
        sheet(3, 3, SAME, at=T0 + timedelta(seconds=4)),
        sheet(4, 4, SAME, at=T0 + timedelta(seconds=9)),
        sheet(5, 5, [(11, 1)]),
        sheet(6, 6, [(11, 1)], at=T0 + timedelta(seconds=1)),
    ]
    expected = suspicion.same_answers(base)

    assert suspicion.same_answers([base[i] for i in order]) == expected
    assert expected[2] == frozenset({1, 3})
    assert 4 not in expected


# --- the round's flags from the database ----------------------------------------------


@pytest.fixture
def closed_round(bank):
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES, question_count=5)
    round_.contest.topics.set(bank)
    return round_


@pytest.fixture
def revisions(bank):
    return list(QuestionRevision.objects.order_by("pk")[:5])


@pytest.fixture
def judge():
    return UserFactory(is_staff=True, is_superuser=True, full_name="Trần Giám Khảo")


def attempt(user, round_, revisions, *, correct=4, duration_ms=60_000, at=T0):
    return make_finished_attempt(
        user, round_, revisions, correct=correct, duration_ms=duration_ms, at=at
    )


@pytest.mark.django_db
def test_fast_flag_uses_the_rounds_minimum(closed_round, revisions):
    fast, steady = UserFactory(), UserFactory()
    attempt(fast, closed_round, revisions, duration_ms=9_999)
    attempt(
        steady, closed_round, revisions, duration_ms=10_000, at=T0 + timedelta(hours=1)
    )

    flags = round_suspicion_flags(round_=closed_round)

    assert [f.code for f in flags[fast.pk]] == [suspicion.FAST]
    assert "10,0 giây cho 5 câu" in flags[fast.pk][0].label
    assert steady.pk not in flags


@pytest.mark.django_db
def test_raising_the_minimum_flags_more(closed_round, revisions):
    user = UserFactory()
    attempt(user, closed_round, revisions, duration_ms=14_000)
    closed_round.min_seconds_per_question = 3
    closed_round.save()

    flags = round_suspicion_flags(round_=closed_round)

    assert [f.code for f in flags[user.pk]] == [suspicion.FAST]


@pytest.mark.django_db
def test_same_answers_flag_names_the_other_account(closed_round, revisions):
    first = UserFactory(full_name="Lê Văn Một")
    second = UserFactory(full_name="Lê Văn Hai")
    third = UserFactory(full_name="Lê Văn Ba")
    attempt(first, closed_round, revisions)
    attempt(second, closed_round, revisions, at=T0 + timedelta(seconds=2))
    attempt(third, closed_round, revisions, at=T0 + timedelta(minutes=5))

    flags = round_suspicion_flags(round_=closed_round)

    assert [f.code for f in flags[first.pk]] == [suspicion.SAME_ANSWERS]
    assert "Lê Văn Hai" in flags[first.pk][0].label
    assert "Lê Văn Một" in flags[second.pk][0].label
    assert third.pk not in flags


@pytest.mark.django_db
def test_address_flag_at_the_threshold_only(closed_round, revisions, settings):
    settings.SUSPICION_ADDRESS_ACCOUNTS = 3
    crowd = [
        UserFactory(registered_ip="203.0.113.7", date_joined=T0 + timedelta(minutes=i))
        for i in range(3)
    ]
    pair = [
        UserFactory(registered_ip="198.51.100.1", date_joined=T0 + timedelta(minutes=i))
        for i in range(2)
    ]
    for i, user in enumerate(crowd + pair):
        attempt(user, closed_round, revisions, at=T0 + timedelta(hours=i + 1))

    flags = round_suspicion_flags(round_=closed_round)

    assert {pk for pk, f in flags.items() if f} == {u.pk for u in crowd}
    assert (
        "3 tài khoản đăng ký từ cùng địa chỉ 203.0.113.7" in flags[crowd[0].pk][0].label
    )


@pytest.mark.django_db
def test_flags_are_read_in_a_few_queries(
    closed_round, revisions, django_assert_max_num_queries
):
    for i in range(30):
        attempt(
            UserFactory(),
            closed_round,
            revisions,
            duration_ms=1_000,
            at=T0 + timedelta(seconds=i),
        )

    # Too fast, the answer fingerprints (on PostgreSQL a query that narrows them
    # down, then the candidates), the partners' names, the addresses and the
    # result's predictions.
    with django_assert_max_num_queries(6):
        flags = round_suspicion_flags(round_=closed_round)

    assert len(flags) == 30


# --- shown to judges, never changing the ranking -------------------------------------


@pytest.fixture
def flagged_result(closed_round, revisions, judge):
    """A fast perfect attempt on top, a copied pair below, an honest one last."""
    fast = UserFactory(full_name="Nhanh Như Gió")
    copier_a = UserFactory(full_name="Chép Bài Một")
    copier_b = UserFactory(full_name="Chép Bài Hai")
    honest = UserFactory(full_name="Thật Thà")
    attempt(fast, closed_round, revisions, correct=5, duration_ms=4_000)
    attempt(copier_a, closed_round, revisions, correct=4, duration_ms=50_000)
    attempt(
        copier_b,
        closed_round,
        revisions,
        correct=4,
        duration_ms=51_000,
        at=T0 + timedelta(seconds=1),
    )
    attempt(honest, closed_round, revisions, correct=3, at=T0 + timedelta(hours=2))
    return services.result_compute(round_=closed_round, actor=judge, now=AFTER_CLOSE)


@pytest.mark.django_db
def test_ranking_is_the_same_with_or_without_flags(flagged_result):
    ranked = list(
        ResultRow.objects.filter(result=flagged_result)
        .order_by("rank")
        .values_list("full_name", "skip_reason")
    )

    assert ranked == [
        ("Nhanh Như Gió", ""),
        ("Chép Bài Một", ""),
        ("Chép Bài Hai", ""),
        ("Thật Thà", ""),
    ]


@pytest.mark.django_db
def test_review_screen_shows_each_flag_beside_its_row(client, judge, flagged_result):
    client.force_login(judge)

    response = client.get(
        reverse("admin:awards_roundresult_change", args=[flagged_result.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "dấu hiệu bất thường" in page.lower()
    assert "Làm bài quá nhanh (lượt 1): 4,0 giây cho 5 câu" in page
    assert "với: Chép Bài Hai" in page
    assert "với: Chép Bài Một" in page


@pytest.mark.django_db
def test_ranking_export_has_the_flag_column(flagged_result, judge):
    buffer = io.BytesIO()

    exports.ranking_export(result=flagged_result, target=buffer, by=judge)

    rows = {r["Họ và tên"]: r[FLAG_COLUMN] for r in records(open_workbook(buffer))}
    assert rows["Nhanh Như Gió"].startswith("Làm bài quá nhanh")
    assert "Chép Bài Hai" in rows["Chép Bài Một"]
    assert rows["Thật Thà"] is None  # an empty cell


@pytest.mark.django_db
def test_round_admin_edits_the_minimum(client, judge, closed_round):
    client.force_login(judge)

    page = client.get(reverse("admin:rounds_round_change", args=[closed_round.pk]))

    assert page.status_code == 200
    assert 'name="min_seconds_per_question"' in page.content.decode()
