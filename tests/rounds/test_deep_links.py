"""Deep links another app opens: a contest's current round and one's latest result."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rounds import services
from tests.factories import ContestFactory, RoundFactory

pytestmark = pytest.mark.django_db


def current(contest) -> str:
    return f"/cuoc-thi/{contest.slug}/vong-hien-tai/"


def test_an_open_round_sends_a_signed_in_contestant_to_its_start(
    client, contestant, round_
):
    client.force_login(contestant)

    response = client.get(current(round_.contest))

    assert response.status_code == 302
    assert response["Location"] == f"/cuoc-thi/{round_.contest.slug}/#vao-thi"


def test_an_unfinished_attempt_is_resumed(client, contestant, round_):
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    client.force_login(contestant)

    response = client.get(current(round_.contest))

    assert response["Location"] == f"/bai-thi/{attempt.public_id}/"


def test_a_visitor_signs_in_and_comes_back_to_the_link(client, round_):
    response = client.get(current(round_.contest))

    assert response["Location"] == (
        f"/tai-khoan/dang-nhap/?next=%2Fcuoc-thi%2F{round_.contest.slug}"
        "%2Fvong-hien-tai%2F"
    )


def test_a_round_still_to_open_leads_to_the_contest_with_its_opening_time(client):
    opens = timezone.now() + timedelta(days=2)
    round_ = RoundFactory(opens_at=opens, closes_at=opens + timedelta(days=7))

    response = client.get(current(round_.contest), follow=True)

    assert response.redirect_chain == [(f"/cuoc-thi/{round_.contest.slug}/", 302)]
    shown = [str(m) for m in response.context["messages"]]
    local = timezone.localtime(opens)
    assert shown == [f"Chưa đến giờ thi: {round_.name} mở lúc {local:%H:%M %d/%m/%Y}."]


def test_a_contest_without_rounds_to_come_says_so(client):
    past = timezone.now() - timedelta(days=30)
    round_ = RoundFactory(opens_at=past, closes_at=past + timedelta(days=7))

    response = client.get(current(round_.contest), follow=True)

    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["Cuộc thi hiện không có tuần thi nào đang mở."]


def test_an_unpublished_contest_is_not_found(client):
    contest = ContestFactory(is_published=False)
    RoundFactory(contest=contest)

    assert client.get(current(contest)).status_code == 404


def test_my_result_opens_the_latest_submitted_attempt(client, contestant, round_):
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    services.attempt_submit(attempt=attempt, answers={}, prediction=None)
    client.force_login(contestant)

    response = client.get(f"/cuoc-thi/{round_.contest.slug}/ket-qua-cua-toi/")

    assert response["Location"] == f"/bai-thi/{attempt.public_id}/ket-qua/"


def test_my_result_without_a_submitted_attempt_leads_to_the_contest(
    client, contestant, round_
):
    client.force_login(contestant)

    response = client.get(f"/cuoc-thi/{round_.contest.slug}/ket-qua-cua-toi/")

    assert response["Location"] == f"/cuoc-thi/{round_.contest.slug}/"


def test_my_result_asks_a_visitor_to_sign_in(client, round_):
    response = client.get(f"/cuoc-thi/{round_.contest.slug}/ket-qua-cua-toi/")

    assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=")
