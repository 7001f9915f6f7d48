"""Question statistics from the attempts' draws and answers."""

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime

from accounts.models import User
from quizzes.models import Question, QuestionRevision
from reports import xlsx
from reports.exports.common import (
    CHUNK,
    EVERYBODY_RIGHT,
    NOBODY_RIGHT,
    PERCENT,
    VND,
    in_batches,
    title_block,
)
from reports.xlsx import Column
from rounds.models import Attempt, Contest, Round, RoundVoidedQuestion

# --- question statistics -----------------------------------------------------------


def questions_export(
    *,
    target: xlsx.Target,
    by: User,
    round_: Round | None = None,
    contest: Contest | None = None,
    now: datetime | None = None,
) -> int:
    """How often each question was drawn and answered right, from the attempts' JSON."""
    if (round_ is None) == (contest is None):
        raise ValueError("give a round or a contest")
    contest = contest or round_.contest
    attempts = Attempt.objects.filter(status=Attempt.Status.FINISHED, is_practice=False)
    voids = RoundVoidedQuestion.objects.all()
    if round_ is not None:
        attempts = attempts.filter(round=round_)
        voids = voids.filter(round=round_)
    else:
        attempts = attempts.filter(round__contest=contest)
        voids = voids.filter(round__contest=contest)
    drawn: Counter[int] = Counter()
    answered: Counter[int] = Counter()
    chosen: Counter[tuple[int, int]] = Counter()
    for draw, answers in attempts.values_list("draw", "answers").iterator(
        chunk_size=CHUNK
    ):
        for position, (revision_id, _permutation) in enumerate(draw):
            drawn[revision_id] += 1
            answer = answers[position] if position < len(answers) else None
            if answer is not None:
                answered[revision_id] += 1
                chosen[revision_id, answer[0]] += 1
    stats: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for batch in in_batches(drawn):
        for revision_id, question_id, correct_index in QuestionRevision.objects.filter(
            pk__in=batch
        ).values_list("pk", "question_id", "correct_index"):
            counts = stats[question_id]
            counts[0] += drawn[revision_id]
            counts[1] += answered[revision_id]
            counts[2] += chosen[revision_id, correct_index]
    voided = set(voids.values_list("question_id", flat=True))
    questions = []
    for batch in in_batches(stats):
        questions += Question.objects.filter(pk__in=batch).values_list(
            "pk", "topic__order", "topic__name", "text"
        )
    questions.sort(key=lambda q: (q[1], q[2], q[0]))
    columns = [
        Column("Mã câu hỏi", 10),
        Column("Chủ đề", 24),
        Column("Câu hỏi", 60),
        Column("Số lần được rút", 12, VND),
        Column("Số lần trả lời", 12, VND),
        Column("Số lần trả lời đúng", 12, VND),
        Column("Tỷ lệ đúng (%)", 12, PERCENT),
        Column("Nhận xét", 26),
    ]

    def lines() -> Iterator[list]:
        for pk, _order, topic, text in questions:
            n_drawn, n_answered, n_correct = stats[pk]
            notes = []
            if n_drawn and n_correct == 0:
                notes.append(NOBODY_RIGHT)
            elif n_drawn and n_correct == n_drawn:
                notes.append(EVERYBODY_RIGHT)
            if pk in voided:
                notes.append("Câu hỏi đã bị hủy")
            yield [
                pk,
                topic,
                text,
                n_drawn,
                n_answered,
                n_correct,
                round(100 * n_correct / n_drawn, 2) if n_drawn else None,
                "; ".join(notes),
            ]

    title = title_block(
        subject="Thống kê câu hỏi", by=by, now=now, contest=contest, round_=round_
    )
    return xlsx.write_sheet(
        target, columns=columns, rows=lines(), title=title, name="Câu hỏi"
    )
