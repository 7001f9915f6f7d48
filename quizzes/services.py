from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.normalize import clean_text
from quizzes.models import MAX_CHOICES, MIN_CHOICES, Choice, Question, QuestionRevision


def choices_validate(*, texts: Sequence[str], correct_flags: Sequence[bool]) -> None:
    """Refuse a set of choices that is not 2 to 6 distinct texts with one correct."""
    if not MIN_CHOICES <= len(texts) <= MAX_CHOICES:
        raise ValidationError(
            _("Mỗi câu hỏi phải có từ %(min)d đến %(max)d phương án trả lời.")
            % {"min": MIN_CHOICES, "max": MAX_CHOICES},
            code="choice_count",
        )
    if any(not clean_text(text) for text in texts):
        raise ValidationError(
            _("Phương án trả lời không được để trống."), code="empty_choice"
        )
    if len({clean_text(text).casefold() for text in texts}) != len(texts):
        raise ValidationError(
            _("Hai phương án trả lời trùng nhau."), code="duplicate_choice"
        )
    correct = sum(1 for flag in correct_flags if flag)
    if correct != 1:
        raise ValidationError(
            _("Mỗi câu hỏi phải có đúng một đáp án đúng (đang có %(n)d).")
            % {"n": correct},
            code="correct_count",
        )


@transaction.atomic
def question_publish(*, question: Question) -> QuestionRevision:
    """Freeze the question as it now stands; reuse the last revision if unchanged."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    choices = list(question.choices.order_by("order", "id"))
    texts = [clean_text(choice.text) for choice in choices]
    flags = [choice.is_correct for choice in choices]
    choices_validate(texts=texts, correct_flags=flags)
    content = {
        "topic_id": question.topic_id,
        "text": clean_text(question.text),
        "explanation": clean_text(question.explanation),
        "choice_texts": texts,
        "correct_index": flags.index(True),
    }
    latest = question.revisions.order_by("-number").first()
    if latest is not None and all(
        getattr(latest, field) == value for field, value in content.items()
    ):
        revision = latest
    else:
        revision = QuestionRevision.objects.create(
            question=question,
            number=(latest.number + 1) if latest else 1,
            **content,
        )
    Question.objects.filter(pk=question.pk).update(current_revision=revision)
    return revision


@transaction.atomic
def question_create(
    *,
    topic_id: int,
    text: str,
    choices: Sequence[str],
    correct: int,
    explanation: str = "",
    is_active: bool = True,
) -> Question:
    """Create a question with its choices and publish its first revision."""
    texts = [clean_text(choice) for choice in choices]
    choices_validate(
        texts=texts, correct_flags=[i == correct for i in range(len(texts))]
    )
    question = Question(
        topic_id=topic_id,
        text=clean_text(text),
        explanation=clean_text(explanation),
        is_active=is_active,
    )
    question.full_clean()
    question.save()
    Choice.objects.bulk_create(
        Choice(question=question, text=choice, is_correct=i == correct, order=i)
        for i, choice in enumerate(texts)
    )
    question_publish(question=question)
    return question
