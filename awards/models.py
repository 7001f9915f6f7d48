import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User
from awards import collective, ranking, rules_text
from contest_portal.fields import ChoiceListField
from rounds.models import Attempt, Contest, Round


def default_order() -> list[str]:
    return list(ranking.DEFAULT_ORDER)


def default_unit_tie_break() -> list[str]:
    return list(collective.DEFAULT_TIE_BREAK)


def new_share_token() -> str:
    """A result row's share token: 128 random bits, as the INSERT writes them."""
    return secrets.token_hex(16)


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


class ApprovableResult(models.Model):
    """A computed result that judges approve: after approval it is frozen for good."""

    class Status(models.TextChoices):
        PROVISIONAL = "provisional", _("Tạm thời, chờ phê duyệt")
        APPROVED = "approved", _("Đã phê duyệt")

    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=Status.choices,
        default=Status.PROVISIONAL,
    )
    ruleset = models.JSONField(_("quy tắc đã áp dụng"))
    computed_by = models.ForeignKey(
        User,
        verbose_name=_("người tính kết quả"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("thời điểm tính"))
    approved_by = models.ForeignKey(
        User,
        verbose_name=_("người phê duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("thời điểm phê duyệt"), null=True, blank=True)
    checksum = models.CharField(_("mã kiểm tra (SHA-256)"), max_length=64, blank=True)

    class Meta:
        abstract = True


class RoundResult(ApprovableResult):
    """A round's ranking and winners as computed, then as approved (frozen)."""

    round = models.OneToOneField(
        Round,
        verbose_name=_("tuần thi"),
        on_delete=models.PROTECT,
        related_name="result",
    )
    # 1 for the first list; each revocation (awards.services.result_revocation)
    # moves the approved list to RevokedRoundResult and counts on.
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    prediction_truth = models.BigIntegerField(_("đáp án câu dự đoán"), null=True)
    participants = models.PositiveIntegerField(_("số người dự thi"))
    attempts = models.PositiveIntegerField(_("số lượt thi"))
    perfect_people = models.PositiveIntegerField(_("số người đúng tất cả"))

    class Meta:
        verbose_name = _("kết quả tuần thi")
        verbose_name_plural = _("kết quả tuần thi")
        permissions = [
            ("compute_results", _("Tính kết quả, xếp giải")),
            ("approve_results", _("Phê duyệt kết quả, danh sách đạt giải")),
        ]

    def __str__(self) -> str:
        return str(self.round)


class RevokedRoundResult(models.Model):
    """An approved list a judge revoked, kept for good: the exact content its
    checksum was computed over, so anyone can check it. Written only by
    awards.services.result_revocation."""

    round = models.ForeignKey(
        Round,
        verbose_name=_("tuần thi"),
        on_delete=models.PROTECT,
        related_name="revoked_results",
    )
    version = models.PositiveIntegerField(_("phiên bản"))
    checksum = models.CharField(_("mã kiểm tra (SHA-256)"), max_length=64)
    # {"round", "truth", "ruleset", "rows"}: awards.services.result_approval's
    # result_payload, whose digest is the checksum.
    payload = models.JSONField(_("nội dung danh sách"))
    prize_rows = models.PositiveIntegerField(_("số người đạt giải"))
    approved_by = models.ForeignKey(
        User,
        verbose_name=_("người phê duyệt"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("thời điểm phê duyệt"))
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("người thu hồi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("thời điểm thu hồi"))
    reason = models.TextField(_("lý do thu hồi"))

    class Meta:
        verbose_name = _("danh sách đã thu hồi")
        verbose_name_plural = _("danh sách đã thu hồi")
        ordering = ["round", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "version"], name="revoked_result_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} (phiên bản {self.version})"


class ResultRow(models.Model):
    """One ranked contestant with every ranking key, copied so approval freezes it.

    Written only by awards.services.result_compute, in one INSERT ... SELECT from the
    result, attempts, users and units it references, so those references hold when
    written. Deleting a referenced user, attempt, unit or tier is refused by Django
    (PROTECT), deleting the result takes its rows with it (CASCADE, done by Django),
    but the database checks none of these keys: for a round of 300,000 people the
    checks cost ~19 s of the compute for the first three (one trigger and one row
    lock per key per row) and ~1.5 s for the result and the tier, a check queued per
    row at commit even where the tier is NULL. Only (result, rank) and (result, user)
    are indexed: every query of ours starts from a result, or, for the public share
    page, from the row's id with its token beside it. Finding the rows of a user,
    attempt, unit or tier is a rare admin deletion and may scan; each index costs
    ~0.5 s of the 300,000-row compute, and one on the random token ~1 s.
    """

    # (result, rank) leads an index already: no separate one for the key.
    result = models.ForeignKey(
        RoundResult,
        on_delete=models.CASCADE,
        related_name="rows",
        db_constraint=False,
        db_index=False,
    )
    rank = models.PositiveIntegerField(_("hạng"))
    group_name = models.CharField(_("nhóm"), max_length=100, blank=True)
    rank_in_group = models.PositiveIntegerField(_("hạng trong nhóm"))
    # One person's rows are found through (result, user), one result at a time.
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    attempt = models.ForeignKey(
        Attempt,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    attempt_number = models.PositiveSmallIntegerField(_("lượt thi thứ"))
    full_name = models.CharField(_("họ và tên"), max_length=150)
    unit = models.ForeignKey(
        Unit,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    unit_name = models.CharField(_("đơn vị"), max_length=255, blank=True)
    correct = models.PositiveSmallIntegerField(_("số câu đúng"))
    question_count = models.PositiveSmallIntegerField(_("tổng số câu"))
    prediction = models.BigIntegerField(_("dự đoán"), null=True)
    prediction_gap = models.BigIntegerField(_("chênh lệch dự đoán"))
    duration_ms = models.PositiveIntegerField(_("thời gian làm bài (ms)"))
    submitted_at = models.DateTimeField(_("thời điểm nộp"))
    attempts_used = models.PositiveSmallIntegerField(_("số lượt đã thi"))
    registered_at = models.DateTimeField(_("thời điểm đăng ký"))
    prize_tier = models.ForeignKey(
        PrizeTier,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    prize_name = models.CharField(_("giải"), max_length=100, blank=True)
    prize_amount_vnd = models.PositiveBigIntegerField(_("trị giá (đồng)"), default=0)
    skip_reason = models.CharField(_("không xét giải vì"), max_length=40, blank=True)
    qualified = models.BooleanField(_("vào chung kết"), default=False)
    # Accent-free "full name unit name" for the public search ("lung cu" finds
    # "Lũng Cú"), copied with the names from the folded User.search_name and
    # Unit.search_name by the INSERT of result_compute, so it matches the copies.
    # Searched within one result: the scan of one round's rows is the plan.
    search_text = models.CharField(max_length=410, editable=False, default="")
    # The unguessable part of the row's public share page's address, random per row
    # and written by the INSERT of result_compute; a recomputed list has new tokens.
    # The page is found by the row's id, which the address carries too, and opens
    # only when the token matches: no index on 128 random bits per row.
    share_token = models.CharField(
        max_length=32, editable=False, default=new_share_token
    )

    class Meta:
        verbose_name = _("dòng xếp hạng")
        verbose_name_plural = _("bảng xếp hạng")
        ordering = ["result", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["result", "rank"], name="result_rank_once"),
            # Also the index of one contestant's own line.
            models.UniqueConstraint(fields=["result", "user"], name="result_user_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.full_name}"


class UnitResult(ApprovableResult):
    """The contest's collective ranking and prizes, computed once at the end."""

    contest = models.OneToOneField(
        Contest,
        verbose_name=_("cuộc thi"),
        on_delete=models.PROTECT,
        related_name="unit_result",
    )

    class Meta:
        verbose_name = _("kết quả tập thể")
        verbose_name_plural = _("kết quả tập thể")

    def __str__(self) -> str:
        return str(self.contest)


class UnitResultRow(models.Model):
    result = models.ForeignKey(
        UnitResult, on_delete=models.CASCADE, related_name="rows"
    )
    group_name = models.CharField(_("nhóm đơn vị"), max_length=100)
    rank = models.PositiveIntegerField(_("hạng"), null=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(_("đơn vị"), max_length=255)
    # The staff counted for this unit in its group: its own and its sub-units' that
    # are not themselves in the group (awards.collective).
    headcount = models.PositiveIntegerField(_("biên chế"))
    participants = models.PositiveIntegerField(_("số người dự thi"))
    # Wide: a headcount entered too small must not stop the compute.
    rate_percent = models.DecimalField(
        _("tỷ lệ tham gia (%)"), max_digits=14, decimal_places=2
    )
    average_score_percent = models.DecimalField(
        _("điểm trung bình (% câu đúng)"), max_digits=6, decimal_places=2
    )
    total_correct = models.PositiveBigIntegerField(_("tổng số câu đúng"), default=0)
    perfect_people = models.PositiveIntegerField(
        _("số người trả lời đúng tất cả"), default=0
    )
    average_duration_ms = models.PositiveBigIntegerField(
        _("thời gian làm bài trung bình (ms)"), default=0
    )
    winners = models.PositiveIntegerField(_("số người đạt giải cá nhân"))
    prize_tier = models.ForeignKey(
        PrizeTier, null=True, on_delete=models.PROTECT, related_name="+"
    )
    prize_name = models.CharField(_("giải"), max_length=100, blank=True)
    prize_amount_vnd = models.PositiveBigIntegerField(_("trị giá (đồng)"), default=0)
    not_ranked_because = models.CharField(
        _("không xếp hạng vì"), max_length=40, blank=True
    )

    class Meta:
        verbose_name = _("dòng xếp hạng tập thể")
        verbose_name_plural = _("bảng xếp hạng tập thể")
        ordering = ["result", "group_name", "rank", "unit_name"]

    def __str__(self) -> str:
        return f"{self.group_name} {self.rank}. {self.unit_name}"


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
