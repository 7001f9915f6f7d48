import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import UnitChange
from awards.models import PrizeTier
from quizzes.models import Question
from rounds import services as round_services
from rounds.models import RoundTopicQuota
from tests.factories import RoundFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

QUESTION_ADD_URL = "/quan-tri/quizzes/question/add/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def question_form(topic, choices: list[tuple[str, bool]]) -> dict[str, str]:
    """The add view's POST: the question and a ChoiceInline formset."""
    data = {
        "topic": str(topic.pk),
        "text": "Luật Thanh niên có hiệu lực từ năm nào?",
        "explanation": "",
        "is_active": "on",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "6",
        "_save": "Lưu lại",
    }
    for i, (text, is_correct) in enumerate(choices):
        data[f"choices-{i}-order"] = str(i)
        data[f"choices-{i}-text"] = text
        if is_correct:
            data[f"choices-{i}-is_correct"] = "on"
    return data


# --- question add view -----------------------------------------------------------


def test_question_add_with_one_correct_choice_saves_and_publishes(admin_client, bank):
    data = question_form(
        bank[0],
        [("2019", False), ("2020", False), ("2021", True), ("2022", False)],
    )

    response = admin_client.post(QUESTION_ADD_URL, data)

    assert response.status_code == 302
    question = Question.objects.get(text=data["text"])
    assert question.choices.count() == 4
    assert question.current_revision is not None
    assert question.current_revision.number == 1
    assert question.current_revision.correct_index == 2


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (
            [("2019", False), ("2020", False), ("2021", False), ("2022", False)],
            "đúng một đáp án đúng",
        ),
        (
            [("2019", True), ("2020", False), ("2021", True), ("2022", False)],
            "đúng một đáp án đúng",
        ),
        ([("2019", True)], "từ 2 đến 6"),
    ],
    ids=["no-correct", "two-correct", "single-choice"],
)
def test_question_add_with_invalid_choices_is_refused(
    admin_client, bank, choices, message
):
    data = question_form(bank[0], choices)

    response = admin_client.post(QUESTION_ADD_URL, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.filter(text=data["text"]).exists()


def test_question_change_moving_the_correct_mark_publishes_revision_two(
    admin_client, bank
):
    question = bank[0].questions.filter(current_revision__correct_index=1).first()
    choices = list(question.choices.order_by("order"))
    data = question_form(bank[0], [(c.text, c.order == 3) for c in choices])
    data["text"] = question.text
    data["explanation"] = question.explanation
    data["choices-INITIAL_FORMS"] = str(len(choices))
    for i, choice in enumerate(choices):
        data[f"choices-{i}-id"] = str(choice.pk)
        data[f"choices-{i}-question"] = str(question.pk)

    response = admin_client.post(
        reverse("admin:quizzes_question_change", args=[question.pk]), data
    )

    question.refresh_from_db()
    assert response.status_code == 302
    assert question.current_revision.number == 2
    assert question.current_revision.correct_index == 3
    assert question.revisions.get(number=1).correct_index == 1


# --- round preview_draw action ---------------------------------------------------


def preview(admin_client, round_):
    return admin_client.post(
        reverse("admin:rounds_round_changelist"),
        {"action": "preview_draw", "_selected_action": [round_.pk]},
        follow=True,
    )


def test_preview_draw_shows_the_questions_with_their_answers(admin_client, round_):
    response = preview(admin_client, round_)

    content = response.content.decode()
    assert response.status_code == 200
    assert f"Số câu: {round_.question_count}." in content
    assert content.count("đáp án đúng</strong>") == round_.question_count


def test_preview_draw_on_a_round_with_too_small_a_bank_shows_the_error(
    admin_client, bank
):
    round_ = RoundFactory(question_count=21)
    round_.contest.topics.set(bank)

    response = preview(admin_client, round_)

    assert response.status_code == 200
    assert "Ngân hàng câu hỏi chưa đủ câu hỏi" in response.content.decode()


# --- every registered model ------------------------------------------------------


@pytest.fixture
def one_of_each(round_, contestant):
    """A row for every admin list: units, users, a question bank, an attempt..."""
    round_services.attempt_start(user=contestant, round_=round_, now=timezone.now())
    UnitChange.objects.create(
        user=contestant,
        old_unit=contestant.unit,
        new_unit=UnitFactory(),
        changed_at=timezone.now(),
    )
    PrizeTier.objects.create(
        contest=round_.contest,
        kind=PrizeTier.Kind.INDIVIDUAL,
        name="Giải Nhất",
        count=1,
        amount_vnd=2_000_000,
    )


ADMIN_MODELS = [
    "accounts/unit",
    "accounts/user",
    "accounts/unitchange",
    "quizzes/topic",
    "quizzes/question",
    "quizzes/questionrevision",
    "rounds/contest",
    "rounds/round",
    "rounds/attempt",
    "awards/prizetier",
]


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=ADMIN_MODELS)
@pytest.mark.usefixtures("one_of_each")
def test_admin_changelist_renders(admin_client, model):
    response = admin_client.get(f"/quan-tri/{model}/")

    assert response.status_code == 200


