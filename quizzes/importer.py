"""The question bank's spreadsheet format: read, preview (`parse`), import (`apply`).

A row names an existing topic, the question, two to six choices A-F and the letter
of the correct one. A question already exists when its topic holds a question with
the same text (NFC, case-insensitive): it is updated, its choices replaced and a new
revision published, so attempts keep the revision they drew. Importing the same
file twice changes nothing the second time.

The template's example row is skipped while it is still exactly the example, and a
row that kept its mark but was edited is refused (quizzes.import_template decides).
`preview` gives what the admin's preview shows beside the plan: each question's
choices with the correct one marked, the reason when no single correct one can be
told, and the example rows skipped.

`length_warnings` (the preview) and `bank_length_warnings` (the bank's list) tell
authors when a topic's correct answers stand out by being the longest choice: a
warning, never an error, decided by quizzes.answer_bias over active questions.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from accounts.normalize import clean_text
from accounts.spreadsheet import (
    ImportPlan,
    RowError,
    RowPlan,
    SheetRow,
    read_sheet,
)
from quizzes import answer_bias, import_template
from quizzes.models import MAX_CHOICES, MIN_CHOICES, Choice, Question, Topic
from quizzes.services import choices_validate, question_create, question_publish

LETTERS = "ABCDEF"[:MAX_CHOICES]
TOPIC = "Chủ đề"
TEXT = "Câu hỏi"
CHOICES = tuple(f"Phương án {letter}" for letter in LETTERS)
CORRECT = "Đáp án đúng"
EXPLANATION = "Giải thích"
ACTIVE = "Đang sử dụng"
# Each row costs about a dozen queries through the services (~7 ms on PostgreSQL):
# 3,000 rows stay well inside one request and gunicorn's 30 s worker timeout.
MAX_ROWS = 3000
HEADERS = (TOPIC, TEXT, *CHOICES, CORRECT, EXPLANATION, ACTIVE)
REQUIRED = (TOPIC, TEXT, *CHOICES[:MIN_CHOICES], CORRECT)

_YES = {"có", "co", "x", "1", "true", "yes"}
_NO = {"không", "khong", "0", "false", "no"}
_SEVERAL_LETTERS = re.compile(rf"[{LETTERS}](?:\s*[,;/&+\s]?\s*[{LETTERS}])+")
_CHOICE_MAX_LENGTH = Choice._meta.get_field("text").max_length
_TOPICS_LISTED = 15


@dataclass(frozen=True, slots=True)
class _Draft:
    plan: RowPlan
    topic_id: int | None = None
    text: str = ""
    choices: tuple[str, ...] = ()
    correct: int = 0
    explanation: str = ""
    is_active: bool = True
    explanation_given: bool = False
    active_given: bool = False
    question: Question | None = None


@dataclass(frozen=True, slots=True)
class ChoicePreview:
    letter: str
    text: str
    is_correct: bool


@dataclass(frozen=True, slots=True)
class QuestionPreview:
    number: int
    choices: tuple[ChoicePreview, ...]  # the filled ones, with their letters
    # In Vietnamese, "" when exactly one choice, distinct from the others, is marked.
    correct_problem: str = ""


@dataclass(frozen=True, slots=True)
class ImportPreview:
    questions: dict[int, QuestionPreview]  # by row number; example rows left out
    skipped: tuple[int, ...]  # the example rows' numbers


@dataclass(frozen=True, slots=True)
class _Lengths:
    topic_id: int
    is_active: bool
    lengths: tuple[int, ...]
    correct: int | None  # None unless exactly one choice is marked correct


def read(upload: UploadedFile) -> tuple[SheetRow, ...]:
    """Check an uploaded question file and return its data rows."""
    return read_sheet(
        upload, headers=HEADERS, required=REQUIRED, max_rows=MAX_ROWS
    ).rows


def parse(*, rows: Sequence[SheetRow]) -> ImportPlan:
    """What importing these rows would do, row by row; writes nothing."""
    return ImportPlan.of([draft.plan for draft in _drafts(rows)])


def preview(*, rows: Sequence[SheetRow]) -> ImportPreview:
    """Each question's choices and correct answer as read, and the rows skipped."""
    questions = {}
    skipped = []
    for row in rows:
        if _is_example(row):
            skipped.append(row.number)
        else:
            questions[row.number] = _question_preview(row)
    return ImportPreview(questions=questions, skipped=tuple(skipped))


