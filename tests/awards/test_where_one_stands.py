"""Where one stands (issue 14): the approved rank on one's own pages, the
accent-free search of the public ranking, the public share page, and the way
back to the start button after logging in from "Vào thi"."""

import html
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from awards import services, views
from awards.models import PrizeTier, RankingRules, ResultRow, RoundResult
from awards.selectors import result_search_words
from quizzes.models import QuestionRevision
from rounds.models import Attempt, Round
from tests.factories import (
    RoundFactory,
    UnitFactory,
    UserFactory,
    make_finished_attempt,
)

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)
CLOSES = datetime(2024, 9, 29, 23, 50, tzinfo=VN)
SITE = "https://thi.example.vn"
PASSWORD = "Mat-khau-2024!"


@pytest.fixture
def judge() -> User:
    return UserFactory(is_staff=True)


@pytest.fixture
def revisions(bank) -> list[QuestionRevision]:
    return list(QuestionRevision.objects.order_by("pk")[:5])


def finished(
    user: User,
    round_: Round,
    revisions: Sequence[QuestionRevision],
    *,
    correct: int,
    day: int = 1,
    duration_ms: int = 60_000,
) -> Attempt:
    return make_finished_attempt(
        user,
        round_,
        revisions,
        correct=correct,
        at=OPENS + timedelta(days=day),
        duration_ms=duration_ms,
    )


def closed_round() -> Round:
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES, max_attempts=3)
    PrizeTier.objects.create(
        contest=round_.contest,
        kind=PrizeTier.Kind.INDIVIDUAL,
        name="Giải Nhất tuần",
        count=1,
        amount_vnd=2_000_000,
        order=1,
    )
    return round_


@pytest.fixture
def people() -> dict[str, User]:
    lung_cu = UnitFactory(name="UBND xã Lũng Cú")
    dong_van = UnitFactory(name="UBND thị trấn Đồng Văn")
    return {
        "a": UserFactory(
            full_name="Nguyễn Văn A",
            unit=lung_cu,
            phone="0987654321",
            email="rieng.tu@example.vn",
            citizen_id="079187654321",
            date_of_birth=date(1987, 6, 5),
        ),
        "an": UserFactory(full_name="Nguyễn Văn An", unit=dong_van),
        "dang": UserFactory(full_name="Đặng Thị Bình", unit=dong_van),
        "zero": UserFactory(full_name="Trần Văn Không", unit=dong_van),
    }


@pytest.fixture
def computed(revisions, judge, people) -> RoundResult:
    """A closed round: A's second attempt counts and wins; An, Bình and Không follow."""
    round_ = closed_round()
    RankingRules.objects.create(
        contest=round_.contest, counted_attempt=RankingRules.Counted.BEST
    )
    finished(people["a"], round_, revisions, correct=3, day=1)
    finished(people["a"], round_, revisions, correct=5, day=2)
    finished(people["an"], round_, revisions, correct=4)
    finished(people["dang"], round_, revisions, correct=3)
    finished(people["zero"], round_, revisions, correct=0)
    return services.result_compute(round_=round_, actor=judge)


@pytest.fixture
def approved(computed, judge) -> RoundResult:
    return services.result_approve(result=computed, actor=judge)


def attempt_of(user: User, number: int = 1) -> Attempt:
    return Attempt.objects.get(user=user, number=number)


def result_url(attempt: Attempt) -> str:
    return reverse("rounds:attempt-result", kwargs={"public_id": attempt.public_id})


