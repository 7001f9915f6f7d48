import unicodedata

import pytest
from django.core.exceptions import ValidationError

from quizzes.models import Choice, Question, QuestionRevision
from quizzes.services import choices_validate, question_create, question_publish
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def create(**overrides) -> Question:
    arguments = {
        "topic_id": TopicFactory().pk,
        "text": "Thủ đô của Việt Nam là thành phố nào?",
        "choices": ["Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ"],
        "correct": 2,
        "explanation": "Thủ đô là Hà Nội.",
    }
    arguments.update(overrides)
    return question_create(**arguments)


# --- question_create -------------------------------------------------------------


def test_question_create_stores_choices_in_order():
    question = create()

    rows = list(
        Choice.objects.filter(question=question)
        .order_by("order")
        .values_list("order", "text", "is_correct")
    )
    assert rows == [
        (0, "Hà Nội", False),
        (1, "Huế", False),
        (2, "Đà Nẵng", True),
        (3, "Cần Thơ", False),
    ]


def test_question_create_publishes_revision_one_with_the_correct_index():
    question = create()

    question.refresh_from_db()
    revision = QuestionRevision.objects.get(question=question)
    assert revision.number == 1
    assert question.current_revision == revision
    assert revision.correct_index == 2
    assert revision.choice_texts == ["Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ"]
    assert revision.text == "Thủ đô của Việt Nam là thành phố nào?"
    assert revision.topic_id == question.topic_id


def test_question_create_stores_nfd_input_as_nfc():
    nfd = unicodedata.normalize("NFD", "Nguyễn Trãi là ai?")
    nfd_choice = unicodedata.normalize("NFD", "Nhà văn hoá")

    question = create(text=nfd, choices=[nfd_choice, "Vua"], correct=0)

    question.refresh_from_db()
    assert question.text == unicodedata.normalize("NFC", "Nguyễn Trãi là ai?")
    assert question.choices.get(order=0).text == unicodedata.normalize(
        "NFC", "Nhà văn hoá"
    )
    assert question.current_revision.choice_texts[0] == unicodedata.normalize(
        "NFC", "Nhà văn hoá"
    )


def test_question_create_refuses_invalid_choices_and_writes_nothing():
    with pytest.raises(ValidationError) as caught:
        create(choices=["Có"], correct=0)

    assert caught.value.code == "choice_count"
    assert not Question.objects.exists()
    assert not QuestionRevision.objects.exists()


# --- choices_validate ------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "flags", "code"),
    [
        (["A"], [True], "choice_count"),
        ([f"Phương án {i}" for i in range(7)], [True] + [False] * 6, "choice_count"),
        ([], [], "choice_count"),
        (["A", "B", "C"], [False, False, False], "correct_count"),
        (["A", "B", "C"], [True, True, False], "correct_count"),
        (["A", "", "C"], [True, False, False], "empty_choice"),
        (["A", "   ", "C"], [True, False, False], "empty_choice"),
        (["A", "B", "A"], [True, False, False], "duplicate_choice"),
        (["Hà Nội", " hà  nội "], [True, False], "duplicate_choice"),
    ],
    ids=[
        "one-choice",
        "seven-choices",
        "no-choices",
        "zero-correct",
        "two-correct",
        "empty-choice",
        "blank-choice",
        "duplicate-choice",
        "duplicate-up-to-case-and-spaces",
    ],
)
def test_choices_validate_refuses(texts, flags, code):
    with pytest.raises(ValidationError) as caught:
        choices_validate(texts=texts, correct_flags=flags)

    assert caught.value.code == code


@pytest.mark.parametrize(
    "count", [2, 6], ids=["two-choices-minimum", "six-choices-maximum"]
)
def test_choices_validate_accepts_the_bounds(count):
    texts = [f"Phương án {i}" for i in range(count)]
    flags = [i == count - 1 for i in range(count)]

    choices_validate(texts=texts, correct_flags=flags)


# --- question_publish ------------------------------------------------------------


def test_question_publish_without_change_reuses_the_revision():
    question = create()
    first = QuestionRevision.objects.get(question=question)

    revision = question_publish(question=question)

    question.refresh_from_db()
    assert revision == first
    assert QuestionRevision.objects.filter(question=question).count() == 1
    assert question.current_revision == first


def test_question_publish_after_a_change_creates_revision_two():
    question = create()
    first = QuestionRevision.objects.get(question=question)
    Choice.objects.filter(question=question).update(is_correct=False)
    Choice.objects.filter(question=question, order=0).update(is_correct=True)

    revision = question_publish(question=question)

    question.refresh_from_db()
    first.refresh_from_db()
    assert revision.number == 2
    assert revision.correct_index == 0
    assert question.current_revision == revision
    assert first.correct_index == 2
    assert QuestionRevision.objects.filter(question=question).count() == 2


def test_question_publish_after_a_text_edit_creates_a_new_revision():
    question = create()
    Question.objects.filter(pk=question.pk).update(text="Thủ đô hiện nay là gì?")

    revision = question_publish(question=question)

    question.refresh_from_db()
    assert revision.number == 2
    assert revision.text == "Thủ đô hiện nay là gì?"
    assert question.current_revision == revision


def test_question_publish_refuses_invalid_choices_and_keeps_the_revision():
    question = create()
    first = QuestionRevision.objects.get(question=question)
    Choice.objects.filter(question=question).update(is_correct=True)

    with pytest.raises(ValidationError) as caught:
        question_publish(question=question)

    question.refresh_from_db()
    assert caught.value.code == "correct_count"
    assert question.current_revision == first
    assert QuestionRevision.objects.filter(question=question).count() == 1
