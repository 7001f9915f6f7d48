"""The downloadable question file's example row: marked, skipped on import while it
is untouched, and never the cause of a real question being dropped."""

import io
from collections.abc import Sequence

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes import importer
from quizzes.import_template import (
    EXAMPLE_CHOICES,
    EXAMPLE_MARK,
    EXAMPLE_QUESTION,
    EXAMPLE_TEXT,
)
from quizzes.models import Question
from tests.factories import TopicFactory, UserFactory
from tests.quizzes.test_import import row, xlsx

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_URL = reverse("admin:quizzes_question_import")
CONFIRM_URL = reverse("admin:quizzes_question_import_confirm")
TEMPLATE_URL = reverse("admin:quizzes_question_import_template")
TEXT_COLUMN = importer.HEADERS.index(importer.TEXT) + 1


@pytest.fixture
def topic():
    return TopicFactory(name="Luật Thanh niên")


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def downloaded_template(client) -> openpyxl.Workbook:
    response = client.get(TEMPLATE_URL)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def as_upload(workbook: openpyxl.Workbook) -> SimpleUploadedFile:
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile("cau-hoi.xlsx", output.getvalue(), content_type=XLSX)


def example_row(**overrides: object) -> list[object]:
    """The template's example as an author leaves it; same keywords as row()."""
    a, b, c = EXAMPLE_CHOICES
    values = {"text": EXAMPLE_TEXT, "a": a, "b": b, "c": c, "d": None}
    values["correct"] = "A"
    values["explanation"] = "Điều 79 Luật Thanh niên năm 2020."
    return row(**{**values, **overrides})


def template_with(client, rows: Sequence[Sequence[object]]) -> SimpleUploadedFile:
    """The downloaded template, example row kept, with these questions below it."""
    workbook = downloaded_template(client)
    for values in rows:
        workbook.active.append(list(values))
    return as_upload(workbook)


# --- the file offered for download ------------------------------------------------


def test_template_example_row_is_marked_in_its_text_colour_note_and_help(
    admin_client, topic
):
    workbook = downloaded_template(admin_client)

    sheet = workbook.active
    assert [cell.value for cell in sheet[1]] == list(importer.HEADERS)
    question = sheet.cell(row=2, column=TEXT_COLUMN)
    assert question.value == EXAMPLE_TEXT
    assert question.value.startswith(EXAMPLE_MARK)
    assert "bỏ qua" in question.comment.text
    assert {cell.fill.fgColor.rgb for cell in sheet[2]} == {"00FFF2CC"}
    assert sheet.max_row == 2
    help_text = workbook.worksheets[1]["A1"].value
    assert "dòng mẫu" in help_text
    assert "bỏ qua" in help_text


def test_template_example_imports_as_a_question_once_its_mark_is_removed(
    admin_client, topic
):
    workbook = downloaded_template(admin_client)
    workbook.active.cell(row=2, column=TEXT_COLUMN).value = EXAMPLE_QUESTION

    plan = importer.apply(rows=importer.read(as_upload(workbook)))

    assert plan.counts["create"] == 1
    question = Question.objects.get()
    assert question.text == EXAMPLE_QUESTION
    assert question.current_revision.choice_texts == list(EXAMPLE_CHOICES)
    assert question.current_revision.correct_index == 0


# --- the admin preview and confirmation -------------------------------------------


def test_template_with_questions_added_skips_the_example_and_says_so(
    admin_client, topic
):
    upload = template_with(
        admin_client, [row(), row(text="Độ tuổi thanh niên là?", correct="A")]
    )

    preview = admin_client.post(IMPORT_URL, {"file": upload})
    confirmed = admin_client.post(
        CONFIRM_URL, {"token": preview.context["token"]}, follow=True
    )

    content = preview.content.decode()
    assert preview.context["skipped_rows"] == (2,)
    assert "Đã bỏ qua dòng 2: đó là dòng mẫu" in content
    assert "Bỏ qua (dòng mẫu): <strong>1</strong>" in content
    assert content.count("<td>Thêm mới</td>") == 2
    assert "Xác nhận nhập 2 dòng" in content
    assert "thêm mới 2" in confirmed.content.decode()
    assert sorted(Question.objects.values_list("text", flat=True)) == [
        row()[1],
        "Độ tuổi thanh niên là?",
    ]


