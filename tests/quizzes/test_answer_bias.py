import io
import json
import sys
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from quizzes import importer
from quizzes.answer_bias import MIN_QUESTIONS, length_bias
from quizzes.models import Question
from quizzes.services import question_create
from tests.factories import TopicFactory, UserFactory
from tests.test_pure_modules import imported_top_level_names

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "rounds" / "demo" / "questions.json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_URL = reverse("admin:quizzes_question_import")
CONFIRM_URL = reverse("admin:quizzes_question_import_confirm")
CHANGELIST_URL = reverse("admin:quizzes_question_changelist")
WARNING = "thí sinh có thể đoán đúng bằng cách chọn phương án dài nhất"


def biased(n: int) -> list[tuple[list[str], int]]:
    """Questions whose correct choice is always the one long choice."""
    return [
        (
            [
                f"Sai {i}a",
                f"Sai {i}b",
                f"Đúng: câu {i} có phương án dài hẳn",
                f"Sai {i}c",
            ],
            2,
        )
        for i in range(n)
    ]


def balanced(n: int) -> list[tuple[list[str], int]]:
    """Questions whose one long choice is the correct one in one question of four."""
    questions = []
    for i in range(n):
        choices = [f"Ngắn {i}{letter}" for letter in "abc"]
        choices.insert(i % 4, f"Câu {i}: phương án dài hơn hẳn các phương án khác")
        questions.append((choices, 0))
    return questions


def even(n: int) -> list[tuple[list[str], int]]:
    """Questions whose choices all have the same length."""
    return [([f"Phương án {i}{letter}" for letter in "abcd"], 0) for i in range(n)]


# --- the pure rule ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("questions", "warns"),
    [
        pytest.param(biased(12), True, id="biased-warns"),
        pytest.param(balanced(40), False, id="balanced-does-not"),
        pytest.param(biased(MIN_QUESTIONS - 1), False, id="too-few-questions"),
        pytest.param(biased(6) + even(4), True, id="six-of-ten-warns"),
        pytest.param(biased(5) + even(5), False, id="five-of-ten-may-be-luck"),
        pytest.param([], False, id="empty-topic"),
    ],
)
def test_length_bias_warns_only_well_above_chance(questions, warns):
    bias = length_bias(questions)

    assert bias.warns is warns


def test_length_bias_counts_the_uniquely_longest_and_the_length_ratio():
    questions = [
        (["aaaa", "bb", "bb"], 0),  # uniquely longest, 4 / 2
        (["aaaa", "bbbb", "cc"], 0),  # tied longest: not counted, 4 / 3
        (["aa", "bbbb", "bbbb"], 0),  # shortest, 2 / 4
    ]

    bias = length_bias(questions)

    assert (bias.questions, bias.longest) == (3, 1)
    assert bias.share == pytest.approx(1 / 3)
    assert bias.expected == pytest.approx(1.0)
    assert bias.length_ratio == pytest.approx((2 + 4 / 3 + 0.5) / 3)


def test_length_bias_leaves_out_questions_with_a_single_choice():
    bias = length_bias([(["Chỉ một phương án"], 0), *biased(3)])

    assert bias.questions == 3


def test_length_bias_refuses_a_correct_index_outside_the_choices():
    with pytest.raises(ValueError, match="outside"):
        length_bias([(["a", "b"], 2)])


@given(
    st.lists(
        st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=6).flatmap(
            lambda texts: st.tuples(st.just(texts), st.integers(0, len(texts) - 1))
        ),
        max_size=40,
    ),
    st.randoms(use_true_random=False),
)
def test_length_bias_does_not_depend_on_the_order_of_questions(questions, rng):
    shuffled = list(questions)
    rng.shuffle(shuffled)

    assert length_bias(shuffled) == length_bias(questions)


def test_answer_bias_imports_only_the_standard_library():
    source = (ROOT / "quizzes" / "answer_bias.py").read_text(encoding="utf-8")

    assert imported_top_level_names(source) <= sys.stdlib_module_names


# --- the demo bank ----------------------------------------------------------------


def demo_by_topic() -> dict[str, list[tuple[list[str], int]]]:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    topics = defaultdict(list)
    for question in data["questions"]:
        topics[question["topic"]].append((question["choices"], question["correct"]))
    return topics