def ranking_url(round_: Round, **query: str) -> str:
    url = reverse("awards:round-results", kwargs={"round_id": round_.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def share_url(row: ResultRow) -> str:
    return reverse(
        "awards:result-share",
        kwargs={"row_id": row.pk, "share_token": row.share_token},
    )


# --- the approved rank on one's own pages -------------------------------------------


def test_before_approval_the_result_page_says_the_list_is_not_approved(
    client, computed, people
):
    client.force_login(people["a"])

    response = client.get(result_url(attempt_of(people["a"], 2)))

    assert response.status_code == 200
    assert 'id="standing-pending"' in response.text
    assert "chưa được phê duyệt" in response.text
    assert 'id="standing-rank"' not in response.text
    assert "Giải Nhất tuần" not in response.text


def test_after_approval_the_counted_attempt_shows_its_rank_and_prize(
    client, approved, people, django_assert_max_num_queries
):
    client.force_login(people["a"])
    row = ResultRow.objects.get(user=people["a"])

    with django_assert_max_num_queries(12):
        response = client.get(result_url(attempt_of(people["a"], 2)))

    text = html.unescape(response.text)
    assert "Lượt thi này là lượt được tính" in text
    assert re.search(r"Hạng <strong>1</strong>/4: đạt <strong>Giải Nhất tuần", text)
    assert share_url(row) in text
    assert "chưa được phê duyệt" not in text


def test_an_attempt_that_did_not_count_says_which_one_did(client, approved, people):
    client.force_login(people["a"])
    counted = attempt_of(people["a"], 2)

    response = client.get(result_url(attempt_of(people["a"], 1)))

    text = html.unescape(response.text)
    assert "lượt được tính là" in text
    assert f'href="{result_url(counted)}">lượt thi thứ 2</a>' in text
    assert "Hạng <strong>1</strong>/4" in text


def test_a_practice_attempt_shows_no_official_rank(client, approved, people, revisions):
    practice = make_finished_attempt(
        people["an"],
        approved.round,
        revisions,
        correct=5,
        at=OPENS + timedelta(days=3),
        is_practice=True,
    )
    client.force_login(people["an"])

    response = client.get(result_url(practice))

    assert 'id="standing"' not in response.text


def test_the_list_shows_the_rank_of_the_counted_attempt_only(client, approved, people):
    client.force_login(people["a"])

    response = client.get(reverse("rounds:attempt-list"))

    text = html.unescape(response.text)
    assert text.count("(lượt được tính)") == 1
    assert "Hạng <strong>1</strong>/4, <strong>Giải Nhất tuần</strong>" in text
    assert "Không phải lượt được tính (lượt 2 được tính)" in text
    assert share_url(ResultRow.objects.get(user=people["a"])) in text


def test_before_approval_the_list_says_the_list_is_not_approved(
    client, computed, people
):
    client.force_login(people["an"])

    response = client.get(reverse("rounds:attempt-list"))

    assert "Danh sách chính thức chưa được phê duyệt" in response.text
    assert "lượt được tính" not in response.text


def approve_a_round_of(user: User, revisions, judge: User) -> None:
    round_ = closed_round()
    finished(user, round_, revisions, correct=4)
    finished(user, round_, revisions, correct=2, day=2)
    services.result_approve(
        result=services.result_compute(round_=round_, actor=judge), actor=judge
    )


def test_the_list_reads_every_round_in_the_same_queries(
    client, revisions, judge, people, django_assert_max_num_queries
):
    user = people["an"]
    client.force_login(user)
    approve_a_round_of(user, revisions, judge)
    with CaptureQueriesContext(connection) as one_round:
        client.get(reverse("rounds:attempt-list"))
    approve_a_round_of(user, revisions, judge)
    approve_a_round_of(user, revisions, judge)

    with django_assert_max_num_queries(len(one_round)):
        response = client.get(reverse("rounds:attempt-list"))

    assert response.text.count("(lượt được tính)") == 3
    assert response.text.count("Không phải lượt được tính") == 3


@pytest.mark.parametrize(
    ("correct", "level"),
    [
        pytest.param(0, "low", id="none-right-warns"),
        pytest.param(2, "low", id="under-half-warns"),
        pytest.param(3, "fair", id="over-half-neutral"),
        pytest.param(4, "good", id="four-of-five-success"),
        pytest.param(5, "good", id="all-right-success"),
    ],
)
def test_a_score_is_coloured_by_how_good_it_is(
    client, round_, revisions, contestant, correct, level
):
    attempt = finished(contestant, round_, revisions, correct=correct)
    client.force_login(contestant)

    result = client.get(result_url(attempt))
    listed = client.get(reverse("rounds:attempt-list"))

    assert f'class="card score-{level}" id="score-card"' in result.text
    assert f'id="score">{correct}/5<' in result.text
    assert f'class="list-score score-{level}">{correct}/5<' in listed.text


# --- the accent-free search of the public ranking ------------------------------------


def test_compute_stores_the_accent_free_name_and_unit(computed):
    texts = dict(ResultRow.objects.values_list("full_name", "search_text"))

    assert texts["Nguyễn Văn A"] == "nguyen van a ubnd xa lung cu"
    assert texts["Đặng Thị Bình"] == "dang thi binh ubnd thi tran dong van"


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        pytest.param(
            "nguyen van a", ["Nguyễn Văn A", "Nguyễn Văn An"], id="no-accents"
        ),
        pytest.param("NGUYỄN VĂN AN", ["Nguyễn Văn An"], id="capitals-accents"),
        pytest.param("lung cu", ["Nguyễn Văn A"], id="unit"),
        pytest.param("  dang   thi ", ["Đặng Thị Bình"], id="d-stroke-and-spaces"),
        pytest.param("binh", ["Đặng Thị Bình"], id="given-name"),
        pytest.param("inh", [], id="no-match-inside-a-word"),
    ],
)
def test_the_ranking_is_searched_without_accents(client, approved, typed, found):
    response = client.get(ranking_url(approved.round), {"tim": typed})

    assert response.status_code == 200
    names = [row["full_name"] for row in response.context["page"].object_list]
    assert names == found