@transaction.atomic
def apply(*, rows: Sequence[SheetRow]) -> ImportPlan:
    """Import every row in one transaction, or nothing when any row is wrong."""
    drafts = _drafts(rows)
    plan = ImportPlan.of([draft.plan for draft in drafts])
    if not plan.rows:
        raise ValidationError(
            _("File chỉ có dòng mẫu, chưa có câu hỏi nào để nhập."),
            code="only_example",
        )
    if not plan.is_valid:
        raise ValidationError(
            _("File còn %(n)d dòng lỗi nên chưa nhập dòng nào.")
            % {"n": plan.counts["error"]},
            code="invalid_rows",
        )
    for draft in drafts:
        if draft.plan.action == "create":
            question_create(
                topic_id=draft.topic_id,
                text=draft.text,
                choices=draft.choices,
                correct=draft.correct,
                explanation=draft.explanation,
                is_active=draft.is_active,
            )
        elif draft.plan.action == "update":
            _question_replace(draft)
    return plan


def length_warnings(*, rows: Sequence[SheetRow]) -> list[str]:
    """Warn for each topic these rows touch that would be biased once imported."""
    drafts = [d for d in _drafts(rows) if d.topic_id is not None and not d.plan.errors]
    if not drafts:
        return []
    topic_ids = {draft.topic_id for draft in drafts}
    bank = _bank(Choice.objects.filter(question__topic_id__in=topic_ids))
    for number, draft in enumerate(drafts):
        key = draft.question.pk if draft.question else f"row-{number}"
        bank[key] = _Lengths(
            topic_id=draft.topic_id,
            is_active=draft.is_active,
            lengths=tuple(len(text) for text in draft.choices),
            correct=draft.correct,
        )
    return _length_warnings(bank.values())


def bank_length_warnings() -> list[str]:
    """Warn for each topic whose active questions are biased; one or two queries."""
    return _length_warnings(
        _bank(Choice.objects.filter(question__is_active=True)).values()
    )


def template() -> bytes:
    """The blank question file offered for download."""
    topics = list(Topic.objects.values_list("name", flat=True)[:_TOPICS_LISTED])
    choices = import_template.EXAMPLE_CHOICES
    example_row = [
        topics[0] if topics else import_template.EXAMPLE_TOPIC,
        import_template.EXAMPLE_TEXT,
        *choices,
        *[""] * (len(CHOICES) - len(choices)),
        import_template.EXAMPLE_CORRECT,
        import_template.EXAMPLE_EXPLANATION,
        "có",
    ]
    notes = [
        _(
            "Dòng %(row)d của trang “Dữ liệu” là dòng mẫu (tô vàng, câu hỏi bắt đầu "
            "bằng “%(mark)s”): khi nhập, dòng này được tự động bỏ qua. Hãy nhập câu "
            "hỏi từ dòng %(next)d trở xuống; có thể xóa dòng mẫu. Nếu viết câu hỏi "
            "thật đè lên dòng mẫu, hãy xóa chữ “%(mark)s”."
        )
        % {
            "row": import_template.EXAMPLE_ROW,
            "next": import_template.EXAMPLE_ROW + 1,
            "mark": import_template.EXAMPLE_MARK,
        },
        _("Mỗi dòng của trang “Dữ liệu” là một câu hỏi; giữ nguyên dòng tiêu đề."),
        _("“Chủ đề” phải là tên một chủ đề đã có trong trang quản trị."),
        _(
            "Từ %(min)d đến %(max)d phương án, điền liên tục từ A, không bỏ trống ở giữa."
        )
        % {"min": MIN_CHOICES, "max": MAX_CHOICES},
        _("“Đáp án đúng” là một chữ cái (A–%(last)s) của một phương án đã điền.")
        % {"last": LETTERS[-1]},
        _("“Đang sử dụng”: “có” hoặc “không”; để trống là “có”."),
        _(
            "Câu hỏi trùng nội dung với câu hỏi đã có trong cùng chủ đề sẽ được cập "
            "nhật, không tạo câu hỏi mới."
        ),
        _("Các chủ đề hiện có: %(topics)s") % {"topics": "; ".join(topics) or "—"},
    ]
    return import_template.template_with_example(
        headers=HEADERS, example=example_row, notes=notes
    )


