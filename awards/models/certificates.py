"""Certificates, a person's and a unit's, with the code printed on them."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from awards.models.results import ResultRow, UnitResultRow

# No 0/O or 1/I: a code is read off paper and typed back by hand.
CERTIFICATE_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CERTIFICATE_CODE_LENGTH = 12


def new_certificate_code() -> str:
    return "".join(
        secrets.choice(CERTIFICATE_CODE_ALPHABET)
        for _ in range(CERTIFICATE_CODE_LENGTH)
    )


class VerificationCode(models.Model):
    """The code printed on a certificate, a person's or a unit's: one alphabet and
    length, so one public page verifies both."""

    # 60 random bits: the code alone proves the certificate on the public page.
    code = models.CharField(
        _("mã xác minh"),
        max_length=CERTIFICATE_CODE_LENGTH,
        unique=True,
        default=new_certificate_code,
        editable=False,
    )

    class Meta:
        abstract = True

    @property
    def grouped_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class Certificate(VerificationCode):
    """A certificate issued for one approved result row, its text frozen at issue."""

    class Kind(models.TextChoices):
        PRIZE = "prize", _("Đạt giải")
        ACHIEVEMENT = "achievement", _("Đạt thành tích")

    # Cleared when the list it was issued from is revoked (its rows are then
    # recomputed); the certificate itself stays, marked revoked, for verification.
    result_row = models.OneToOneField(
        ResultRow,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    issued_at = models.DateTimeField(_("thời điểm cấp"))
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    # The texts below are written only by awards.certificate_services.certificate_issue.
    full_name = models.CharField(_("họ và tên"), max_length=150)
    unit_name = models.CharField(_("đơn vị"), max_length=255, blank=True)
    contest_title = models.CharField(_("cuộc thi"), max_length=255)
    round_name = models.CharField(_("tuần thi"), max_length=255)
    result_text = models.CharField(_("kết quả"), max_length=100)
    prize_name = models.CharField(_("giải"), max_length=100, blank=True)
    # Written only by awards.services.result_revocation.
    revoked_at = models.DateTimeField(_("thời điểm thu hồi"), null=True, blank=True)
    revoked_reason = models.TextField(_("lý do thu hồi"), blank=True)

    class Meta:
        verbose_name = _("giấy chứng nhận")
        verbose_name_plural = _("giấy chứng nhận")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["prize", "achievement"]),
                name="certificate_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="achievement") | ~models.Q(prize_name=""),
                name="certificate_prize_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grouped_code} {self.full_name}"


class UnitCertificate(VerificationCode):
    """A unit's collective certificate (giấy khen tập thể), issued for one prized row
    of an approved collective result, its text frozen at issue."""

    # PROTECT: an approved collective result is never recomputed, and a printed
    # certificate must keep the row it was issued from.
    result_row = models.OneToOneField(
        UnitResultRow,
        verbose_name=_("dòng xếp hạng tập thể"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    issued_at = models.DateTimeField(_("thời điểm cấp"))
    issued_by = models.ForeignKey(
        User,
        verbose_name=_("người cấp"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The texts below are written only by awards.unit_certificates.unit_certificate_issue.
    unit_name = models.CharField(_("đơn vị"), max_length=255)
    contest_title = models.CharField(_("cuộc thi"), max_length=255)
    group_name = models.CharField(_("nhóm đơn vị"), max_length=100, blank=True)
    result_text = models.CharField(_("kết quả"), max_length=150)
    prize_name = models.CharField(_("giải"), max_length=100)

    class Meta:
        verbose_name = _("giấy khen tập thể")
        verbose_name_plural = _("giấy khen tập thể")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(prize_name=""),
                name="unit_certificate_prize_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grouped_code} {self.unit_name}"
