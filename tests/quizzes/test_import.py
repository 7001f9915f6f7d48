import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.import_plan import ImportPlan
from quizzes import importer
from quizzes.models import Question, QuestionRevision
from tests.factories import TopicFactory, UserFactory, make_question

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_URL = reverse("admin:quizzes_question_import")
CONFIRM_URL = reverse("admin:quizzes_question_import_confirm")
TEMPLATE_URL = reverse("admin:quizzes_question_import_template")


@pytest.fixture
def topic():
    return TopicFactory(name="Luật Thanh niên")


def row(**overrides: object) -> list[object]:
    """A valid question row; keyword names are the headers without accents."""
    values = {
        "topic": "Luật Thanh niên",
        "text": "Luật Thanh niên năm 2020 có hiệu lực từ năm nào?",
        "a": "2019",
        "b": "2020",
        "c": "2021",
        "d": "2022",
        "e": None,
        "f": None,
        "correct": "C",
        "explanation": "Điều 79.",
        "active": "có",
    }
    values.update(overrides)
    return list(values.values())


def xlsx(
    rows: Sequence[Sequence[object]], headers: Sequence[str] = importer.HEADERS
) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for values in rows:
        sheet.append(list(values))
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile("cau-hoi.xlsx", output.getvalue(), content_type=XLSX)


def plan_of(rows: Sequence[Sequence[object]]) -> ImportPlan:
    return importer.parse(rows=importer.read(xlsx(rows)))


def import_rows(rows: Sequence[Sequence[object]]) -> ImportPlan:
    return importer.apply(rows=importer.read(xlsx(rows)))


def errors_of(plan: ImportPlan) -> dict[int, list[str]]:
    return {r.number: r.error_codes for r in plan.rows if r.errors}


def three_questions() -> list[list[object]]:
    return [
        row(),
        row(
            text="Độ tuổi thanh niên là?", a="16-30", b="15-30", c="", d="", correct="A"
        ),
        row(
            text="Câu có sáu phương án?",
            a="1",
            b="2",
            c="3",
            d="4",
            e="5",
            f="6",
            correct="f",
            active="không",
        ),
    ]


# --- parse and apply -------------------------------------------------------------


def test_good_file_creates_questions_with_their_first_revision(topic):
    plan = import_rows(three_questions())

    assert plan.counts == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    questions = list(Question.objects.order_by("id"))
    assert len(questions) == 3
    assert all(q.current_revision.number == 1 for q in questions)
    assert questions[0].current_revision.choice_texts == [
        "2019",
        "2020",
        "2021",
        "2022",
    ]
    assert questions[0].current_revision.correct_index == 2
    assert questions[1].choices.count() == 2
    assert questions[2].current_revision.correct_index == 5
    assert questions[2].is_active is False
    assert questions[0].explanation == "Điều 79."


def test_reimporting_the_same_file_creates_nothing_and_reports_unchanged(topic):
    import_rows(three_questions())

    plan = import_rows(three_questions())

    assert plan.counts == {"create": 0, "update": 0, "unchanged": 3, "error": 0}
    assert Question.objects.count() == 3
    assert QuestionRevision.objects.count() == 3


def test_existing_question_is_updated_with_a_new_revision(topic):
    question = make_question(topic=topic, n=1, correct=0)
    rows = [
        row(text=question.text.upper(), a="Một", b="Hai", c="Ba", d="", correct="B")
    ]

    plan = import_rows(rows)

    question.refresh_from_db()
    assert plan.counts["update"] == 1
    assert Question.objects.count() == 1
    assert question.text == rows[0][1]
    assert list(question.choices.values_list("text", "is_correct")) == [
        ("Một", False),
        ("Hai", True),
        ("Ba", False),
    ]
    assert question.current_revision.number == 2
    first = question.revisions.get(number=1)
    assert first.choice_texts == [f"Phương án 1-{i}" for i in range(4)]
    assert first.correct_index == 0


def test_same_text_in_another_topic_is_a_new_question(topic):
    other = TopicFactory(name="Chuyển đổi số")
    import_rows([row()])

    plan = import_rows([row(topic=other.name)])

    assert plan.counts["create"] == 1
    assert Question.objects.count() == 2