def test_a_search_that_finds_nobody_says_so(client, approved):
    response = client.get(ranking_url(approved.round), {"tim": "Hoàng Văn Zzz"})

    assert "Không tìm thấy người nào" in response.text
    assert "“Hoàng Văn Zzz”" in html.unescape(response.text)
    assert "<table>" not in response.text.split('id="bang-xep-hang"')[1]


def test_paging_keeps_the_search(client, approved, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)

    first = client.get(ranking_url(approved.round), {"tim": "nguyễn văn"})
    second = client.get(ranking_url(approved.round), {"tim": "nguyễn văn", "trang": 2})

    assert 'href="?tim=nguy%E1%BB%85n%20v%C4%83n&amp;trang=2' in first.text
    assert [r["full_name"] for r in first.context["page"].object_list] == [
        "Nguyễn Văn A"
    ]
    assert [r["full_name"] for r in second.context["page"].object_list] == [
        "Nguyễn Văn An"
    ]
    assert 'value="nguyễn văn"' in second.text


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"tim": "a" * 100_000}, id="huge"),
        pytest.param({"tim": "%_\\'\"<script>"}, id="wildcards-and-markup"),
        pytest.param({"tim": "\u0301\u0300\u200b"}, id="only-marks"),
        pytest.param({"tim": "🙂" * 300}, id="emoji"),
        pytest.param({"tim": "an", "trang": "-1"}, id="negative-page"),
        pytest.param({"tim": "an", "trang": "9" * 40}, id="huge-page"),
        pytest.param({"trang": "abc"}, id="word-page"),
    ],
)
def test_odd_searches_never_fail(client, approved, query):
    response = client.get(ranking_url(approved.round), query)

    assert response.status_code == 200
    assert "<script>" not in response.text.split("</header>")[1]


def test_a_nul_in_the_search_is_refused_not_a_server_error(client, approved):
    response = client.get(ranking_url(approved.round), {"tim": "nguyen\x00van"})

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        pytest.param(None, "", id="absent"),
        pytest.param("   ", "", id="blank"),
        pytest.param("Lũng\x00 Cú", "lung cu", id="nul-dropped"),
        pytest.param("x" * 1000, "x" * 100, id="cut"),
        pytest.param("Đ\u0301ặng", "dang", id="decomposed"),
    ],
)
def test_search_words_are_folded_and_bounded(typed, words):
    assert result_search_words(typed) == words


def test_the_search_reads_few_queries(client, approved, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(ranking_url(approved.round), {"tim": "nguyen"})

    assert response.status_code == 200


# --- the public share page -----------------------------------------------------------


@pytest.fixture
def shared(approved, people, settings) -> tuple[ResultRow, str]:
    settings.SITE_URL = SITE
    row = ResultRow.objects.get(user=people["a"])
    return row, share_url(row)


def test_the_share_token_is_random_and_no_database_id(approved):
    rows = list(ResultRow.objects.all())
    tokens = {row.share_token for row in rows}

    assert len(tokens) == len(rows)
    assert all(re.fullmatch(r"[0-9a-f]{32}", token) for token in tokens)
    assert all(str(row.pk) != row.share_token for row in rows)
    assert all(share_url(row).endswith(f"/{row.share_token}/") for row in rows)


def test_a_row_id_opens_nothing_without_its_own_token(client, approved, people):
    mine = ResultRow.objects.get(user=people["a"])
    theirs = ResultRow.objects.get(user=people["an"])
    guessed = f"{int(mine.share_token, 16) ^ 1:032x}"

    for row_id, token in [
        (mine.pk, theirs.share_token),  # another row's token
        (theirs.pk, mine.share_token),
        (mine.pk, guessed),  # one bit away
        (mine.pk, "0" * 32),
    ]:
        url = reverse(
            "awards:result-share", kwargs={"row_id": row_id, "share_token": token}
        )
        assert client.get(url).status_code == 404, (row_id, token)
    assert client.get(share_url(mine)).status_code == 200


def test_the_share_page_shows_the_public_line(client, shared):
    _row, url = shared

    response = client.get(url)

    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "Nguyễn Văn A" in text
    assert "UBND xã Lũng Cú" in text
    assert "Hạng <strong>1</strong>/4" in text
    assert "5/5" in text
    assert "Giải Nhất tuần" in text


def test_the_share_page_has_preview_tags_with_the_full_address(client, shared):
    _row, url = shared

    text = html.unescape(client.get(url).text)

    assert f'<meta property="og:url" content="{SITE}{url}">' in text
    assert '<meta property="og:type" content="website">' in text
    assert re.search(r'<meta property="og:title" content="Nguyễn Văn A – [^"]+">', text)
    assert re.search(
        r'<meta property="og:description" content="Hạng 1/4, 5/5 câu đúng, '
        r'thời gian [^"]+, đạt Giải Nhất tuần\.',
        text,
    )
    assert '<meta name="twitter:card" content="summary">' in text


def test_the_share_page_links_to_zalo_facebook_and_offers_the_address(client, shared):
    _row, url = shared
    encoded = f"https%3A%2F%2Fthi.example.vn{url.replace('/', '%2F')}"

    response = client.get(url)

    assert f'href="https://zalo.me/share?url={encoded}"' in response.text
    assert (
        f'href="https://www.facebook.com/sharer/sharer.php?u={encoded}"'
        in response.text
    )
    assert f'id="share-link" class="share-link" value="{SITE}{url}" readonly' in (
        response.text
    )
    assert "<script" not in response.text.split("</header>")[1]


def test_the_share_page_shows_no_personal_data(client, shared):
    _row, url = shared

    text = html.unescape(client.get(url).text)

    for private in [
        "0987654321",
        "rieng.tu@example.vn",
        "079187654321",
        "05/06/1987",
        "1987",
    ]:
        assert private not in text, private


def test_the_share_page_reads_one_query(client, shared, django_assert_num_queries):
    _row, url = shared

    with django_assert_num_queries(1):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("0" * 32, id="unknown"),
        pytest.param("1", id="database-id"),
        pytest.param("A" * 32, id="upper-case"),
        pytest.param("0" * 33, id="too-long"),
        pytest.param("../" * 12, id="path"),
    ],
)
def test_a_bad_share_id_is_not_found(client, approved, token):
    row_id = ResultRow.objects.order_by("pk").first().pk
    for address in [
        f"/ket-qua/chia-se/{token}/",  # the token alone
        f"/ket-qua/chia-se/{row_id}/{token}/",
        f"/ket-qua/chia-se/{'9' * 19}/{'0' * 32}/",  # an id past 2**63
    ]:
        assert client.get(address).status_code == 404, address


