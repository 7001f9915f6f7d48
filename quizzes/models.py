from django.db import models
from django.utils.translation import gettext_lazy as _

MIN_CHOICES = 2
MAX_CHOICES = 6


class Topic(models.Model):
    name = models.CharField(_("tên chủ đề"), max_length=255, unique=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("chủ đề")
        verbose_name_plural = _("chủ đề")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("chủ đề"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    text = models.TextField(_("nội dung câu hỏi"))
    explanation = models.TextField(
        _("giải thích"),
        blank=True,
        help_text=_("Chỉ hiển thị cho thí sinh sau khi tuần thi kết thúc."),
    )
    is_active = models.BooleanField(_("đang sử dụng"), default=True)
    # Written only by quizzes.services.question_publish: the revision new draws use.
    current_revision = models.ForeignKey(
        "QuestionRevision",
        verbose_name=_("phiên bản hiện hành"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), auto_now=True)

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        ordering = ["topic", "id"]
        indexes = [models.Index(fields=["is_active", "topic"])]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:77] + "..."


class Choice(models.Model):
    question = models.ForeignKey(
        Question,
        verbose_name=_("câu hỏi"),
        on_delete=models.CASCADE,
        related_name="choices",
    )
    text = models.CharField(_("phương án"), max_length=1000)
    is_correct = models.BooleanField(_("đáp án đúng"), default=False)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("phương án trả lời")
        verbose_name_plural = _("phương án trả lời")
        # "Exactly one correct" is checked by quizzes.services.choices_validate, not by
        # a constraint: the admin saves choices one by one, so moving the mark to an
        # earlier choice would pass through two correct rows.
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class QuestionRevision(models.Model):
    """A frozen copy of a question as drawn: attempts point here, never to live rows.

    Editing or deactivating a question publishes a new revision; attempts already
    drawn keep the revision they were given, so their score never changes.
    """

    question = models.ForeignKey(
        Question,
        verbose_name=_("câu hỏi"),
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    number = models.PositiveIntegerField(_("phiên bản số"))
    topic = models.ForeignKey(
        Topic, verbose_name=_("chủ đề"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("nội dung câu hỏi"))
    explanation = models.TextField(_("giải thích"), blank=True)
    choice_texts = models.JSONField(_("các phương án"))
    correct_index = models.PositiveSmallIntegerField(
        _("vị trí đáp án đúng (tính từ 0)")
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản câu hỏi")
        verbose_name_plural = _("phiên bản câu hỏi")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "number"], name="revision_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"
