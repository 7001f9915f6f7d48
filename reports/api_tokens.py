"""The access tokens other systems read the JSON API (reports.api) with.

Imported by reports.models, so the model belongs to the reports app. Only a digest
of a token's secret is stored: the secret is shown once, when the token is issued
(reports.api.tokens.api_token_issue), and cannot be read back afterwards.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from contest_portal.fields import ChoiceListField


class ApiToken(models.Model):
    """A bearer token issued by an organizer to a unit or to another system."""

    class Scope(models.TextChoices):
        PARTICIPATION = "participation", _("Số liệu tham gia theo đơn vị")
        PERSONAL = "personal", _("Danh sách kết quả có thông tin cá nhân")

    name = models.CharField(
        _("tên"),
        max_length=150,
        help_text=_("Đơn vị hoặc hệ thống được cấp, ví dụ “Ứng dụng Hue-S”."),
    )
    scopes = ChoiceListField(
        _("quyền đọc"),
        item_choices=Scope.choices,
        help_text=_(
            "Kết quả đã phê duyệt, giải tập thể và danh sách cuộc thi là dữ liệu "
            "công khai, không cần mã truy cập."
        ),
    )
    all_units = models.BooleanField(
        _("mọi đơn vị"),
        default=False,
        help_text=_(
            "Cho hệ thống của Ban Tổ chức. Nếu không chọn, mã chỉ đọc được số liệu "
            "của các đơn vị dưới đây và các đơn vị trực thuộc."
        ),
    )
    units = models.ManyToManyField(
        Unit,
        verbose_name=_("các đơn vị được xem"),
        blank=True,
        related_name="+",
        help_text=_("Gồm cả các đơn vị trực thuộc của từng đơn vị được chọn."),
    )
    # Written only by reports.api.tokens.api_token_issue: the first characters of
    # the token, to tell tokens apart; and the SHA-256 of the whole token.
    prefix = models.CharField(_("mã nhận diện"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cấp"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("thời điểm cấp"), editable=False)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    # Written only by reports.api.tokens.api_token_revoke.
    revoked_at = models.DateTimeField(
        _("thu hồi lúc"), null=True, blank=True, editable=False
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thu hồi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("mã truy cập dữ liệu")
        verbose_name_plural = _("mã truy cập dữ liệu")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_issue",
                violation_error_message=_("Thời điểm hết hạn phải sau thời điểm cấp."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