def test_a_share_page_of_a_list_not_approved_is_not_found(client, computed, people):
    row = ResultRow.objects.get(user=people["a"])

    response = client.get(share_url(row))

    assert response.status_code == 404


def test_a_share_page_of_an_unpublished_contest_is_not_found(client, shared):
    _row, url = shared
    contest = ResultRow.objects.get(share_token=_row.share_token).result.round.contest
    contest.is_published = False
    contest.save()

    response = client.get(url)

    assert response.status_code == 404


def test_the_public_ranking_offers_the_share_link_to_the_person(client, shared, people):
    row, url = shared
    client.force_login(people["a"])

    response = client.get(ranking_url(row.result.round))

    assert f'href="{url}">Chia sẻ kết quả</a>' in response.text


# --- back to the start button after logging in ---------------------------------------


@pytest.fixture
def account() -> User:
    return User.objects.create_user(
        "0911222333", PASSWORD, full_name="Lò Thị Vào", unit=UnitFactory()
    )


def contest_url(round_: Round) -> str:
    return reverse("rounds:contest-detail", kwargs={"slug": round_.contest.slug})


def test_vao_thi_asks_to_come_back_to_the_start_button(client, round_):
    response = client.get(contest_url(round_))

    login = reverse("accounts:login")
    target = contest_url(round_).replace("/", "%2F")
    assert f'href="{login}?next={target}%23vao-thi">Vào thi</a>' in response.text
    assert 'id="vao-thi"' in response.text


def test_the_login_form_keeps_next(client, round_):
    target = contest_url(round_) + "#vao-thi"

    response = client.get(reverse("accounts:login"), {"next": target})

    assert f'<input type="hidden" name="next" value="{target}">' in response.text


def test_a_wrong_password_keeps_next(client, round_, account):
    target = contest_url(round_) + "#vao-thi"

    response = client.post(
        reverse("accounts:login") + f"?next={target.replace('#', '%23')}",
        {"username": account.phone, "password": "sai-mat-khau", "next": target},
    )

    assert response.status_code == 200
    assert f'<input type="hidden" name="next" value="{target}">' in response.text


def test_logging_in_lands_at_the_start_button(client, round_, account):
    target = contest_url(round_) + "#vao-thi"

    response = client.post(
        reverse("accounts:login"),
        {"username": account.phone, "password": PASSWORD, "next": target},
    )

    assert response.status_code == 302
    assert response["Location"] == target
    page = client.get(contest_url(round_))
    assert f'action="{reverse("rounds:attempt-start", args=[round_.pk])}"' in page.text


def test_logging_in_never_goes_to_another_site(client, account):
    response = client.post(
        reverse("accounts:login"),
        {
            "username": account.phone,
            "password": PASSWORD,
            "next": "https://evil.example/#vao-thi",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("rounds:home")
