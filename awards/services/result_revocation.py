"""An approved round list revoked by a judge, with a written reason.

The revoked list is kept for good (RevokedRoundResult): the very content its
checksum covers, so a printed copy can still be checked against it. The round's
result becomes provisional again under the next version number; a new computation
and approval publish that version. Certificates issued from the revoked list stay
on record, marked revoked, and their verification says so.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.models import (
    Certificate,
    RevokedRoundResult,
    RoundResult,
    UnitResult,
)
from awards.services.approval import digest
from awards.services.audit import audit
from awards.services.result_approval import final_sync_qualifiers, result_payload
from rounds.models import Attempt, Round

MIN_REASON_LENGTH = 10


@transaction.atomic
def result_revoke(
    *, result: RoundResult, actor: User, reason: str, now: datetime | None = None
) -> RevokedRoundResult:
    """Withdraw an approved list: keep it in the history, reopen the next version."""
    now = now or timezone.now()
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            _("Vui lòng ghi rõ lý do thu hồi danh sách (ít nhất %(n)d ký tự).")
            % {"n": MIN_REASON_LENGTH},
            code="reason_required",
        )
    result = (
        RoundResult.objects.select_for_update()
        .select_related("round__contest")
        .get(pk=result.pk)
    )
    if result.status != RoundResult.Status.APPROVED:
        raise ValidationError(
            _("Chỉ thu hồi được danh sách đã phê duyệt."), code="not_approved"
        )
    round_ = result.round
    _refuse_when_others_depend_on_it(round_)
    payload = result_payload(result=result)
    if digest(payload) != result.checksum:
        # The stored rows no longer match what was approved: that is for the
        # technical staff to look into, not something to paper over.
        raise ValidationError(
            _(
                "Dữ liệu danh sách không còn khớp mã kiểm tra đã phê duyệt; "
                "không thể thu hồi. Vui lòng báo bộ phận kỹ thuật."
            ),
            code="checksum_mismatch",
        )
    revoked = RevokedRoundResult.objects.create(
        round=round_,
        version=result.version,
        checksum=result.checksum,
        payload=payload,
        prize_rows=result.rows.filter(prize_tier__isnull=False).count(),
        approved_by=result.approved_by,
        approved_at=result.approved_at,
        revoked_by=actor,
        revoked_at=now,
        reason=reason,
    )
    certificates = Certificate.objects.filter(result_row__result=result).update(
        result_row=None, revoked_at=now, revoked_reason=reason
    )
    result.status = RoundResult.Status.PROVISIONAL
    result.version += 1
    result.approved_by = None
    result.approved_at = None
    result.checksum = ""
    result.save(
        update_fields=["status", "version", "approved_by", "approved_at", "checksum"]
    )
    for final in Round.objects.filter(qualifying_round_id=round_.pk):
        final_sync_qualifiers(final=final)
    audit(
        actor=actor,
        action="result_revoke",
        contest=round_.contest,
        round_=round_,
        reason=reason,
        data={
            "checksum": revoked.checksum,
            "version": revoked.version,
            "certificates_revoked": certificates,
        },
        now=now,
    )
    return revoked


def _refuse_when_others_depend_on_it(round_: Round) -> None:
    """A final already played from these qualifiers, or an approved collective
    result counting this round, would silently change: refuse, in words."""
    if Attempt.objects.filter(round__qualifying_round_id=round_.pk).exists():
        raise ValidationError(
            _(
                "Không thể thu hồi: vòng chung kết đã có bài thi của những người "
                "được chọn từ danh sách này."
            ),
            code="final_played",
        )
    if UnitResult.objects.filter(
        contest_id=round_.contest_id, status=RoundResult.Status.APPROVED
    ).exists():
        raise ValidationError(
            _(
                "Không thể thu hồi: kết quả giải tập thể của cuộc thi đã được phê "
                "duyệt dựa trên các danh sách tuần."
            ),
            code="unit_result_approved",
        )
