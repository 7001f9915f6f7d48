"""What the admin's preview shows beside the plan: choices, the correct one."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.import_plan import RowError
from accounts.spreadsheet import SheetRow
from quizzes.importer.columns import CORRECT, LETTERS
from quizzes.importer.rows import is_example, question_key, read_choices, read_correct


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


def preview(*, rows: Sequence[SheetRow]) -> ImportPreview:
    """Each question's choices and correct answer as read, and the rows skipped."""
    questions = {}
    skipped = []
    for row in rows:
        if is_example(row):
            skipped.append(row.number)
        else:
            questions[row.number] = _question_preview(row)
    return ImportPreview(questions=questions, skipped=tuple(skipped))


def _question_preview(row: SheetRow) -> QuestionPreview:
    values = row.values
    errors: list[RowError] = []
    texts = read_choices(values, [])
    correct = read_correct(values.get(CORRECT, ""), texts, errors)
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
            if i != correct and question_key(text) == question_key(texts[correct])
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
