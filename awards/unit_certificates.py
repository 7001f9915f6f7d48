"""Collective certificates (giấy khen tập thể): issued for the prized rows of an
approved collective result, drawn like a person's, checked on the same public page."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards import certificate_services, certificates
from awards.models import (
    Certificate,
    UnitCertificate,
    UnitResult,
    UnitResultRow,
    new_certificate_code,
)

DOWNLOAD_PERMISSIONS = ("awards.approve_results", "reports.export_lists")


def unit_certificate_can_download(*, user: User) -> bool:
    """Judges who approve results and officials who download the lists."""
    return any(user.has_perm(permission) for permission in DOWNLOAD_PERMISSIONS)


def _percent(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",") + "%"


def _result_text(row: UnitResultRow) -> str:
    parts = [_("Hạng %(rank)s") % {"rank": row.rank}] if row.rank else []
    parts.append(_("tỷ lệ tham gia %(rate)s") % {"rate": _percent(row.rate_percent)})
    parts.append(
        _("trung bình %(score)s câu trả lời đúng")
        % {"score": _percent(row.average_score_percent)}
    )
    return "; ".join(parts)


def _unused_code() -> str:
    """A code no person's certificate holds either: one page verifies both kinds."""
    while True:
        code = new_certificate_code()
        if not Certificate.objects.filter(code=code).exists():
            return code


@transaction.atomic
def unit_certificate_issue(
    *, row: UnitResultRow, actor: User, now: datetime | None = None
) -> UnitCertificate:
    """The prized unit row's certificate, issued on first call, the same one later."""
    # The row lock makes get-or-create safe when two officials download at once.
    row = (
        UnitResultRow.objects.select_for_update(of=("self",))
        .select_related("result__contest")
        .get(pk=row.pk)
    )
    if row.result.status != UnitResult.Status.APPROVED:
        raise ValidationError(
            _("Kết quả giải tập thể chưa được phê duyệt."), code="not_approved"
        )
    existing = UnitCertificate.objects.filter(result_row=row).first()
    if existing is not None:
        return existing
    if not row.prize_name:
        raise ValidationError(
            _("Đơn vị này không đạt giải tập thể."), code="not_prized"
        )
    certificate = UnitCertificate(
        result_row=row,
        code=_unused_code(),
        issued_at=now or timezone.now(),
        issued_by=actor,
        unit_name=row.unit_name,
        contest_title=row.result.contest.title,
        group_name=row.group_name,
        result_text=_result_text(row),
        prize_name=row.prize_name,
    )
    certificate.full_clean()
    certificate.save()
    return certificate


def unit_certificate_get_by_code(*, code: str) -> UnitCertificate | None:
    """The unit certificate a typed code names, or None."""
    normalized = certificate_services.certificate_code_normalize(code)
    if normalized is None:
        return None
    return UnitCertificate.objects.filter(code=normalized).first()


def unit_certificate_pdf(*, certificate: UnitCertificate) -> bytes:
    """The unit certificate's PDF, with the contest's header and signatures."""

    def draw(sheet: certificates.Paper) -> bytes:
        return certificates.render_unit_pdf(
            certificates.UnitCertificateText(
                unit_name=certificate.unit_name,
                contest_title=certificate.contest_title,
                group_name=certificate.group_name,
                result_text=certificate.result_text,
                prize_name=certificate.prize_name,
                paper=sheet,
            )
        )

    return certificate_services.draw_cached(
        kind="unit-certificate",
        code=certificate.code,
        grouped_code=certificate.grouped_code,
        verify_path=certificate_services.verify_path(certificate.grouped_code),
        contest=certificate.result_row.result.contest,
        issued_at=certificate.issued_at,
        draw=draw,
    )
