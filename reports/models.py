from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportLog(models.Model):
    """Who downloaded which list, when: personal data leaves the portal only here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"))
    kind = models.CharField(_("loại danh sách"), max_length=40)
    description = models.CharField(_("nội dung"), max_length=255)
    rows = models.PositiveIntegerField(_("số dòng"), default=0)
    includes_personal_data = models.BooleanField(_("có dữ liệu cá nhân"), default=False)

    class Meta:
        verbose_name = _("lượt tải báo cáo")
        verbose_name_plural = _("nhật ký tải báo cáo")
        ordering = ["-at", "-pk"]
        permissions = [
            ("export_lists", _("Tải các danh sách, báo cáo Excel")),
            ("export_personal_data", _("Tải danh sách có dữ liệu cá nhân")),
            ("view_dashboard", _("Xem bảng điều khiển toàn cuộc thi")),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"
