import io
import re
import threading
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from awards import certificate_services, certificates, services
from awards.models import (
    CERTIFICATE_CODE_ALPHABET,
    Certificate,
    PrizeTier,
    RankingRules,
    ResultRow,
    RoundResult,
)
from quizzes.models import QuestionRevision
from rounds.models import Attempt, Round
from tests.conftest import requires_postgres
from tests.factories import RoundFactory, UserFactory, make_finished_attempt

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)
CLOSES = datetime(2024, 9, 29, 23, 50, tzinfo=VN)
AFTER_CLOSE = datetime(2024, 9, 30, 8, 0, tzinfo=VN)
ISSUED = datetime(2024, 10, 5, 9, 0, tzinfo=VN)
TITLE = "Cuộc thi tìm hiểu Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam"
WINNER_NAME = "Nguyễn Thị Ánh Tuyết"
PRIVATE = {
    "phone": "0987654321",
    "citizen_id": "079187654321",
    "date_of_birth": date(1987, 6, 5),
}


@pytest.fixture(autouse=True)
def _empty_cache():
    # PDFs are cached by code and the local-memory cache outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def judge() -> User:
    return UserFactory(is_staff=True)


@pytest.fixture
def revisions(bank) -> list[QuestionRevision]:
    return list(QuestionRevision.objects.order_by("pk")[:5])


@pytest.fixture
def week(bank) -> Round:
    """A closed round with one first prize; certificates from 80% right answers."""
    round_ = RoundFactory(
        opens_at=OPENS,
        closes_at=CLOSES,
        name="Tuần thi thứ nhất",
        contest__title=TITLE,
    )
    round_.contest.topics.set(bank)
    RankingRules.objects.create(
        contest=round_.contest,
        certificates_enabled=True,
        certificate_min_correct_percent=80,
    )
    PrizeTier.objects.create(
        contest=round_.contest,
        kind=PrizeTier.Kind.INDIVIDUAL,
        name="Giải nhất",
        count=1,
        amount_vnd=2_000_000,
        order=1,
    )
    return round_


@pytest.fixture
def people(week, revisions) -> dict[str, User]:
    """winner 5/5 (first prize), good 4/5 (80%), weak 3/5 (60%)."""
    made = {
        "winner": UserFactory(full_name=WINNER_NAME, **PRIVATE),
        "good": UserFactory(full_name="Trần Văn Đức"),
        "weak": UserFactory(full_name="Lê Thị Hồng"),
    }
    for key, correct in (("winner", 5), ("good", 4), ("weak", 3)):
        finished(made[key], week, revisions, correct=correct)
    return made


def finished(
    user: User, round_: Round, revisions: Sequence[QuestionRevision], *, correct: int
) -> Attempt:
    """A finished attempt whose stored answers score `correct`: the first ones right."""
    return make_finished_attempt(
        user,
        round_,
        revisions,
        correct=correct,
        at=datetime(2024, 9, 10, 10, 0, tzinfo=VN),
    )


def compute(round_: Round, judge: User) -> RoundResult:
    return services.result_compute(round_=round_, actor=judge, now=AFTER_CLOSE)


def approve(round_: Round, judge: User) -> RoundResult:
    return services.result_approve(result=compute(round_, judge), actor=judge)


def row_of(user: User) -> ResultRow:
    return ResultRow.objects.get(user=user)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", text)


# --- the entitlement rule ------------------------------------------------------------


@pytest.mark.parametrize(
    ("enabled", "prize", "correct", "total", "threshold", "skip", "expected"),
    [
        (True, "Giải nhất", 1, 20, None, "", True),
        (True, "", 16, 20, 80, "", True),
        (True, "", 15, 20, 80, "", False),
        (True, "", 20, 20, None, "", False),
        (True, "", 0, 0, 0, "", False),
        (False, "Giải nhất", 20, 20, 0, "", False),
        (True, "", 20, 20, 50, "disqualified", False),
        (True, "", 20, 20, 50, "earlier_winner", True),
    ],
    ids=[
        "winner-without-threshold",
        "at-threshold",
        "below-threshold",
        "no-threshold-no-prize",
        "no-questions",
        "disabled",
        "disqualified",
        "skipped-for-prize-only",
    ],
)
def test_entitlement_rule(enabled, prize, correct, total, threshold, skip, expected):
    entitled = certificates.is_entitled(
        enabled=enabled,
        prize_name=prize,
        correct=correct,
        question_count=total,
        min_correct_percent=threshold,
        skip_reason=skip,
    )

    assert entitled is expected


