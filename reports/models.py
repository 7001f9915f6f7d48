from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportLog(models.Model):
    """Who downloaded which list, when: personal data leaves the portal only here."""

    # A person in the portal, or another system reading the JSON API with a token.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    api_token = models.ForeignKey(
        "reports.ApiToken",
        verbose_name=_("mã truy cập dữ liệu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uses",
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False)
                | models.Q(api_token__isnull=False),
                name="export_log_by_user_or_token",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class ExportJob(models.Model):
    """A long export run in the background; its file waits for its owner."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Lỗi")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("loại danh sách"), max_length=40)
    key = models.CharField(_("tuần thi/cuộc thi"), max_length=100, blank=True)
    personal = models.BooleanField(_("có dữ liệu cá nhân"), default=False)
    description = models.CharField(_("nội dung"), max_length=255)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # Written only by reports.job_runs.export_job_run.
    rows = models.PositiveIntegerField(_("số dòng"), default=0)
    file = models.FileField(_("tệp"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("việc tạo báo cáo")
        verbose_name_plural = _("việc tạo báo cáo")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.description


# The API's tokens live in their own module; imported here so Django finds the model.
from reports.api_tokens import ApiToken  # noqa: E402, F401
