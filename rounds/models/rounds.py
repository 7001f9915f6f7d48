"""A contest's rounds: when they open, what they draw, the questions voided after
the fact and who qualified for a final."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from contest_portal.fields import ChoiceListField
from quizzes.models import Topic
from rounds.models.contests import Contest


class Round(models.Model):
    contest = models.ForeignKey(
        Contest,
        verbose_name=_("cuộc thi"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    name = models.CharField(_("tên tuần thi"), max_length=255)
    opens_at = models.DateTimeField(_("thời gian mở"))
    closes_at = models.DateTimeField(_("thời gian đóng"))
    question_count = models.PositiveSmallIntegerField(_("số câu hỏi"), default=30)
    time_limit_seconds = models.PositiveIntegerField(
        _("thời gian làm bài (giây)"), default=30 * 60
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("số lượt thi tối đa"), default=0, help_text=_("0 là không giới hạn.")
    )
    prediction_question = models.TextField(
        _("câu hỏi dự đoán"), blank=True, help_text=_("Để trống nếu không có.")
    )

    class Stage(models.TextChoices):
        REGULAR = "regular", _("Tuần thi thường")
        QUALIFYING = "qualifying", _("Vòng loại (trong từng đơn vị)")
        FINAL = "final", _("Vòng chung kết")

    stage = models.CharField(
        _("loại vòng thi"), max_length=12, choices=Stage.choices, default=Stage.REGULAR
    )
    qualifying_round = models.ForeignKey(
        "self",
        verbose_name=_("vòng loại tương ứng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="finals",
        help_text=_("Với vòng chung kết: chỉ người đạt vòng loại này được thi."),
    )
    qualify_per_unit = models.PositiveSmallIntegerField(
        _("số người vào chung kết mỗi đơn vị"), default=10
    )
    qualify_unit_levels = ChoiceListField(
        _("xét chọn vào chung kết theo đơn vị cấp"),
        item_choices=Unit.Level.choices,
        default=list,
        blank=True,
        help_text=_(
            "Vòng loại: mỗi đơn vị thuộc các cấp được chọn (tính cả các đơn vị trực "
            "thuộc) có số người nêu trên vào chung kết. Để trống: xét theo đơn vị "
            "trực tiếp của thí sinh."
        ),
    )
    prediction_truth_value = models.BigIntegerField(
        _("đáp án câu dự đoán (nhập tay)"),
        null=True,
        blank=True,
        help_text=_("Chỉ dùng khi cuộc thi chọn nhập tay đáp án câu dự đoán."),
    )
    grace_seconds = models.PositiveSmallIntegerField(
        _("thời gian gia hạn nộp bài (giây)"),
        default=10,
        help_text=_("Bù độ trễ mạng cho bài nộp sát giờ."),
    )
    min_seconds_per_question = models.PositiveSmallIntegerField(
        _("thời gian tối thiểu mỗi câu (giây)"),
        default=2,
        help_text=_(
            "Bài làm nhanh hơn mức này được đánh dấu để Ban Giám khảo xem xét, "
            "không tự động bị loại. 0 là không kiểm tra."
        ),
    )

    class Meta:
        verbose_name = _("tuần thi")
        verbose_name_plural = _("tuần thi")
        ordering = ["contest", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="round_closes_after_opening",
                violation_error_message=_("Thời gian đóng phải sau thời gian mở."),
            ),
            models.CheckConstraint(
                condition=models.Q(question_count__gte=1),
                name="round_has_questions",
                violation_error_message=_("Số câu hỏi phải từ 1 trở lên."),
            ),
            models.CheckConstraint(
                condition=models.Q(time_limit_seconds__gte=10),
                name="round_time_limit_positive",
                violation_error_message=_("Thời gian làm bài tối thiểu 10 giây."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contest.title} - {self.name}"

    @property
    def has_prediction(self) -> bool:
        return bool(self.prediction_question.strip())


class RoundTopicQuota(models.Model):
    round = models.ForeignKey(
        Round,
        verbose_name=_("tuần thi"),
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("chủ đề"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveSmallIntegerField(_("số câu"))

    class Meta:
        verbose_name = _("số câu theo chủ đề")
        verbose_name_plural = _("số câu theo chủ đề")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "topic"], name="quota_unique_topic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic}: {self.count}"


class RoundVoidedQuestion(models.Model):
    """A question judged wrong after the fact: it counts as correct for everyone.

    Written only by awards.services.decisions.question_void.
    """

    round = models.ForeignKey(
        Round,
        verbose_name=_("tuần thi"),
        on_delete=models.CASCADE,
        related_name="voids",
    )
    question = models.ForeignKey(
        "quizzes.Question", verbose_name=_("câu hỏi"), on_delete=models.PROTECT
    )
    reason = models.TextField(_("lý do"))
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    voided_at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("câu hỏi bị hủy")
        verbose_name_plural = _("câu hỏi bị hủy")
        constraints = [
            models.UniqueConstraint(fields=["round", "question"], name="void_once")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.question_id}"


class RoundQualifier(models.Model):
    """Who may enter a final round.

    Written only by awards.services.result_approval.final_sync_qualifiers, when the
    qualifying list is approved and when a final is saved.
    """

    round = models.ForeignKey(
        Round,
        verbose_name=_("vòng chung kết"),
        on_delete=models.CASCADE,
        related_name="qualifiers",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thí sinh"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("người vào chung kết")
        verbose_name_plural = _("người vào chung kết")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="qualifier_once")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.user_id}"