def _bank(choices: QuerySet[Choice]) -> dict[int | str, _Lengths]:
    # The database counts the characters: the texts themselves never travel.
    rows = choices.order_by("question_id", "order", "id").values_list(
        "question_id",
        "question__topic_id",
        "question__is_active",
        Length("text"),
        "is_correct",
    )
    grouped: dict[int, tuple[int, bool, list[int], list[int]]] = {}
    for question_id, topic_id, is_active, length, is_correct in rows:
        _topic, _active, lengths, correct = grouped.setdefault(
            question_id, (topic_id, is_active, [], [])
        )
        if is_correct:
            correct.append(len(lengths))
        lengths.append(length)
    return {
        question_id: _Lengths(
            topic_id=topic_id,
            is_active=is_active,
            lengths=tuple(lengths),
            correct=correct[0] if len(correct) == 1 else None,
        )
        for question_id, (topic_id, is_active, lengths, correct) in grouped.items()
    }


def _length_warnings(questions: Iterable[_Lengths]) -> list[str]:
    by_topic: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for question in questions:
        if question.is_active and question.correct is not None:
            by_topic.setdefault(question.topic_id, []).append(
                (question.lengths, question.correct)
            )
    biased = {}
    for topic_id, measured in by_topic.items():
        bias = answer_bias.length_bias_of_lengths(measured)
        if bias.warns:
            biased[topic_id] = bias
    if not biased:
        return []
    return [
        _(
            "Chủ đề “%(topic)s”: đáp án đúng dài nhất ở %(longest)d/%(questions)d "
            "câu đang sử dụng (trung bình dài gấp %(ratio)s lần các phương án sai); "
            "thí sinh có thể đoán đúng bằng cách chọn phương án dài nhất. Nên viết "
            "lại các phương án sai cho dài tương đương."
        )
        % {
            "topic": topic.name,
            "longest": biased[topic.pk].longest,
            "questions": biased[topic.pk].questions,
            "ratio": f"{biased[topic.pk].length_ratio:.1f}".replace(".", ","),
        }
        for topic in Topic.objects.filter(pk__in=biased)
    ]


def _key(text: str) -> str:
    return clean_text(text).casefold()


def _drafts(rows: Sequence[SheetRow]) -> list[_Draft]:
    topics = {_key(topic.name): topic for topic in Topic.objects.all()}
    parsed = [_read_row(row, topics) for row in rows if not _is_example(row)]
    topic_ids = {draft.topic_id for draft in parsed if draft.topic_id}
    existing: dict[tuple[int, str], list[Question]] = {}
    for question in Question.objects.filter(topic_id__in=topic_ids).prefetch_related(
        "choices"
    ):
        existing.setdefault((question.topic_id, _key(question.text)), []).append(
            question
        )
    first_seen: dict[tuple[int, str], int] = {}
    drafts = []
    for draft in parsed:
        if draft.topic_id is None or not draft.text:
            drafts.append(draft)
            continue
        key = (draft.topic_id, _key(draft.text))
        errors = list(draft.plan.errors)
        if key in first_seen:
            errors.append(
                RowError(
                    "duplicate_in_file",
                    _("Câu hỏi trùng với câu hỏi ở dòng %(row)d của file.")
                    % {"row": first_seen[key]},
                )
            )
        else:
            first_seen[key] = draft.plan.number
        matches = existing.get(key, [])
        if len(matches) > 1:
            errors.append(
                RowError(
                    "ambiguous_question",
                    _(
                        "Chủ đề này đã có %(n)d câu hỏi cùng nội dung; hãy gộp chúng "
                        "trong trang quản trị trước khi nhập."
                    )
                    % {"n": len(matches)},
                )
            )
        drafts.append(_decide(draft, errors, matches[0] if matches else None))
    return drafts


def _decide(draft: _Draft, errors: list[RowError], question: Question | None) -> _Draft:
    if errors:
        return replace(draft, plan=replace(draft.plan, errors=tuple(errors)))
    if question is None:
        return replace(draft, plan=replace(draft.plan, action="create"))
    # An absent optional column keeps what the question already has.
    explanation = draft.explanation if draft.explanation_given else question.explanation
    is_active = draft.is_active if draft.active_given else question.is_active
    choices = sorted(
        question.choices.all(), key=lambda choice: (choice.order, choice.id)
    )
    unchanged = (
        question.current_revision_id is not None
        and question.text == draft.text
        and question.explanation == explanation
        and question.is_active == is_active
        and [choice.text for choice in choices] == list(draft.choices)
        and [choice.is_correct for choice in choices]
        == [i == draft.correct for i in range(len(draft.choices))]
    )
    return replace(
        draft,
        plan=replace(draft.plan, action="unchanged" if unchanged else "update"),
        explanation=explanation,
        is_active=is_active,
        question=question,
    )


