"""What was decided about results and changed in the admin: append-only."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import Contest, Round


class AuditEntry(models.Model):
    """Append-only record of every decision about results: who, when, what, why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Action(models.TextChoices):
        RESULT_COMPUTE = "result_compute", _("Tính kết quả tuần thi")
        RESULT_APPROVE = "result_approve", _("Phê duyệt danh sách tuần thi")
        RESULT_REVOKE = "result_revoke", _("Thu hồi danh sách tuần thi")
        DISQUALIFY = "disqualify", _("Loại thí sinh khỏi xét giải")
        QUESTION_VOID = "question_void", _("Hủy câu hỏi")
        UNIT_RESULT_COMPUTE = "unit_result_compute", _("Tính kết quả giải tập thể")
        UNIT_RESULT_APPROVE = "unit_result_approve", _("Phê duyệt giải tập thể")
        ACCOUNT_ANONYMISE = "account_anonymise", _("Ẩn danh hóa tài khoản thí sinh")

    at = models.DateTimeField(_("thời điểm"))
    action = models.CharField(_("thao tác"), max_length=40, choices=Action.choices)
    round = models.ForeignKey(
        Round,
        verbose_name=_("tuần thi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Empty for a decision about an account rather than a contest (anonymisation).
    contest = models.ForeignKey(
        Contest,
        verbose_name=_("cuộc thi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("lý do"), blank=True)
    data = models.JSONField(_("chi tiết"), default=dict)

    class Meta:
        verbose_name = _("nhật ký quyết định")
        verbose_name_plural = _("nhật ký quyết định")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_action_display()}"


class AdminChange(models.Model):
    """Append-only record of a change made in the admin: who, when, what, old -> new.

    Written only by awards.admin_audit; PostgreSQL refuses UPDATE and DELETE on the
    table (migration 0005), so not even a superuser's shell can rewrite history.
    """

    class Action(models.TextChoices):
        ADD = "add", _("Thêm")
        CHANGE = "change", _("Sửa")
        DELETE = "delete", _("Xóa")
        ACTION = "action", _("Thao tác hàng loạt")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("loại dữ liệu"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_id = models.CharField(_("mã bản ghi"), max_length=64)
    object_repr = models.CharField(_("bản ghi"), max_length=200)
    action = models.CharField(_("thao tác"), max_length=10, choices=Action.choices)
    action_name = models.CharField(_("tên thao tác"), max_length=100, blank=True)
    # {"fields": {name: [old, new]}, "inlines": [{"model", "id", "action", "fields"}]}
    changes = models.JSONField(_("thay đổi"), default=dict)

    class Meta:
        verbose_name = _("nhật ký sửa đổi trong trang quản trị")
        verbose_name_plural = _("nhật ký sửa đổi trong trang quản trị")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="adminchange_obj")
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%d/%m/%Y %H:%M} {self.get_action_display()} {self.object_repr}"
        )