# --- certificate_issue ---------------------------------------------------------------


def test_issue_freezes_the_winner_text_and_a_grouped_code(people, week, judge):
    approve(week, judge)

    certificate = certificate_services.certificate_issue(
        row=row_of(people["winner"]), now=ISSUED
    )

    stored = Certificate.objects.get()
    assert stored.pk == certificate.pk
    assert (stored.kind, stored.prize_name, stored.result_text) == (
        Certificate.Kind.PRIZE,
        "Giải nhất",
        "5/5 câu đúng",
    )
    assert (stored.full_name, stored.contest_title, stored.round_name) == (
        WINNER_NAME,
        TITLE,
        "Tuần thi thứ nhất",
    )
    assert stored.unit_name == people["winner"].unit.name
    assert stored.issued_at == ISSUED
    assert set(stored.code) <= set(CERTIFICATE_CODE_ALPHABET)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", stored.grouped_code)


def test_issue_at_the_threshold_gives_an_achievement(people, week, judge):
    approve(week, judge)

    certificate_services.certificate_issue(row=row_of(people["good"]))

    stored = Certificate.objects.get()
    assert (stored.kind, stored.prize_name, stored.result_text) == (
        Certificate.Kind.ACHIEVEMENT,
        "",
        "4/5 câu đúng",
    )


def test_issue_twice_returns_the_same_certificate(people, week, judge):
    approve(week, judge)
    first = certificate_services.certificate_issue(row=row_of(people["winner"]))

    again = certificate_services.certificate_issue(row=row_of(people["winner"]))

    assert again.code == first.code
    assert Certificate.objects.count() == 1


def test_issue_below_the_threshold_without_prize_is_refused(people, week, judge):
    approve(week, judge)

    with pytest.raises(ValidationError) as error:
        certificate_services.certificate_issue(row=row_of(people["weak"]))

    assert error.value.code == "not_entitled"
    assert not Certificate.objects.exists()


def test_issue_on_a_provisional_result_is_refused(people, week, judge):
    compute(week, judge)

    with pytest.raises(ValidationError) as error:
        certificate_services.certificate_issue(row=row_of(people["winner"]))

    assert error.value.code == "not_approved"
    assert not Certificate.objects.exists()


def test_issue_when_the_contest_gives_none_is_refused(people, week, judge):
    RankingRules.objects.filter(contest=week.contest).update(certificates_enabled=False)
    approve(week, judge)

    with pytest.raises(ValidationError) as error:
        certificate_services.certificate_issue(row=row_of(people["winner"]))

    assert error.value.code == "disabled"
    assert not Certificate.objects.exists()


def test_a_disqualified_row_never_gets_one(people, week, judge):
    services.contestant_disqualify(
        round_=week, user=people["winner"], reason="Dùng nhiều tài khoản", actor=judge
    )
    approve(week, judge)
    assert row_of(people["winner"]).skip_reason == "disqualified"

    with pytest.raises(ValidationError) as error:
        certificate_services.certificate_issue(row=row_of(people["winner"]))

    assert error.value.code == "not_entitled"
    assert certificate_services.certificate_issue_all(user=people["winner"]) == []
    assert not Certificate.objects.filter(result_row__user=people["winner"]).exists()


def test_issue_all_issues_what_is_due_and_nothing_else(people, week, judge):
    approve(week, judge)

    issued = certificate_services.certificate_issue_all(user=people["good"])

    assert [c.result_row.user_id for c in issued] == [people["good"].pk]
    assert list(Certificate.objects.values_list("result_row__user", flat=True)) == [
        people["good"].pk
    ]


def test_issue_all_once_issued_reads_in_two_queries(
    people, week, judge, django_assert_num_queries
):
    approve(week, judge)
    certificate_services.certificate_issue_all(user=people["winner"])

    with django_assert_num_queries(2):
        issued = certificate_services.certificate_issue_all(user=people["winner"])

    assert len(issued) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@requires_postgres()
def test_simultaneous_issues_give_one_certificate(people, week, judge):
    approve(week, judge)
    row = row_of(people["winner"])
    barrier = threading.Barrier(8)
    codes: list[str] = []
    errors: list[Exception] = []

    def worker() -> None:
        try:
            barrier.wait()
            codes.append(certificate_services.certificate_issue(row=row).code)
        except Exception as error:  # every failure is reported, none is lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert set(codes) == {Certificate.objects.get().code}