def _example_match(row: SheetRow) -> import_template.ExampleMatch:
    return import_template.example_match(
        text=row.values.get(TEXT, ""),
        choices=[row.values.get(header, "") for header in CHOICES],
        correct=row.values.get(CORRECT, ""),
    )


def _is_example(row: SheetRow) -> bool:
    return _example_match(row) is import_template.ExampleMatch.EXACT


def _question_preview(row: SheetRow) -> QuestionPreview:
    values = row.values
    errors: list[RowError] = []
    texts = _read_choices(values, [])
    correct = _read_correct(values.get(CORRECT, ""), texts, errors)
    problem = ""
    if errors and errors[0].code == "missing_correct":
        problem = _("Chưa có đáp án đúng.")
    elif errors:
        # The row's errors say why; the flag only stands beside the choices.
        problem = _("Chưa rõ đáp án đúng.")
    else:
        twins = [
            LETTERS[i]
            for i, text in enumerate(texts)
            if i != correct and _key(text) == _key(texts[correct])
        ]
        if twins:
            problem = _(
                "Chưa rõ đáp án đúng: phương án %(letter)s trùng nội dung với "
                "phương án %(twins)s."
            ) % {"letter": LETTERS[correct], "twins": ", ".join(twins)}
    return QuestionPreview(
        number=row.number,
        choices=tuple(
            ChoicePreview(letter=LETTERS[i], text=text, is_correct=i == correct)
            for i, text in enumerate(texts)
            if text
        ),
        correct_problem=problem,
    )


def _read_row(row: SheetRow, topics: dict[str, Topic]) -> _Draft:
    values = row.values
    errors: list[RowError] = []
    warnings = list(row.warnings)
    match = _example_match(row)
    if match is import_template.ExampleMatch.MARKED:
        errors.append(
            RowError(
                "example_mark_left",
                _(
                    "Câu hỏi còn chữ “%(mark)s” của dòng mẫu nhưng dòng đã được sửa. "
                    "Nếu đây là câu hỏi thật, hãy xóa chữ đó khỏi ô “%(header)s”; nếu "
                    "không, hãy xóa cả dòng."
                )
                % {"mark": import_template.EXAMPLE_MARK, "header": TEXT},
            )
        )
    elif match is import_template.ExampleMatch.LEGACY:
        warnings.append(
            _(
                "Dòng này giống hệt dòng mẫu của file mẫu cũ. Nếu không phải câu hỏi "
                "bạn muốn nhập, hãy xóa dòng này rồi tải file lên lại."
            )
        )
    topic = _read_topic(values.get(TOPIC, ""), topics, errors)
    text = values.get(TEXT, "")
    if not text:
        errors.append(RowError("missing_text", _("Chưa nhập nội dung câu hỏi.")))
    choices = _read_choices(values, errors)
    correct = _read_correct(values.get(CORRECT, ""), choices, errors)
    is_active = _read_active(values.get(ACTIVE, ""), errors)
    if not errors:
        try:
            choices_validate(
                texts=choices,
                correct_flags=[i == correct for i in range(len(choices))],
            )
        except ValidationError as error:
            errors.append(RowError(error.code or "invalid", error.messages[0]))
    label = f"{topic.name if topic else values.get(TOPIC, '')} — {text}"
    return _Draft(
        plan=RowPlan(
            number=row.number,
            label=label if len(label) <= 120 else label[:117] + "...",
            errors=tuple(errors),
            warnings=tuple(warnings),
        ),
        topic_id=topic.pk if topic else None,
        text=text,
        choices=tuple(choices),
        correct=correct if correct is not None else 0,
        explanation=values.get(EXPLANATION, ""),
        is_active=is_active,
        explanation_given=EXPLANATION in values,
        active_given=ACTIVE in values,
    )


