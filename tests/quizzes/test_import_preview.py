"""The import preview shows each question's choices, marks the correct one in words,
and flags a row whose correct answer is missing or cannot be told."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from quizzes import importer
from tests.factories import TopicFactory, UserFactory
from tests.quizzes.test_import import row, three_questions, xlsx

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:quizzes_question_import")
CONFIRM_URL = reverse("admin:quizzes_question_import_confirm")
MARK = "✔ đáp án đúng"
MISSING = "Chưa có đáp án đúng."
UNCLEAR = "Chưa rõ đáp án đúng"


@pytest.fixture
def topic():
    return TopicFactory(name="Luật Thanh niên")


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@dataclass
class PreviewRow:
    choices: list[str] = field(default_factory=list)  # "A. 2019", ...
    correct: list[str] = field(default_factory=list)  # the choices marked correct
    flags: list[str] = field(default_factory=list)


class PreviewTable(HTMLParser):
    """The preview table's rows by spreadsheet row number, read as a person sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[int, PreviewRow] = {}
        self._row: PreviewRow | None = None
        self._list = ""  # "choices", "flags" or ""
        self._item: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "tr" and attributes.get("data-row"):
            self._row = self.rows.setdefault(int(attributes["data-row"]), PreviewRow())
        elif tag == "ul" and self._row is not None:
            classes = (attributes.get("class") or "").split()
            self._list = (
                "choices"
                if "import-choices" in classes
                else "flags"
                if "errorlist" in classes
                else ""
            )
        elif tag == "li" and self._list:
            self._item = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None
        elif tag == "ul":
            self._list = ""
        elif tag == "li" and self._item is not None and self._row is not None:
            text = " ".join("".join(self._item).split())
            if self._list == "flags":
                self._row.flags.append(text)
            else:
                choice = text.removesuffix(MARK).strip()
                self._row.choices.append(choice)
                if text.endswith(MARK):
                    self._row.correct.append(choice)
            self._item = None

    def handle_data(self, data: str) -> None:
        if self._item is not None:
            self._item.append(data)


def preview_table(response) -> dict[int, PreviewRow]:
    table = PreviewTable()
    table.feed(response.content.decode())
    return table.rows


def test_preview_lists_each_question_choices_and_marks_only_its_correct_one(
    admin_client, topic
):
    response = admin_client.post(IMPORT_URL, {"file": xlsx(three_questions())})

    rows = preview_table(response)
    assert sorted(rows) == [2, 3, 4]
    assert rows[2].choices == ["A. 2019", "B. 2020", "C. 2021", "D. 2022"]
    assert rows[2].correct == ["C. 2021"]
    assert rows[3].choices == ["A. 16-30", "B. 15-30"]
    assert rows[3].correct == ["A. 16-30"]
    assert rows[4].choices == ["A. 1", "B. 2", "C. 3", "D. 4", "E. 5", "F. 6"]
    assert rows[4].correct == ["F. 6"]
    assert all(not r.flags for r in rows.values())
    assert response.content.decode().count(MARK) == 3


def test_preview_never_moves_a_mark_to_a_row_sharing_choice_texts(admin_client, topic):
    rows = [
        row(text="Câu một?", a="Có", b="Không", c="", d="", correct="A"),
        row(text="Câu hai?", a="Có", b="Không", c="", d="", correct="B"),
    ]

    response = admin_client.post(IMPORT_URL, {"file": xlsx(rows)})

    table = preview_table(response)
    assert (table[2].correct, table[3].correct) == (["A. Có"], ["B. Không"])


def test_preview_shows_the_choices_again_when_the_confirmation_fails(
    admin_client, topic
):
    preview = admin_client.post(IMPORT_URL, {"file": xlsx([row()])})
    topic.name = "Đã đổi tên"
    topic.save()

    response = admin_client.post(CONFIRM_URL, {"token": preview.context["token"]})

    assert preview_table(response)[2].correct == ["C. 2021"]


@pytest.mark.parametrize(
    ("overrides", "flag", "error"),
    [
        ({"correct": ""}, MISSING, "Chưa nhập đáp án đúng"),
        ({"correct": "A,B"}, UNCLEAR, "chỉ có một đáp án đúng"),
        ({"correct": "E"}, UNCLEAR, "phương án E để trống"),
        ({"correct": "G"}, UNCLEAR, "không hợp lệ"),
        ({"correct": "2021"}, UNCLEAR, "hãy ghi chữ cái “C”"),
        ({"d": "2021"}, UNCLEAR, "trùng nhau"),
    ],
    ids=[
        "missing",
        "two-letters",
        "empty-choice",
        "not-a-letter",
        "answer-text-instead-of-letter",
        "correct-choice-twice",
    ],
)
def test_preview_flags_a_missing_or_unclear_correct_answer_in_vietnamese(
    admin_client, topic, overrides, flag, error
):
    rows = [row(text="Câu hỏi tốt?"), row(**overrides)]

    response = admin_client.post(IMPORT_URL, {"file": xlsx(rows)})

    content = response.content.decode()
    table = preview_table(response)
    assert list(table) == [3]
    assert len(table[3].flags) == 1
    assert table[3].flags[0].startswith(f"⚠ {flag}")
    assert error in content
    assert "Xác nhận nhập" not in content


def test_preview_of_two_identical_correct_choices_names_them():
    topic = TopicFactory(name="Luật Thanh niên")
    rows = importer.read(xlsx([row(topic=topic.name, d="2021")]))

    question = importer.preview(rows=rows).questions[2]

    assert [c.letter for c in question.choices if c.is_correct] == ["C"]
    assert "phương án C trùng nội dung với phương án D" in question.correct_problem


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"correct": ""}, MISSING),
        ({"correct": "AB"}, UNCLEAR),
        ({"c": "", "correct": "C"}, UNCLEAR),
    ],
    ids=["missing", "two-letters", "blank-choice"],
)
def test_preview_marks_no_choice_when_the_correct_one_cannot_be_told(
    overrides, problem
):
    rows = importer.read(xlsx([row(**overrides)]))

    question = importer.preview(rows=rows).questions[2]

    assert not any(choice.is_correct for choice in question.choices)
    assert question.correct_problem.startswith(problem)
