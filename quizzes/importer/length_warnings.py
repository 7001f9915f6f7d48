"""Warnings when a topic's correct answers stand out as the longest choice."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from accounts.spreadsheet import SheetRow
from quizzes import answer_bias
from quizzes.importer.plan import row_drafts
from quizzes.models import Choice, Topic


@dataclass(frozen=True, slots=True)
class _Lengths:
    topic_id: int
    is_active: bool
    lengths: tuple[int, ...]
    correct: int | None  # None unless exactly one choice is marked correct


def length_warnings(*, rows: Sequence[SheetRow]) -> list[str]:
    """Warn for each topic these rows touch that would be biased once imported."""
    drafts = [
        d for d in row_drafts(rows) if d.topic_id is not None and not d.plan.errors
    ]
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