def test_absent_optional_columns_keep_the_explanation_and_state(topic):
    import_rows([row(active="không")])
    headers = importer.HEADERS[:9]

    plan = importer.apply(rows=importer.read(xlsx([row()[:9]], headers=headers)))

    question = Question.objects.get()
    assert plan.counts["unchanged"] == 1
    assert (question.explanation, question.is_active) == ("Điều 79.", False)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"text": ""}, "missing_text"),
        ({"topic": ""}, "missing_topic"),
        ({"topic": "Chủ đề lạ"}, "unknown_topic"),
        ({"b": "", "c": "", "d": "", "correct": "A"}, "choice_count"),
        ({"c": "", "correct": "A"}, "choice_gap"),
        ({"correct": ""}, "missing_correct"),
        ({"correct": "E"}, "correct_not_a_choice"),
        ({"correct": "A,B"}, "several_correct"),
        ({"correct": "AB"}, "several_correct"),
        ({"correct": "G"}, "invalid_correct"),
        ({"b": "2019"}, "duplicate_choice"),
        ({"active": "có lẽ"}, "invalid_active"),
    ],
    ids=[
        "no-text",
        "no-topic",
        "unknown-topic",
        "one-choice",
        "gap",
        "no-correct",
        "correct-empty-choice",
        "two-answers-comma",
        "two-answers-joined",
        "not-a-letter",
        "same-choice-twice",
        "bad-active",
    ],
)
def test_bad_row_is_reported_and_nothing_is_written(topic, overrides, code):
    rows = [row(text="Một câu hỏi tốt?"), row(**overrides)]

    plan = plan_of(rows)
    with pytest.raises(ValidationError) as caught:
        import_rows(rows)

    assert errors_of(plan) == {3: [code]}
    assert plan.counts["create"] == 1
    assert caught.value.code == "invalid_rows"
    assert Question.objects.count() == 0


def test_bad_row_leaves_existing_questions_untouched(topic):
    import_rows([row()])

    with pytest.raises(ValidationError):
        import_rows([row(correct="A"), row(text="Khác?", correct="")])

    assert Question.objects.get().current_revision.correct_index == 2
    assert QuestionRevision.objects.count() == 1


def test_unknown_topic_message_lists_the_known_topics(topic):
    TopicFactory(name="Chuyển đổi số")

    plan = plan_of([row(topic="Pháp luật")])

    message = plan.rows[0].errors[0].message
    assert "“Pháp luật”" in message
    assert "Chuyển đổi số; Luật Thanh niên" in message


def test_duplicate_question_in_the_file_is_refused(topic):
    duplicate = unicodedata.normalize("NFD", row()[1].upper())

    plan = plan_of([row(), row(text=f"  {duplicate} ")])

    assert errors_of(plan) == {3: ["duplicate_in_file"]}


def test_topic_matches_case_insensitively(topic):
    plan = import_rows([row(topic="  luật THANH NIÊN ")])

    assert plan.counts["create"] == 1
    assert Question.objects.get().topic == topic


def test_numbers_are_read_as_typed_and_text_keeps_leading_zeros(topic):
    import_rows([row(a=5, b=2020.0, c="0123", d=0.5)])

    question = Question.objects.get()
    assert question.current_revision.choice_texts == ["5", "2020", "0123", "0.5"]


def test_nfd_text_is_stored_nfc(topic):
    text = unicodedata.normalize("NFD", "Người đứng đầu Đoàn Thanh niên là ai?")

    import_rows([row(text=text, a=unicodedata.normalize("NFD", "Bí thư"))])

    question = Question.objects.get()
    assert question.text == unicodedata.normalize("NFC", text)
    assert question.current_revision.choice_texts[0] == "Bí thư"


def as_saved_by_excel(upload: SimpleUploadedFile, cell: str) -> SimpleUploadedFile:
    """The file as Excel saves it: each formula beside the value it last computed."""
    source = zipfile.ZipFile(io.BytesIO(upload.read()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="C2">.*?</c>', cell.encode(), data)
            target.writestr(item, data)
    return SimpleUploadedFile("cau-hoi.xlsx", output.getvalue())


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('<c r="C2"><f>1+1</f><v>2</v></c>', "2"),
        ('<c r="C2" t="str"><f>"20"&amp;"19"</f><v>2019</v></c>', "2019"),
        ('<c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c>', ""),
    ],
    ids=["number", "text", "empty-text"],
)
def test_formula_cell_is_read_as_its_cached_value(topic, cell, expected):
    upload = as_saved_by_excel(xlsx([row(a="=1+1")]), cell)

    rows = importer.read(upload)

    assert rows[0].values["Phương án A"] == expected


