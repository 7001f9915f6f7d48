"""Each step of an attempt costs a small, fixed number of queries.

The same number for 5 or 30 questions and for a contestant's first or fourth attempt,
so the deadline rush costs the database what the benchmark measured, whatever the
round. Counted once the worker has read the round's questions (as in production after
its first request).
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import QuestionRevision
from rounds.models import Attempt
from rounds.selectors import draw_pools_forget, revisions_forget, revisions_get
from tests.factories import RoundFactory, UserFactory, make_bank

pytestmark = pytest.mark.django_db

# The budgets: the session (a cache read in production) first, then the view's own
# reads and writes. Writes run in a transaction, which inside a test adds a SAVEPOINT
# and its RELEASE (2).
BUDGET = {
    # the round with its contest and the user with their unit, in one statement;
    # the insert with the count of the person's attempts, one statement outside a
    # transaction (the eligibility lists are the worker's copy, read at most
    # every few seconds, as the draw pool)
    "start": 3,
    # the attempt with its round, contest and user: the user is not read again
    "page": 2,
    "save": 2,  # the session and the one UPDATE
    # the attempt and its user read once, no lock taken, with the round's voided
    # questions; the update, only if the attempt is unchanged since, with its
    # event: one statement on PostgreSQL (a data-modifying WITH), two elsewhere
    "submit": 3 if connection.vendor == "postgresql" else 4,
    # the attempt with its user, the contest's ranking rules, the round's result
    # (its truth, to show the attempt the ranking counts; whether it is approved)
    # and the person's attempts in the round, in one statement; the approved
    # list's line of the person, for their official rank and prize
    "result": 2,
}


def _round(question_count: int):
    round_ = RoundFactory(question_count=question_count, max_attempts=0)
    round_.contest.topics.set(make_bank(topics=3, per_topic=12))
    # A warm worker: it has read every question of the bank once already.
    revisions_get(QuestionRevision.objects.values_list("pk", flat=True))
    return round_


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def _journey(client, round_, *, earlier_attempts: int) -> dict[str, int]:
    """Queries of each step of one attempt, after `earlier_attempts` finished ones."""
    start_url = reverse("rounds:attempt-start", kwargs={"round_id": round_.pk})
    for _ in range(earlier_attempts + 1):  # the first one also warms the worker
        location = client.post(start_url)["Location"]
        client.get(location)
        client.post(location + "nop-bai/", {})
    counts: dict[str, int] = {}
    response = None

    def start():
        nonlocal response
        response = client.post(start_url)

    counts["start"] = _count(start)
    attempt_url = response["Location"]
    page = None

    def open_page():
        nonlocal page
        page = client.get(attempt_url)

    counts["page"] = _count(open_page)
    positions = sorted({int(p) for p in re.findall(r'name="q(\d+)"', page.text)})
    saves = [
        _count(
            lambda p=p: client.post(
                attempt_url + "luu/", {"seq": p + 1, "position": p, "choice": 1}
            )
        )
        for p in positions
    ]
    assert len(set(saves)) == 1, saves
    counts["save"] = saves[0]
    counts["submit"] = _count(
        lambda: client.post(attempt_url + "nop-bai/", {f"q{p}": "2" for p in positions})
    )
    counts["result"] = _count(lambda: client.get(attempt_url + "ket-qua/"))
    return counts


@pytest.mark.parametrize(
    ("question_count", "earlier_attempts"),
    [(5, 0), (30, 0), (30, 3)],
    ids=["5-questions", "30-questions", "30-questions-fourth-attempt"],
)
def test_each_step_stays_within_its_query_budget(
    client, question_count, earlier_attempts
):
    round_ = _round(question_count)
    user = UserFactory()
    client.force_login(user)

    counts = _journey(client, round_, earlier_attempts=earlier_attempts)

    assert counts == BUDGET
    assert Attempt.objects.filter(user=user, status="finished").count() == (
        earlier_attempts + 2
    )


def test_the_budget_is_the_same_for_5_and_30_questions(client):
    small, large = _round(5), _round(30)
    client.force_login(UserFactory())

    assert _journey(client, small, earlier_attempts=0) == _journey(
        client, large, earlier_attempts=0
    )


@pytest.mark.parametrize("step", ["start", "save", "submit", "result"])
def test_budget_with_assert_num_queries(client, django_assert_num_queries, step):
    """The same budgets through pytest-django's own assertion, step by step."""
    round_ = _round(30)
    client.force_login(UserFactory())
    start_url = reverse("rounds:attempt-start", kwargs={"round_id": round_.pk})
    warm = client.post(start_url)["Location"]
    client.get(warm)
    client.post(warm + "nop-bai/", {})
    if step == "start":
        with django_assert_num_queries(BUDGET["start"]):
            client.post(start_url)
        return
    url = client.post(start_url)["Location"]
    client.get(url)
    if step == "save":
        with django_assert_num_queries(BUDGET["save"]):
            response = client.post(url + "luu/", {"seq": 1, "position": 0, "choice": 1})
        assert response.json() == {"ok": True, "seq": 1}
    elif step == "submit":
        with django_assert_num_queries(BUDGET["submit"]):
            response = client.post(url + "nop-bai/", {"q0": "1"})
        assert response.status_code == 302
    else:
        client.post(url + "nop-bai/", {})
        with django_assert_num_queries(BUDGET["result"]):
            response = client.get(url + "ket-qua/")
        assert response.status_code == 200


