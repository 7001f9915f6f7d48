"""Freezing a computed result: refusals after approval, checksums, the approval."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from awards.models import RoundResult, UnitResult
from rounds.models import Round


def refuse_if_approved(round_: Round) -> None:
    if RoundResult.objects.filter(
        round=round_, status=RoundResult.Status.APPROVED
    ).exists():
        raise ValidationError(
            _("Kết quả tuần thi đã được phê duyệt, không thể thay đổi."),
            code="already_approved",
        )


def digest(payload: dict[str, Any]) -> str:
    """SHA-256 of a canonical JSON encoding: the same content always gives the same sum."""
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def freeze(
    result: RoundResult | UnitResult, *, actor: User, now: datetime, checksum
) -> None:
    """Approve a locked provisional result: who, when, and the checksum of its rows."""
    if result.status == RoundResult.Status.APPROVED:
        raise ValidationError(
            _("Kết quả này đã được phê duyệt."), code="already_approved"
        )
    result.status = RoundResult.Status.APPROVED
    result.approved_by = actor
    result.approved_at = now
    result.checksum = checksum(result=result)
    result.save(update_fields=["status", "approved_by", "approved_at", "checksum"])


def canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value