# --- views ---------------------------------------------------------------------------


def test_entitled_contestant_downloads_a_pdf_with_their_name(
    client, people, week, judge
):
    approve(week, judge)
    client.force_login(people["winner"])
    listing = client.get(reverse("certificates:mine"))
    certificate = Certificate.objects.get()

    response = client.get(
        reverse("certificates:download", args=[certificate.grouped_code])
    )

    assert certificate.grouped_code in listing.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        f'filename="giay-chung-nhan-{certificate.grouped_code}.pdf"'
        in response["Content-Disposition"]
    )
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "GIẤY CHỨNG NHẬN",
        f"Chứng nhận: {WINNER_NAME}",
        TITLE,
        "Giải nhất",
        f"Mã xác minh: {certificate.grouped_code}",
        f"/giay-chung-nhan/xac-minh/?ma={certificate.grouped_code}",
        f"Ngày cấp: {certificate.issued_at.astimezone(VN):%d/%m/%Y}",
    ):
        assert expected in text


def test_another_user_gets_404_for_the_download(client, people, week, judge):
    approve(week, judge)
    certificate = certificate_services.certificate_issue(row=row_of(people["winner"]))
    client.force_login(people["good"])

    response = client.get(
        reverse("certificates:download", args=[certificate.grouped_code])
    )

    assert response.status_code == 404


def test_an_anonymous_download_is_sent_to_login(client, people, week, judge):
    approve(week, judge)
    certificate = certificate_services.certificate_issue(row=row_of(people["winner"]))

    response = client.get(
        reverse("certificates:download", args=[certificate.grouped_code])
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_below_the_threshold_sees_no_certificate_in_mine(client, people, week, judge):
    approve(week, judge)
    client.force_login(people["weak"])

    response = client.get(reverse("certificates:mine"))

    assert response.status_code == 200
    assert response.context["certificates"] == []
    assert "chưa có giấy chứng nhận" in response.content.decode()
    assert not Certificate.objects.exists()


def test_a_provisional_result_shows_nothing_in_mine(client, people, week, judge):
    compute(week, judge)
    client.force_login(people["winner"])

    response = client.get(reverse("certificates:mine"))

    assert response.context["certificates"] == []
    assert not Certificate.objects.exists()


def test_the_pdf_is_drawn_once_then_served_from_the_cache(client, people, week, judge):
    approve(week, judge)
    certificate = certificate_services.certificate_issue(row=row_of(people["winner"]))
    client.force_login(people["winner"])
    url = reverse("certificates:download", args=[certificate.code])

    with mock.patch.object(
        certificates, "render_pdf", wraps=certificates.render_pdf
    ) as render:
        first = client.get(url)
        second = client.get(url)

    assert render.call_count == 1
    assert second.content == first.content


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: c.grouped_code.lower(),
        lambda c: c.code,
        lambda c: " ".join(c.grouped_code.split("-")).lower(),
    ],
    ids=["lower-case-grouped", "without-dashes", "spaces-lower-case"],
)
def test_verify_finds_the_certificate_however_the_code_is_typed(
    client, people, week, judge, typed
):
    approve(week, judge)
    certificate = certificate_services.certificate_issue(row=row_of(people["winner"]))

    response = client.get(reverse("certificates:verify"), {"ma": typed(certificate)})

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["certificate"] == certificate
    assert WINNER_NAME in page
    assert TITLE in page
    assert "Giải nhất" in page
    assert "không tồn tại" not in page
    for private in ("0987654321", "079187654321", "05/06/1987", "1987-06-05"):
        assert private not in page


@pytest.mark.parametrize("typed", ["ABCD-EFGH-JKLM", "ABC", "0000-1111-OOOO"], ids=str)
def test_verify_says_an_unknown_code_does_not_exist(client, people, week, judge, typed):
    approve(week, judge)
    certificate_services.certificate_issue(row=row_of(people["winner"]))

    response = client.get(reverse("certificates:verify"), {"ma": typed})

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["certificate"] is None
    assert "không tồn tại" in page
    assert WINNER_NAME not in page


def test_verify_without_a_code_shows_only_the_form(client):
    response = client.get(reverse("certificates:verify"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="ma"' in page
    assert "không tồn tại" not in page
