"""One row of a question file read and checked: the question it would import."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.import_plan import RowError, RowPlan
from accounts.normalize import clean_text
from accounts.spreadsheet import SheetRow
from quizzes import import_template
from quizzes.importer.columns import (
    ACTIVE,
    CHOICES,
    CORRECT,
    EXPLANATION,
    LETTERS,
    TEXT,
    TOPIC,
    TOPICS_LISTED,
)
from quizzes.models import MIN_CHOICES, Choice, Question, Topic
from quizzes.services import choices_validate

_YES = {"có", "co", "x", "1", "true", "yes"}
_NO = {"không", "khong", "0", "false", "no"}
_SEVERAL_LETTERS = re.compile(rf"[{LETTERS}](?:\s*[,;/&+\s]?\s*[{LETTERS}])+")
_CHOICE_MAX_LENGTH = Choice._meta.get_field("text").max_length


@dataclass(frozen=True, slots=True)
class Draft:
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


def question_key(text: str) -> str:
    """How questions and topics are matched: cleaned, case-insensitive."""
    return clean_text(text).casefold()


def example_match(row: SheetRow) -> import_template.ExampleMatch:
    return import_template.example_match(
        text=row.values.get(TEXT, ""),
        choices=[row.values.get(header, "") for header in CHOICES],
        correct=row.values.get(CORRECT, ""),
    )


def is_example(row: SheetRow) -> bool:
    """Still exactly the template's example row: skipped, never imported."""
    return example_match(row) is import_template.ExampleMatch.EXACT


def read_row(row: SheetRow, topics: dict[str, Topic]) -> Draft:
    values = row.values
    errors: list[RowError] = []
    warnings = list(row.warnings)
    match = example_match(row)
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
    choices = read_choices(values, errors)
    correct = read_correct(values.get(CORRECT, ""), choices, errors)
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
    return Draft(
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
    topic = topics.get(question_key(name))
    if topic is None:
        names = sorted(topic.name for topic in topics.values())
        listed = "; ".join(names[:TOPICS_LISTED])
        if len(names) > TOPICS_LISTED:
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


def read_choices(values: dict[str, str], errors: list[RowError]) -> list[str]:
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


def read_correct(
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
            i
            for i, text in enumerate(choices)
            if text and question_key(text) == question_key(value)
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
