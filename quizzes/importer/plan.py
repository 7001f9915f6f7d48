"""A question file read, its import planned row by row, then applied at once."""

from collections.abc import Sequence
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.import_plan import ImportPlan, RowError
from accounts.spreadsheet import SheetRow, read_sheet
from quizzes.importer.columns import HEADERS, MAX_ROWS, REQUIRED
from quizzes.importer.rows import Draft, is_example, question_key, read_row
from quizzes.models import Choice, Question, Topic
from quizzes.services import question_create, question_publish


def read(upload: UploadedFile) -> tuple[SheetRow, ...]:
    """Check an uploaded question file and return its data rows."""
    return read_sheet(
        upload, headers=HEADERS, required=REQUIRED, max_rows=MAX_ROWS
    ).rows


def parse(*, rows: Sequence[SheetRow]) -> ImportPlan:
    """What importing these rows would do, row by row; writes nothing."""
    return ImportPlan.of([draft.plan for draft in row_drafts(rows)])


@transaction.atomic
def apply(*, rows: Sequence[SheetRow]) -> ImportPlan:
    """Import every row in one transaction, or nothing when any row is wrong."""
    drafts = row_drafts(rows)
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


def row_drafts(rows: Sequence[SheetRow]) -> list[Draft]:
    """Each row but the examples, checked against the bank and the file."""
    topics = {question_key(topic.name): topic for topic in Topic.objects.all()}
    parsed = [read_row(row, topics) for row in rows if not is_example(row)]
    topic_ids = {draft.topic_id for draft in parsed if draft.topic_id}
    existing: dict[tuple[int, str], list[Question]] = {}
    for question in Question.objects.filter(topic_id__in=topic_ids).prefetch_related(
        "choices"
    ):
        existing.setdefault(
            (question.topic_id, question_key(question.text)), []
        ).append(question)
    first_seen: dict[tuple[int, str], int] = {}
    drafts = []
    for draft in parsed:
        if draft.topic_id is None or not draft.text:
            drafts.append(draft)
            continue
        key = (draft.topic_id, question_key(draft.text))
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


def _decide(draft: Draft, errors: list[RowError], question: Question | None) -> Draft:
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


def _question_replace(draft: Draft) -> None:
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
