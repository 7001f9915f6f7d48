"""Judges' decisions on a round: a contestant disqualified, a question voided."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.models import Disqualification, RoundResult
from awards.services.approval import refuse_if_approved
from awards.services.audit import audit
from awards.services.results import result_compute
from quizzes.models import Question
from rounds.models import Round, RoundVoidedQuestion
from rounds.services import round_rescore


def contestant_disqualify_check(*, round_: Round, user: User, reason: str) -> None:
    """Refuse a disqualification without a reason, twice, or after approval."""
    if not (reason or "").strip():
        raise ValidationError(
            _("Vui lòng ghi rõ lý do loại thí sinh."), code="reason_required"
        )
    refuse_if_approved(round_)
    if Disqualification.objects.filter(round=round_, user=user).exists():
        raise ValidationError(
            _("Thí sinh này đã bị loại khỏi xét giải tuần thi."), code="duplicate"
        )


@transaction.atomic
def contestant_disqualify(
    *,
    round_: Round,
    user: User,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> Disqualification:
    """Exclude a contestant from the round's prizes, then recompute the result."""
    now = now or timezone.now()
    contestant_disqualify_check(round_=round_, user=user, reason=reason)
    reason = reason.strip()
    decision = Disqualification.objects.create(
        round=round_, user=user, reason=reason, decided_by=actor, decided_at=now
    )
    audit(
        actor=actor,
        action="disqualify",
        contest=round_.contest,
        round_=round_,
        reason=reason,
        data={"user_id": user.pk},
        now=now,
    )
    if RoundResult.objects.filter(round=round_).exists():
        result_compute(round_=round_, actor=actor, now=now)
    return decision


def question_void_check(*, round_: Round, question: Question, reason: str) -> None:
    """Refuse a void without a reason, twice, or after approval."""
    if not (reason or "").strip():
        raise ValidationError(
            _("Vui lòng ghi rõ lý do hủy câu hỏi."), code="reason_required"
        )
    refuse_if_approved(round_)
    if RoundVoidedQuestion.objects.filter(round=round_, question=question).exists():
        raise ValidationError(_("Câu hỏi này đã bị hủy."), code="duplicate")


@transaction.atomic
def question_void(
    *,
    round_: Round,
    question: Question,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> RoundVoidedQuestion:
    """Count a wrong question as correct for everyone: rescore, then recompute."""
    now = now or timezone.now()
    question_void_check(round_=round_, question=question, reason=reason)
    reason = reason.strip()
    void = RoundVoidedQuestion.objects.create(
        round=round_, question=question, reason=reason, voided_by=actor, voided_at=now
    )
    changed = round_rescore(round_=round_)
    audit(
        actor=actor,
        action="question_void",
        contest=round_.contest,
        round_=round_,
        reason=reason,
        data={"question_id": question.pk, "attempts_rescored": changed},
        now=now,
    )
    if RoundResult.objects.filter(round=round_).exists():
        result_compute(round_=round_, actor=actor, now=now)
    return void
