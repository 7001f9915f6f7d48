"""SQL-, HTML- and formula-looking text everywhere a person or a spreadsheet reads it.

Every text field of one contest world holds the same hostile value: contest title,
round name, unit name, contestant name, topic, question, choices, explanation,
prize name. Web pages must show it escaped; every export must hold it as a plain
text cell (data_type "s"), never a formula.
"""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Unit, User
from awards import services
from awards.models import PrizeTier, RankingRules
from quizzes.models import Question, QuestionRevision
from quizzes.services import question_create
from reports import exports, xlsx
from rounds.models import Contest
from tests.bad_input import tried
from tests.factories import (
    RoundFactory,
    TopicFactory,
    UnitFactory,
    UserFactory,
    make_finished_attempt,
)

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)
CLOSES = datetime(2024, 9, 29, 23, 50, tzinfo=VN)
AFTER_CLOSE = datetime(2024, 9, 30, 8, 0, tzinfo=VN)

MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE accounts_user;--",
    '"><svg onload=alert(1)>',
]
FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    "#N/A",
]


def world(value: str) -> dict:
    """One contest whose every text is `value`, computed and approved."""
    judge = UserFactory(is_staff=True, is_superuser=True, full_name=value)
    unit = UnitFactory(name=value, level=Unit.Level.COMMUNE)
    topic = TopicFactory(name=value)
    for n in range(5):
        question_create(
            topic_id=topic.pk,
            text=f"{value} {n}" if n else value,
            choices=[value, f"{value} B", "C", "D"],
            correct=n % 4,
            explanation=value,
        )
    round_ = RoundFactory(
        name=value, opens_at=OPENS, closes_at=CLOSES, question_count=5
    )
    contest = round_.contest
    Contest.objects.filter(pk=contest.pk).update(title=value)
    contest.refresh_from_db()
    contest.topics.set([topic])
    PrizeTier.objects.create(
        contest=contest, kind=PrizeTier.Kind.INDIVIDUAL, name=value, count=2
    )
    revisions = list(QuestionRevision.objects.order_by("pk"))
    for i in range(3):
        make_finished_attempt(
            UserFactory(full_name=value, unit=unit),
            round_,
            revisions,
            correct=5 - i,
            at=OPENS + timedelta(days=1, minutes=i),
        )
    round_.refresh_from_db()
    result = services.result_compute(round_=round_, actor=judge, now=AFTER_CLOSE)
    return {"judge": judge, "round": round_, "contest": contest, "result": result}


def all_exports(w: dict) -> dict[str, bytes]:
    judge, result, contest = w["judge"], w["result"], w["contest"]
    writers = {
        "winners": lambda t: exports.winners_export(
            result=result, target=t, by=judge, include_personal=True
        ),
        "ranking": lambda t: exports.ranking_export(result=result, target=t, by=judge),
        "units": lambda t: exports.units_export(contest=contest, target=t, by=judge),
        "round-questions": lambda t: exports.questions_export(
            round_=w["round"], target=t, by=judge
        ),
        "contest-questions": lambda t: exports.questions_export(
            contest=contest, target=t, by=judge
        ),
        "contestants": lambda t: exports.contestants_export(
            contest=contest, target=t, by=judge
        ),
        "bank": lambda t: exports.bank_export(target=t, by=judge),
    }
    files = {}
    for name, write in writers.items():
        buffer = io.BytesIO()
        write(buffer)
        files[name] = buffer.getvalue()
    return files


@pytest.mark.parametrize("value", FORMULAS + MARKUP)
def test_every_export_holds_the_literal_text_never_a_formula(value):
    w = world(value)
    expected = xlsx.text(value)

    for name, data in all_exports(w).items():
        tried(f"{name}: {value}")
        workbook = load_workbook(io.BytesIO(data))
        cells = [c for ws in workbook for row in ws.iter_rows() for c in row]

        formulas = [c.coordinate for c in cells if c.data_type == "f"]
        assert formulas == [], f"{name}: formula cells {formulas}"
        texts = [c for c in cells if isinstance(c.value, str)]
        assert all(c.data_type == "s" for c in texts), name
        assert any(c.value == expected for c in texts), f"{name}: {expected!r} missing"


@pytest.fixture
def approved():
    value = MARKUP[0]
    w = world(value)
    services.result_approve(result=w["result"], actor=w["judge"], now=AFTER_CLOSE)
    return w


def assert_escaped(page: str) -> None:
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_public_results_page_escapes_names_and_units(client, approved):
    tried("public results: <script>")

    response = client.get(
        reverse("awards:round-results", kwargs={"round_id": approved["round"].pk})
    )

    assert response.status_code == 200
    assert_escaped(response.content.decode())


def test_live_leaderboard_escapes_names(client, bank):
    value = MARKUP[0]
    round_ = RoundFactory()
    RankingRules.objects.create(contest=round_.contest, live_leaderboard=True)
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    make_finished_attempt(
        UserFactory(full_name=value, unit=UnitFactory(name=value)),
        round_,
        revisions,
        correct=5,
        at=round_.opens_at + timedelta(hours=1),
    )
    cache.clear()
    tried("leaderboard: <script>")

    response = client.get(
        reverse("awards:round-results", kwargs={"round_id": round_.pk})
    )

    assert response.context["leaderboard"]
    assert_escaped(response.content.decode())


@pytest.mark.parametrize(
    "url",
    [
        "admin:accounts_user_changelist",
        "admin:accounts_unit_changelist",
        "admin:quizzes_question_changelist",
        "admin:quizzes_topic_changelist",
        "admin:rounds_round_changelist",
        "admin:rounds_contest_changelist",
        "admin:rounds_attempt_changelist",
        "admin:awards_roundresult_changelist",
        "admin:awards_prizetier_changelist",
    ],
)
def test_admin_change_lists_escape_hostile_text(client, approved, url):
    client.force_login(approved["judge"])
    tried(f"{url}: <script>")

    response = client.get(reverse(url))

    assert response.status_code == 200
    assert_escaped(response.content.decode())


def test_result_review_screen_escapes_hostile_text(client, approved):
    client.force_login(approved["judge"])
    tried("review screen: <script>")

    response = client.get(
        reverse("admin:awards_roundresult_change", args=[approved["result"].pk])
    )

    assert response.status_code == 200
    assert_escaped(response.content.decode())


@pytest.mark.parametrize("value", MARKUP[1:])
def test_other_markup_is_escaped_and_sql_text_is_just_text(client, value):
    w = world(value)
    services.result_approve(result=w["result"], actor=w["judge"], now=AFTER_CLOSE)
    client.force_login(w["judge"])
    tried(value)

    public = client.get(
        reverse("awards:round-results", kwargs={"round_id": w["round"].pk})
    ).content.decode()
    admin_list = client.get(reverse("admin:accounts_user_changelist")).content.decode()

    for page in (public, admin_list):
        assert value not in page
        assert (
            value.replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("'", "&#x27;")
            .replace('"', "&quot;")
            in page
        )
    assert User.objects.filter(full_name=value).count() == 4
    assert Question.objects.filter(explanation=value).count() == 5


def test_admin_search_with_sql_and_markup_is_harmless(client, approved):
    client.force_login(approved["judge"])
    queries = ["' OR 1=1 --", "%", "_", "\\", "<script>", "\x00", "a" * 10_000]

    for q in queries:
        tried(q)
        response = client.get(reverse("admin:accounts_user_changelist"), {"q": q})
        assert response.status_code in {200, 400}

    assert User.objects.count() == 4