def test_formula_without_a_computed_value_is_refused(topic):
    with pytest.raises(ValidationError) as caught:
        importer.read(xlsx([row(a="=1+1")]))

    assert caught.value.code == "uncomputed_formula"
    assert "C2" in caught.value.messages[0]


def test_excel_error_value_is_refused(topic):
    upload = as_saved_by_excel(
        xlsx([row(a="=1+1")]), '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    )

    with pytest.raises(ValidationError) as caught:
        importer.read(upload)

    assert caught.value.code == "excel_error"


def test_text_that_looks_like_a_formula_stays_text(topic):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(importer.HEADERS))
    sheet.append(row())
    sheet["C2"].value = "=1+1"
    sheet["C2"].data_type = "s"
    output = io.BytesIO()
    workbook.save(output)

    rows = importer.read(SimpleUploadedFile("a.xlsx", output.getvalue()))

    assert rows[0].values["Phương án A"] == "=1+1"


# --- admin -----------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_upload_preview_then_confirm_writes_the_questions(admin_client, topic):
    preview = admin_client.post(IMPORT_URL, {"file": xlsx(three_questions())})

    content = preview.content.decode()
    assert preview.status_code == 200
    assert content.count("<td>Thêm mới</td>") == 3
    assert "Xác nhận nhập 3 dòng" in content
    assert Question.objects.count() == 0

    confirmed = admin_client.post(
        CONFIRM_URL, {"token": preview.context["token"]}, follow=True
    )

    assert confirmed.redirect_chain[-1][0] == reverse(
        "admin:quizzes_question_changelist"
    )
    assert "thêm mới 3" in confirmed.content.decode()
    assert Question.objects.count() == 3


def test_admin_preview_of_bad_rows_shows_errors_and_no_confirm(admin_client, topic):
    response = admin_client.post(IMPORT_URL, {"file": xlsx([row(correct="A,B")])})

    content = response.content.decode()
    assert "chỉ có một đáp án đúng" in content
    assert "Xác nhận nhập" not in content


def test_admin_confirm_revalidates_against_the_database(admin_client, topic):
    preview = admin_client.post(IMPORT_URL, {"file": xlsx([row()])})
    topic.name = "Đã đổi tên"
    topic.save()

    response = admin_client.post(CONFIRM_URL, {"token": preview.context["token"]})

    assert response.status_code == 200
    assert "chưa nhập dòng nào" in response.content.decode()
    assert Question.objects.count() == 0


def test_admin_changelist_offers_the_import(admin_client):
    response = admin_client.get(reverse("admin:quizzes_question_changelist"))

    assert "Nhập từ Excel" in response.content.decode()


def test_admin_import_needs_add_and_change_permissions(client, topic):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="add_question"),
        Permission.objects.get(codename="view_question"),
    )
    client.force_login(user)

    responses = [
        client.get(IMPORT_URL),
        client.post(IMPORT_URL, {"file": xlsx([row()])}),
        client.get(TEMPLATE_URL),
    ]
    changelist = client.get(reverse("admin:quizzes_question_changelist"))

    assert [response.status_code for response in responses] == [403] * 3
    assert "Nhập từ Excel" not in changelist.content.decode()
    assert Question.objects.count() == 0


def test_admin_template_is_an_xlsx_with_the_headers_and_an_example_to_skip(
    admin_client, topic
):
    response = admin_client.get(TEMPLATE_URL)

    assert response["Content-Type"] == XLSX
    assert "mau-nhap-cau-hoi.xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in workbook.active[1]] == list(importer.HEADERS)
    rows = importer.read(SimpleUploadedFile("mau.xlsx", response.content))
    assert importer.parse(rows=rows).rows == ()
    assert importer.preview(rows=rows).skipped == (2,)
