"""A contestant's attempt at a round and the events of its life."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models.rounds import Round


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


class Attempt(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Đang làm")
        FINISHED = "finished", _("Đã nộp")
        VOIDED = "voided", _("Đã hủy")

    class FinishedBy(models.TextChoices):
        CONTESTANT = "contestant", _("Thí sinh nộp bài")
        DEADLINE = "deadline", _("Hết giờ, hệ thống tự nộp")

    # What the browser sees instead of the row id: not guessable, not sequential.
    # Unique by a constraint (Meta), not unique=True: on PostgreSQL that would add
    # a second index for LIKE searches, which nothing runs, kept up by every start
    # and every submit.
    public_id = models.CharField(
        _("mã bài thi"),
        max_length=24,
        default=new_public_id,
        editable=False,
    )
    # Neither foreign key has an index of its own: the indexes of Meta begin with
    # them (attempt_number_unique with the user, attempt_round_status with the
    # round), and every index is kept up by every start and every submit.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thí sinh"),
        on_delete=models.PROTECT,
        related_name="attempts",
        db_index=False,
    )
    # A person's attempts in a round are found by the person, the round tested on
    # them (`round_id + 0`, which no index serves). The round being played is new
    # to PostgreSQL's statistics (they were taken before it had an attempt), so it
    # takes `round_id = <that round>` for a one-row filter and may lead with an
    # index on the round, reading every attempt of the round at each start and
    # result, thousands at a rush, instead of the person's few
    # (tests/rounds/test_open_status_plans.py).
    round = models.ForeignKey(
        Round,
        verbose_name=_("tuần thi"),
        on_delete=models.PROTECT,
        related_name="attempts",
        db_index=False,
    )
    number = models.PositiveSmallIntegerField(_("lượt thi thứ"))
    # "open" is checked on rows found by their key, never used to find them. Open
    # attempts are a sliver of the table, and whenever PostgreSQL last analysed it
    # outside a rush it saw none: it then takes `status = 'open'` for a one-row
    # filter and may scan every open attempt (thousands at a deadline) through
    # attempt_open_deadline, filtering them by public id, instead of the public id's
    # unique index. So the save's statement spells the check so no index can serve
    # it, and the ORM's reads by key test the status in Python
    # (tests/rounds/test_open_status_plans.py).
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    is_practice = models.BooleanField(
        _("thi thử"), default=False, help_text=_("Không được xếp hạng.")
    )
    started_at = models.DateTimeField(_("bắt đầu"))
    deadline = models.DateTimeField(_("hạn nộp"))
    # The draw: [[revision id, [shown position -> original choice index]], ...].
    draw = models.JSONField(_("đề đã rút"), editable=False)
    # Per question position: null or [original choice index, client sequence number].
    answers = models.JSONField(_("các câu trả lời"), editable=False)
    prediction = models.BigIntegerField(_("dự đoán"), null=True, blank=True)
    # The client sequence number of the stored prediction: an older save arriving
    # late never overwrites a newer one (as the answers' numbers do). Written by
    # rounds.services.saving._save.
    prediction_seq = models.PositiveIntegerField(
        _("số thứ tự lần lưu dự đoán"), default=0, db_default=0, editable=False
    )
    # The five fields below are written only by rounds.services.finishing._finish.
    submitted_at = models.DateTimeField(_("thời điểm nộp"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(
        _("thời gian làm bài (ms)"), null=True, blank=True
    )
    correct_count = models.PositiveSmallIntegerField(
        _("số câu đúng"), null=True, blank=True
    )
    question_count = models.PositiveSmallIntegerField(_("tổng số câu"))
    finished_by = models.CharField(
        _("cách nộp"), max_length=12, choices=FinishedBy.choices, blank=True
    )
    # Written only by rounds.services.finishing._finish: scoring.answers_fingerprint
    # of the answers as finished, so suspicion checks compare attempts by an index.
    answers_fingerprint = models.CharField(
        _("dấu vết bài làm"), max_length=32, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = _("bài thi")
        verbose_name_plural = _("bài thi")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["public_id"], name="attempt_public_id"),
            models.UniqueConstraint(
                fields=["user", "round", "number"], name="attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "round"],
                condition=models.Q(status="open"),
                name="attempt_one_open_per_round",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open")
                | models.Q(
                    submitted_at__isnull=False,
                    duration_ms__isnull=False,
                    correct_count__isnull=False,
                ),
                name="attempt_finished_has_result",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "status"], name="attempt_round_status"),
            models.Index(fields=["status", "deadline"], name="attempt_open_deadline"),
            models.Index(
                fields=["round", "answers_fingerprint"], name="attempt_fingerprint"
            ),
            # The ranking reads a round's finished attempts from this index alone,
            # one person after another (awards.selectors.ranking). A prediction
            # changed on an open attempt is therefore not a HOT update.
            models.Index(
                fields=["round", "user"],
                include=[
                    "id",
                    "number",
                    "correct_count",
                    "question_count",
                    "prediction",
                    "duration_ms",
                    "submitted_at",
                ],
                condition=models.Q(status="finished", is_practice=False),
                name="attempt_ranked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} / {self.round_id} #{self.number}"


class AttemptEvent(models.Model):
    """Append-only trace of an attempt's status changes: who, when, why, the result.

    Written only by rounds.services.finishing (_finish and attempt_void). The unique constraint
    makes "one event per change" a database fact: a second finish of the same attempt
    would fail rather than leave two records.
    """

    class Kind(models.TextChoices):
        FINISHED = "finished", _("Nộp bài")
        VOIDED = "voided", _("Hủy bài thi")

    # Indexed by attempt_event_once, which begins with it.
    attempt = models.ForeignKey(
        Attempt,
        verbose_name=_("bài thi"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    kind = models.CharField(_("sự kiện"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("thời điểm ghi"))
    # None when the system acted (the deadline passed).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("lý do"), blank=True)
    data = models.JSONField(_("chi tiết"), default=dict)

    class Meta:
        verbose_name = _("nhật ký bài thi")
        verbose_name_plural = _("nhật ký bài thi")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "kind"], name="attempt_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.kind}"
