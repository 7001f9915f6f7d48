from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import Contest


class PrizeTier(models.Model):
    """One line of a contest's prize structure, editable until a list is approved."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Giải cá nhân mỗi tuần")
        COLLECTIVE = "collective", _("Giải tập thể")

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="prize_tiers"
    )
    kind = models.CharField(_("loại giải"), max_length=12, choices=Kind.choices)
    group_label = models.CharField(
        _("nhóm"),
        max_length=100,
        blank=True,
        help_text=_("Ví dụ: cấp huyện, cấp xã. Để trống nếu không chia nhóm."),
    )
    name = models.CharField(_("tên giải"), max_length=100)
    count = models.PositiveSmallIntegerField(_("số giải"))
    amount_vnd = models.PositiveBigIntegerField(_("trị giá mỗi giải (đồng)"), default=0)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("cơ cấu giải thưởng")
        verbose_name_plural = _("cơ cấu giải thưởng")
        ordering = ["contest", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.count})"