def test_untouched_template_cannot_be_confirmed_and_says_it_holds_only_the_example(
    admin_client, topic
):
    upload = template_with(admin_client, [])

    preview = admin_client.post(IMPORT_URL, {"file": upload})

    content = preview.content.decode()
    assert preview.status_code == 200
    assert "File chỉ có dòng mẫu, chưa có câu hỏi nào để nhập." in content
    assert "Đã bỏ qua dòng 2" in content
    assert "Xác nhận nhập" not in content
    assert "dòng lỗi nên" not in content
    assert not Question.objects.exists()


def test_confirming_a_file_of_examples_only_is_refused(admin_client, topic):
    rows = importer.read(template_with(admin_client, []))

    with pytest.raises(ValidationError) as caught:
        importer.apply(rows=rows)

    assert caught.value.code == "only_example"
    assert not Question.objects.exists()


# --- which rows are the example ---------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"topic": "Chủ đề đã đổi tên"},
        {"topic": "Chuyển đổi số"},
        {"explanation": "", "active": "không"},
        {"text": f"  {EXAMPLE_TEXT.upper()} ", "correct": "a."},
        {"text": EXAMPLE_TEXT.replace("–", "-")},
    ],
    ids=[
        "as-written",
        "unknown-topic",
        "other-topic",
        "other-extras",
        "retyped-case",
        "hyphen-for-dash",
    ],
)
def test_untouched_example_is_skipped_wherever_it_stands(topic, overrides):
    TopicFactory(name="Chuyển đổi số")
    rows = importer.read(xlsx([row(), example_row(**overrides), row(text="Khác?")]))

    plan = importer.apply(rows=rows)

    assert [r.number for r in plan.rows] == [2, 4]
    assert importer.preview(rows=rows).skipped == (3,)
    assert not Question.objects.filter(text__contains="Dòng mẫu").exists()
    assert Question.objects.count() == 2


def test_example_row_is_left_out_of_duplicate_and_bias_checks(topic):
    rows = importer.read(xlsx([example_row(), example_row(), row()]))

    plan = importer.parse(rows=rows)

    assert plan.is_valid
    assert plan.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 0}


@pytest.mark.parametrize(
    "overrides",
    [
        {"a": "01/01/2020"},
        {"correct": "B"},
        {"d": "01/01/2023"},
        {"text": f"{EXAMPLE_MARK} Độ tuổi thanh niên là?"},
        {"text": f"Độ tuổi thanh niên là? {EXAMPLE_MARK.replace('–', '-')}"},
    ],
    ids=[
        "choice-changed",
        "answer-changed",
        "choice-added",
        "question-changed",
        "mark-moved-and-retyped",
    ],
)
def test_edited_row_that_kept_the_mark_is_refused_not_skipped(topic, overrides):
    rows = importer.read(xlsx([example_row(**overrides)]))

    plan = importer.parse(rows=rows)

    assert [r.error_codes for r in plan.rows] == [["example_mark_left"]]
    assert importer.preview(rows=rows).skipped == ()
    assert EXAMPLE_MARK in plan.rows[0].errors[0].message


@pytest.mark.parametrize(
    ("overrides", "warned"),
    [
        ({"text": EXAMPLE_QUESTION}, True),
        ({"text": "Dòng mẫu câu hỏi: Luật Thanh niên có hiệu lực khi nào?"}, False),
        ({"text": EXAMPLE_QUESTION, "correct": "B"}, False),
        ({"text": "Luật Trẻ em năm 2016 có hiệu lực từ ngày nào?"}, False),
    ],
    ids=[
        "old-template-example",
        "says-dong-mau",
        "same-question-other-answer",
        "same-choices-other-question",
    ],
)
def test_real_question_resembling_the_example_is_imported(topic, overrides, warned):
    rows = importer.read(xlsx([example_row(**overrides)]))

    plan = importer.apply(rows=rows)

    assert plan.counts["create"] == 1
    assert importer.preview(rows=rows).skipped == ()
    assert Question.objects.get().text == overrides["text"]
    assert any("dòng mẫu" in warning for warning in plan.rows[0].warnings) is warned
