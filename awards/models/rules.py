"""How a contest ranks and rewards: its ranking rules, contestant and unit groups,
prize tiers, the signatories of its certificates and the disqualified."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User
from awards import collective, ranking, rules_text
from contest_portal.fields import ChoiceListField
from rounds.models import Contest, Round


def default_order() -> list[str]:
    return list(ranking.DEFAULT_ORDER)


def default_unit_tie_break() -> list[str]:
    return list(collective.DEFAULT_TIE_BREAK)


class RankingRules(models.Model):
    """How a contest ranks people and units; every number here is the contest's own."""

    class Counted(models.TextChoices):
        BEST = ranking.BEST, _("Bài tốt nhất theo thứ tự xếp hạng")
        FIRST = ranking.FIRST, _("Bài nộp đầu tiên")
        LAST = ranking.LAST, _("Bài nộp cuối cùng")

    class Truth(models.TextChoices):
        PERFECT_PEOPLE = (
            ranking.TRUTH_PERFECT_PEOPLE,
            _("Số người trả lời đúng tất cả các câu"),
        )
        PARTICIPANTS = ranking.TRUTH_PARTICIPANTS, _("Số người dự thi")
        ATTEMPTS = ranking.TRUTH_ATTEMPTS, _("Số lượt thi")
        MANUAL = ranking.TRUTH_MANUAL, _("Ban Tổ chức nhập tay")

    contest = models.OneToOneField(
        Contest, on_delete=models.CASCADE, related_name="ranking_rules"
    )
    counted_attempt = models.CharField(
        _("bài thi được tính"),
        max_length=10,
        choices=Counted.choices,
        default=Counted.BEST,
    )
    order = ChoiceListField(
        _("thứ tự tiêu chí xếp hạng"),
        item_choices=rules_text.criterion_choices(),
        ordered=True,
        default=default_order,
        help_text=_(
            "Tiêu chí thứ nhất quyết định trước; bằng nhau thì xét tiêu chí tiếp "
            "theo. Sau các tiêu chí đã chọn luôn xét: nộp sớm hơn."
        ),
    )
    truth_kind = models.CharField(
        _("đáp án câu dự đoán"),
        max_length=20,
        choices=Truth.choices,
        default=Truth.PERFECT_PEOPLE,
    )
    one_weekly_prize_per_person = models.BooleanField(
        _("mỗi người chỉ đạt một giải tuần trong cả cuộc thi"), default=False
    )
    unit_metric = models.CharField(
        _("tiêu chí xếp hạng tập thể"),
        max_length=20,
        choices=rules_text.unit_criterion_choices(),
        default=collective.PARTICIPANTS,
    )
    unit_tie_break = ChoiceListField(
        _("tiêu chí phụ xếp hạng tập thể"),
        item_choices=rules_text.unit_criterion_choices(),
        ordered=True,
        default=default_unit_tie_break,
        blank=True,
        help_text=_("Xét lần lượt khi các đơn vị bằng nhau ở tiêu chí chính."),
    )
    unit_rounds = models.ManyToManyField(
        Round,
        verbose_name=_("các vòng thi tính giải tập thể"),
        blank=True,
        related_name="+",
        help_text=_(
            "Ví dụ chỉ vòng chung kết. Để trống: mọi tuần thi, vòng thi của cuộc thi."
        ),
    )
    unit_min_rate_percent = models.PositiveSmallIntegerField(
        _("tỷ lệ tham gia tối thiểu (%)"),
        null=True,
        blank=True,
        help_text=_("Đơn vị dưới tỷ lệ này không được xếp giải tập thể."),
    )
    live_leaderboard = models.BooleanField(
        _("bảng xếp hạng trực tiếp khi tuần thi đang mở"), default=False
    )
    certificates_enabled = models.BooleanField(
        _("cấp giấy chứng nhận"),
        default=False,
        help_text=_(
            "Người đạt giải, hoặc đạt ngưỡng câu đúng bên dưới, được tải giấy chứng "
            "nhận sau khi kết quả tuần thi được phê duyệt."
        ),
    )
    certificate_min_correct_percent = models.PositiveSmallIntegerField(
        _("ngưỡng cấp giấy chứng nhận (% câu đúng)"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu chỉ cấp cho người đạt giải."),
    )

    class Meta:
        verbose_name = _("quy tắc xếp hạng")
        verbose_name_plural = _("quy tắc xếp hạng")

    def __str__(self) -> str:
        return str(self.contest)

    @property
    def unit_order(self) -> list[str]:
        """The collective ranking order: the metric, then the tie-breaks."""
        return [
            self.unit_metric,
            *[c for c in self.unit_tie_break or () if c != self.unit_metric],
        ]


class ContestantGroup(models.Model):
    """Contestants ranked and awarded separately, e.g. civil servants and citizens."""

    contest = models.ForeignKey(
        Contest,
        verbose_name=_("cuộc thi"),
        on_delete=models.CASCADE,
        related_name="contestant_groups",
    )
    name = models.CharField(_("tên nhóm"), max_length=100)
    occupations = ChoiceListField(
        _("đối tượng thuộc nhóm"),
        item_choices=User.Occupation.choices,
        help_text=_("Mỗi đối tượng chỉ thuộc một nhóm."),
    )

    class Meta:
        verbose_name = _("nhóm thí sinh")
        verbose_name_plural = _("nhóm thí sinh")
        constraints = [
            # A result's rows name their group: two groups of one name would merge.
            models.UniqueConstraint(
                fields=["contest", "name"],
                name="contestant_group_name_once",
                violation_error_message=_("Cuộc thi đã có nhóm thí sinh cùng tên."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class UnitGroup(models.Model):
    """Units ranked together for collective prizes, e.g. district or commune level."""

    contest = models.ForeignKey(
        Contest,
        verbose_name=_("cuộc thi"),
        on_delete=models.CASCADE,
        related_name="unit_groups",
    )
    name = models.CharField(_("tên nhóm đơn vị"), max_length=100)
    levels = ChoiceListField(
        _("các cấp đơn vị"),
        item_choices=Unit.Level.choices,
    )

    class Meta:
        verbose_name = _("nhóm đơn vị")
        verbose_name_plural = _("nhóm đơn vị")

    def __str__(self) -> str:
        return self.name


class PrizeTier(models.Model):
    """One line of a contest's prize structure, editable until a list is approved."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Giải cá nhân mỗi tuần")
        COLLECTIVE = "collective", _("Giải tập thể")

    contest = models.ForeignKey(
        Contest,
        verbose_name=_("cuộc thi"),
        on_delete=models.CASCADE,
        related_name="prize_tiers",
    )
    kind = models.CharField(_("loại giải"), max_length=12, choices=Kind.choices)
    contestant_group = models.ForeignKey(
        ContestantGroup,
        verbose_name=_("nhóm thí sinh"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Giải cá nhân: để trống nếu không chia nhóm."),
    )
    unit_group = models.ForeignKey(
        UnitGroup,
        verbose_name=_("nhóm đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Giải tập thể: nhóm đơn vị được xét."),
    )

    class Stage(models.TextChoices):
        WEEKLY_AND_FINAL = "", _("Các tuần thi và vòng chung kết")
        REGULAR = Round.Stage.REGULAR.value, _("Chỉ các tuần thi thường")
        QUALIFYING = Round.Stage.QUALIFYING.value, _("Chỉ vòng loại")
        FINAL = Round.Stage.FINAL.value, _("Chỉ vòng chung kết")

    stage = models.CharField(
        _("áp dụng cho"),
        max_length=12,
        choices=Stage.choices,
        default=Stage.WEEKLY_AND_FINAL,
        blank=True,
        help_text=_(
            "Giải cá nhân: vòng thi trao giải này. Mặc định vòng loại không trao giải."
        ),
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

    @property
    def group_label(self) -> str:
        group = self.contestant_group or self.unit_group
        return group.name if group else ""


class Signatory(models.Model):
    """A signature block of the contest's printed lists or certificates: the
    title ("Trưởng Ban Tổ chức") and the name of who signs, in order."""

    contest = models.ForeignKey(
        Contest,
        verbose_name=_("cuộc thi"),
        on_delete=models.CASCADE,
        related_name="signatories",
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    title = models.CharField(_("chức danh ký"), max_length=150)
    name = models.CharField(_("họ và tên người ký"), max_length=150, blank=True)
    on_lists = models.BooleanField(_("ký trên danh sách"), default=True)
    on_certificates = models.BooleanField(_("ký trên giấy chứng nhận"), default=False)

    class Meta:
        verbose_name = _("người ký")
        verbose_name_plural = _("người ký trên danh sách, giấy chứng nhận")
        ordering = ["contest", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.title}: {self.name}"


class Disqualification(models.Model):
    round = models.ForeignKey(
        Round,
        verbose_name=_("tuần thi"),
        on_delete=models.CASCADE,
        related_name="disqualifications",
    )
    user = models.ForeignKey(
        User, verbose_name=_("thí sinh"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("lý do"))
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("loại khỏi xét giải")
        verbose_name_plural = _("loại khỏi xét giải")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="disqualify_once")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.user_id}"
