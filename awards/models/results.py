"""Computed results: a round's ranked rows and the contest's collective ranking,
approved and frozen by judges, and the record of a revoked approval."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User
from awards.models.rules import PrizeTier
from rounds.models import Attempt, Contest, Round


def new_share_token() -> str:
    """A result row's share token: 128 random bits, as the INSERT writes them."""
    return secrets.token_hex(16)


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