ADD_STATUS = {
    "accounts/unit": 200,
    "accounts/user": 200,
    "accounts/unitchange": 403,
    "quizzes/topic": 200,
    "quizzes/question": 200,
    "quizzes/questionrevision": 403,
    "rounds/contest": 200,
    "rounds/round": 200,
    "rounds/attempt": 403,
    "awards/prizetier": 200,
}


@pytest.mark.parametrize(("model", "status"), ADD_STATUS.items(), ids=list(ADD_STATUS))
@pytest.mark.usefixtures("one_of_each")
def test_admin_add_page_renders_or_is_forbidden(admin_client, model, status):
    response = admin_client.get(f"/quan-tri/{model}/add/")

    assert response.status_code == status


# --- round quota inline ----------------------------------------------------------


def round_form(round_, quotas: list[tuple[int, int]]) -> dict[str, str]:
    """The round change view's POST with a quota formset of new rows."""
    opens = timezone.localtime(round_.opens_at)
    closes = timezone.localtime(round_.closes_at)
    data = {
        "contest": str(round_.contest_id),
        "name": round_.name,
        "opens_at_0": opens.strftime("%Y-%m-%d"),
        "opens_at_1": opens.strftime("%H:%M:%S"),
        "closes_at_0": closes.strftime("%Y-%m-%d"),
        "closes_at_1": closes.strftime("%H:%M:%S"),
        "question_count": str(round_.question_count),
        "time_limit_seconds": str(round_.time_limit_seconds),
        "max_attempts": str(round_.max_attempts),
        "prediction_question": round_.prediction_question,
        "grace_seconds": str(round_.grace_seconds),
        "min_seconds_per_question": str(round_.min_seconds_per_question),
        "stage": round_.stage,
        "qualify_per_unit": str(round_.qualify_per_unit),
        "quotas-TOTAL_FORMS": str(len(quotas)),
        "quotas-INITIAL_FORMS": "0",
        "quotas-MIN_NUM_FORMS": "0",
        "quotas-MAX_NUM_FORMS": "1000",
        "_save": "Lưu lại",
    }
    for i, (topic_id, count) in enumerate(quotas):
        data[f"quotas-{i}-topic"] = str(topic_id)
        data[f"quotas-{i}-count"] = str(count)
        data[f"quotas-{i}-round"] = str(round_.pk)
    return data


def change_url(round_) -> str:
    return reverse("admin:rounds_round_change", args=[round_.pk])


def test_round_quotas_within_the_question_count_are_saved(admin_client, round_, bank):
    data = round_form(round_, [(bank[0].pk, 3), (bank[1].pk, 2)])

    response = admin_client.post(change_url(round_), data)

    assert response.status_code == 302
    saved = dict(round_.quotas.values_list("topic_id", "count"))
    assert saved == {bank[0].pk: 3, bank[1].pk: 2}


def test_round_quotas_above_the_question_count_are_refused(admin_client, round_, bank):
    data = round_form(round_, [(bank[0].pk, 4), (bank[1].pk, 2)])

    response = admin_client.post(change_url(round_), data)

    assert response.status_code == 200
    assert "vượt quá số câu hỏi của tuần thi (5)" in response.content.decode()
    assert not RoundTopicQuota.objects.filter(round=round_).exists()


def test_round_quotas_are_checked_against_the_submitted_question_count(
    admin_client, round_, bank
):
    data = round_form(round_, [(bank[0].pk, 4), (bank[1].pk, 2)])
    data["question_count"] = "6"

    response = admin_client.post(change_url(round_), data)

    round_.refresh_from_db()
    assert response.status_code == 302
    assert round_.question_count == 6
    assert round_.quotas.count() == 2


def test_round_change_view_keeps_the_round_when_quotas_are_refused(
    admin_client, round_, bank
):
    data = round_form(round_, [(bank[0].pk, 9)])
    data["name"] = "Tên mới"

    admin_client.post(change_url(round_), data)

    round_.refresh_from_db()
    assert round_.name != "Tên mới"