def _read_topic(
    name: str, topics: dict[str, Topic], errors: list[RowError]
) -> Topic | None:
    if not name:
        errors.append(RowError("missing_topic", _("Chưa nhập chủ đề.")))
        return None
    topic = topics.get(_key(name))
    if topic is None:
        names = sorted(topic.name for topic in topics.values())
        listed = "; ".join(names[:_TOPICS_LISTED])
        if len(names) > _TOPICS_LISTED:
            listed += "; …"
        errors.append(
            RowError(
                "unknown_topic",
                _(
                    "Chủ đề “%(name)s” chưa có; hãy tạo chủ đề trong trang quản trị "
                    "trước. Các chủ đề hiện có: %(known)s."
                )
                % {"name": name, "known": listed or "—"},
            )
        )
    return topic


def _read_choices(values: dict[str, str], errors: list[RowError]) -> list[str]:
    texts = [values.get(header, "") for header in CHOICES]
    filled = [i for i, text in enumerate(texts) if text]
    last = filled[-1] if filled else -1
    for i in range(last):
        if not texts[i]:
            errors.append(
                RowError(
                    "choice_gap",
                    _(
                        "Phương án %(empty)s để trống trong khi phương án %(later)s có "
                        "nội dung; hãy điền liên tục từ A."
                    )
                    % {"empty": LETTERS[i], "later": LETTERS[last]},
                )
            )
            break
    if len(filled) < MIN_CHOICES:
        errors.append(
            RowError(
                "choice_count",
                _("Cần ít nhất %(min)d phương án trả lời (đang có %(n)d).")
                % {"min": MIN_CHOICES, "n": len(filled)},
            )
        )
    for i in filled:
        if len(texts[i]) > _CHOICE_MAX_LENGTH:
            errors.append(
                RowError(
                    "choice_too_long",
                    _("Phương án %(letter)s dài quá %(max)d ký tự.")
                    % {"letter": LETTERS[i], "max": _CHOICE_MAX_LENGTH},
                )
            )
    return texts[: last + 1]


def _read_correct(
    value: str, choices: Sequence[str], errors: list[RowError]
) -> int | None:
    letter = value.upper().rstrip(".")
    if not letter:
        errors.append(
            RowError(
                "missing_correct",
                _("Chưa nhập đáp án đúng (một chữ cái từ A đến %(last)s).")
                % {"last": LETTERS[-1]},
            )
        )
        return None
    if _SEVERAL_LETTERS.fullmatch(letter):
        errors.append(
            RowError(
                "several_correct",
                _("Mỗi câu hỏi chỉ có một đáp án đúng (đang ghi “%(value)s”).")
                % {"value": value},
            )
        )
        return None
    if len(letter) != 1 or letter not in LETTERS:
        typed = [
            i for i, text in enumerate(choices) if text and _key(text) == _key(value)
        ]
        if len(typed) == 1:
            errors.append(
                RowError(
                    "invalid_correct",
                    _(
                        "Đáp án đúng ghi “%(value)s” là nội dung của phương án "
                        "%(letter)s: hãy ghi chữ cái “%(letter)s”."
                    )
                    % {"value": value, "letter": LETTERS[typed[0]]},
                )
            )
            return None
        errors.append(
            RowError(
                "invalid_correct",
                _(
                    "Đáp án đúng “%(value)s” không hợp lệ: hãy ghi một chữ cái từ A "
                    "đến %(last)s."
                )
                % {"value": value, "last": LETTERS[-1]},
            )
        )
        return None
    index = LETTERS.index(letter)
    if index >= len(choices) or not choices[index]:
        errors.append(
            RowError(
                "correct_not_a_choice",
                _("Đáp án đúng là %(letter)s nhưng phương án %(letter)s để trống.")
                % {"letter": letter},
            )
        )
        return None
    return index


def _read_active(value: str, errors: list[RowError]) -> bool:
    folded = value.casefold()
    if not folded or folded in _YES:
        return True
    if folded in _NO:
        return False
    errors.append(
        RowError(
            "invalid_active",
            _("Cột “%(header)s” chỉ nhận “có” hoặc “không” (đang ghi “%(value)s”).")
            % {"header": ACTIVE, "value": value},
        )
    )
    return True


def _question_replace(draft: _Draft) -> None:
    question = Question.objects.select_for_update().get(pk=draft.question.pk)
    question.text = draft.text
    question.explanation = draft.explanation
    question.is_active = draft.is_active
    question.full_clean()
    question.save()
    # Attempts hold revisions, never choices: replacing the rows loses nothing.
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, text=text, is_correct=i == draft.correct, order=i)
        for i, text in enumerate(draft.choices)
    )
    question_publish(question=question)