def test_after_its_first_start_a_worker_reads_no_question_row(client):
    """A fresh worker (started or recycled) reads the round's whole pool at its first
    start; later starts, whatever they draw, and their pages read no question."""
    round_ = RoundFactory(question_count=5, max_attempts=0)
    round_.contest.topics.set(make_bank(topics=3, per_topic=12))  # 36 questions
    revisions_forget()
    draw_pools_forget()
    client.force_login(UserFactory())
    start_url = reverse("rounds:attempt-start", kwargs={"round_id": round_.pk})
    first = client.post(start_url)["Location"]
    client.post(first + "nop-bai/", {})
    table = QuestionRevision._meta.db_table

    with CaptureQueriesContext(connection) as queries:
        for _ in range(4):  # 20 more questions drawn at random from the 36
            location = client.post(start_url)["Location"]
            assert client.get(location).status_code == 200
            client.post(location + "nop-bai/", {})

    assert not [q["sql"] for q in queries if table in q["sql"]]


def _reads_answers(queries) -> list[str]:
    return [q["sql"] for q in queries if '"answers"' in q["sql"]]


def test_the_result_reads_the_answers_only_where_it_shows_them(client):
    """Open, the result shows the score, not the answers: it decodes neither the
    draw nor the answers. Closed (the contest shows the answers then), one statement
    reads both, and the page shows every question with its correct answer."""
    round_ = _round(5)
    client.force_login(UserFactory())
    start_url = reverse("rounds:attempt-start", kwargs={"round_id": round_.pk})
    url = client.post(start_url)["Location"]
    client.post(url + "nop-bai/", {"q0": "1"})

    with CaptureQueriesContext(connection) as open_queries:
        open_page = client.get(url + "ket-qua/")
    type(round_).objects.filter(pk=round_.pk).update(
        opens_at=timezone.now() - timedelta(days=8),
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    with CaptureQueriesContext(connection) as closed_queries:
        closed_page = client.get(url + "ket-qua/")

    assert open_page.status_code == closed_page.status_code == 200
    assert "(đáp án đúng)" not in open_page.text
    assert _reads_answers(open_queries) == []
    assert len(open_queries) == BUDGET["result"]
    assert closed_page.text.count("(đáp án đúng)") == 5
    assert "(bạn chọn)" in closed_page.text
    assert len(_reads_answers(closed_queries)) == 1
    # Both read by one statement, and not again by the open page's reads.
    assert _reads_answers(closed_queries) == [
        q["sql"] for q in closed_queries if '"draw"' in q["sql"]
    ]