def test_the_demo_bank_correct_choice_is_rarely_the_uniquely_longest():
    questions = [q for topic in demo_by_topic().values() for q in topic]

    bias = length_bias(questions)

    assert bias.questions == len(questions)
    assert bias.share <= 0.35
    assert not bias.warns


def test_no_demo_topic_is_biased():
    warned = {
        topic: length_bias(questions).longest
        for topic, questions in demo_by_topic().items()
        if length_bias(questions).warns
    }

    assert warned == {}


# --- the admin --------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def save_questions(topic, questions: list[tuple[list[str], int]], tag: str) -> None:
    for n, (choices, correct) in enumerate(questions):
        question_create(
            topic_id=topic.pk,
            text=f"Câu hỏi {tag} số {n}?",
            choices=choices,
            correct=correct,
            explanation="",
        )


def question_file(topic, questions: list[tuple[list[str], int]]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(importer.HEADERS))
    for n, (choices, correct) in enumerate(questions):
        padded = [*choices, *[None] * (len(importer.CHOICES) - len(choices))]
        sheet.append(
            [topic.name, f"Câu hỏi nhập số {n}?", *padded, "ABCDEF"[correct], "", "có"]
        )
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile("cau-hoi.xlsx", output.getvalue(), content_type=XLSX)


def test_import_preview_of_a_biased_file_warns_and_the_import_still_succeeds(
    admin_client,
):
    topic = TopicFactory(name="Luật Căn cước")

    preview = admin_client.post(IMPORT_URL, {"file": question_file(topic, biased(12))})
    confirmed = admin_client.post(
        CONFIRM_URL, {"token": preview.context["token"]}, follow=True
    )

    preview_text = preview.content.decode()
    assert "Chủ đề “Luật Căn cước”: đáp án đúng dài nhất ở 12/12 câu" in preview_text
    assert WARNING in preview_text
    assert "Xác nhận nhập 12 dòng" in preview_text
    assert confirmed.redirect_chain[-1][0] == CHANGELIST_URL
    assert "thêm mới 12" in confirmed.content.decode()
    assert WARNING in confirmed.content.decode()
    assert Question.objects.filter(topic=topic).count() == 12


def test_import_preview_counts_the_questions_already_in_the_topic(admin_client):
    topic = TopicFactory(name="Luật Căn cước")
    save_questions(topic, biased(6), tag="cũ")

    preview = admin_client.post(IMPORT_URL, {"file": question_file(topic, biased(6))})

    assert "đáp án đúng dài nhất ở 12/12 câu" in preview.content.decode()
    assert Question.objects.count() == 6


def test_import_preview_of_a_balanced_file_does_not_warn(admin_client):
    topic = TopicFactory(name="Luật Căn cước")

    preview = admin_client.post(
        IMPORT_URL, {"file": question_file(topic, balanced(40))}
    )

    assert "Xác nhận nhập 40 dòng" in preview.content.decode()
    assert WARNING not in preview.content.decode()


def test_bank_changelist_warns_for_the_biased_topic_only(admin_client):
    save_questions(TopicFactory(name="Chủ đề lệch"), biased(12), tag="lệch")
    save_questions(TopicFactory(name="Chủ đề cân bằng"), balanced(40), tag="đều")

    response = admin_client.get(CHANGELIST_URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Chủ đề “Chủ đề lệch”: đáp án đúng dài nhất ở 12/12 câu" in content
    assert "Chủ đề “Chủ đề cân bằng”" not in content


def test_bank_changelist_leaves_inactive_questions_out(admin_client):
    topic = TopicFactory(name="Chủ đề lệch")
    save_questions(topic, biased(12), tag="lệch")
    Question.objects.filter(topic=topic).update(is_active=False)

    response = admin_client.get(CHANGELIST_URL)

    assert WARNING not in response.content.decode()


@pytest.mark.parametrize(
    ("make_biased", "queries", "warnings"),
    [
        pytest.param(True, 2, 1, id="biased-topic"),
        pytest.param(False, 1, 0, id="balanced-bank"),
    ],
)
@pytest.mark.django_db
def test_bank_warnings_take_one_or_two_queries_whatever_the_bank_size(
    django_assert_num_queries, make_biased, queries, warnings
):
    save_questions(TopicFactory(), balanced(40), tag="đều")
    if make_biased:
        save_questions(TopicFactory(), biased(30), tag="lệch")

    with django_assert_num_queries(queries):
        found = importer.bank_length_warnings()

    assert len(found) == warnings
