import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.countries import NATIONALITY_CHOICES
from accounts.models import Unit, User
from contest_portal.fields import ChoiceListField
from quizzes.models import Topic


class Contest(models.Model):
    class ReviewPolicy(models.TextChoices):
        NEVER = "never", _("Không bao giờ hiển thị đáp án")
        AFTER_CLOSE = "after_close", _("Hiển thị đáp án sau khi tuần thi kết thúc")

    title = models.CharField(_("tên cuộc thi"), max_length=255)
    slug = models.SlugField(_("đường dẫn"), max_length=100, unique=True)
    organizer_name = models.CharField(_("cơ quan tổ chức"), max_length=255, blank=True)
    # The official header of printed lists and certificates (awards.paper): the
    # body above the organizer, and the place written before the date.
    parent_body = models.CharField(
        _("cơ quan chủ quản"),
        max_length=255,
        blank=True,
        help_text=_("Dòng trên cùng của tiêu đề văn bản, ví dụ “UBND TỈNH HÀ GIANG”."),
    )
    document_place = models.CharField(
        _("địa danh ghi ngày tháng"),
        max_length=100,
        blank=True,
        help_text=_("Ví dụ “Hà Giang” cho dòng “Hà Giang, ngày … tháng … năm …”."),
    )
    summary = models.TextField(_("giới thiệu ngắn"), blank=True)
    rules = models.TextField(_("thể lệ"), blank=True)
    materials = models.TextField(_("tài liệu tham khảo"), blank=True)
    is_published = models.BooleanField(_("công khai"), default=True)
    topics = models.ManyToManyField(
        Topic,
        verbose_name=_("các chủ đề câu hỏi"),
        blank=True,
        help_text=_("Câu hỏi được rút ngẫu nhiên từ các chủ đề này."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("tuổi tối thiểu"), default=0, help_text=_("Tính theo ngày bắt đầu bài thi.")
    )
    require_citizen_id = models.BooleanField(_("bắt buộc nhập số CCCD"), default=False)
    require_phone_verification = models.BooleanField(
        _("bắt buộc xác thực số điện thoại qua SMS"),
        default=False,
        help_text=_(
            "Trước bài thi đầu tiên, thí sinh nhập mã gửi qua tin nhắn SMS đến số "
            "điện thoại đã đăng ký: mỗi tài khoản dự thi là một số điện thoại có "
            "thật. Cần cấu hình cổng gửi SMS của hệ thống."
        ),
    )
    excluded_units = models.ManyToManyField(
        Unit,
        verbose_name=_("đơn vị không được dự thi"),
        blank=True,
        related_name="+",
        help_text=_("Áp dụng cả cho các đơn vị trực thuộc."),
    )
    allow_excluded_practice = models.BooleanField(
        _("cho người không đủ điều kiện thi thử"),
        default=False,
        help_text=_("Bài thi thử không được xếp hạng, trao giải."),
    )
    review_policy = models.CharField(
        _("xem đáp án"),
        max_length=20,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.AFTER_CLOSE,
        help_text=_(
            "Kể cả khi cho xem, đáp án của một câu hỏi chỉ được hiện khi không còn tuần "
            "thi nào đang mở hoặc sắp mở (của mọi cuộc thi) có thể rút câu hỏi đó: "
            "nếu không, người xem tuần trước sẽ biết đáp án của tuần sau."
        ),
    )
    participation_target_percent = models.PositiveSmallIntegerField(
        _("chỉ tiêu tỷ lệ tham gia của mỗi đơn vị (%)"),
        default=70,
        help_text=_("Đơn vị dưới chỉ tiêu được đánh dấu trên bảng điều khiển."),
    )
    participation_occupations = ChoiceListField(
        _("tỷ lệ tham gia tính trên các đối tượng"),
        item_choices=User.Occupation.choices,
        default=list,
        blank=True,
        help_text=_(
            "Ví dụ chỉ tiêu 70% số CBCCVC tham gia: chọn «Cán bộ, công chức, viên "
            "chức» và nhập số biên chế là số CBCCVC của đơn vị. Để trống: tính mọi "
            "người dự thi trên số biên chế."
        ),
    )
    allowed_occupations = ChoiceListField(
        _("chỉ dành cho các đối tượng"),
        item_choices=User.Occupation.choices,
        default=list,
        blank=True,
        help_text=_(
            "Người thuộc đối tượng khác không được đăng ký, dự thi. Để trống: mọi "
            "đối tượng được dự thi."
        ),
    )
    allowed_nationalities = ChoiceListField(
        _("chỉ dành cho người có quốc tịch"),
        item_choices=NATIONALITY_CHOICES,
        default=list,
        blank=True,
        help_text=_(
            "Ví dụ «công dân Việt Nam»: chọn Việt Nam. Để trống: người mọi quốc tịch "
            "được dự thi."
        ),
    )
    exclude_committee_units = models.BooleanField(
        _(
            "không cho cán bộ các đơn vị có thành viên Ban Tổ chức, Ban Giám khảo dự thi"
        ),
        default=False,
        help_text=_(
            "Áp dụng cho người cùng đơn vị trực tiếp với thành viên Ban Tổ chức, Ban "
            "Giám khảo, Tổ thư ký (không gồm đơn vị trực thuộc; không áp dụng cho "
            "đơn vị của người soạn câu hỏi và nhân viên kỹ thuật)."
        ),
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("cuộc thi")
        verbose_name_plural = _("cuộc thi")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


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


class ContestCommitteeMember(models.Model):
    """A member of one contest's committees: excluded from that contest only."""

    class Role(models.TextChoices):
        ORGANIZER = "organizer", _("Thành viên Ban Tổ chức")
        JUDGE = "judge", _("Thành viên Ban Giám khảo")
        SECRETARIAT = "secretariat", _("Thành viên Tổ thư ký, Tổ giúp việc")
        AUTHOR = "author", _("Thành viên Tổ soạn thảo câu hỏi - đáp án")
        TECHNICAL = "technical", _("Nhân viên kỹ thuật phần mềm")

    # The roles whose colleagues a contest may also exclude (seed 002: "cán bộ ...
    # của các cơ quan, đơn vị có thành viên Ban Tổ chức, Ban Giám khảo, Tổ Thư ký").
    UNIT_WIDE_ROLES = frozenset({Role.ORGANIZER, Role.JUDGE, Role.SECRETARIAT})

    contest = models.ForeignKey(
        Contest,
        verbose_name=_("cuộc thi"),
        on_delete=models.CASCADE,
        related_name="committee",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người"),
        on_delete=models.CASCADE,
        related_name="committee_roles",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("thành viên Ban Tổ chức, Ban Giám khảo")
        verbose_name_plural = _("thành viên Ban Tổ chức, Ban Giám khảo, tổ giúp việc")
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "user"],
                name="committee_member_once",
                violation_error_message=_("Người này đã có vai trò trong cuộc thi."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.get_role_display()}"


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
    public_id = models.CharField(
        _("mã bài thi"),
        max_length=24,
        unique=True,
        default=new_public_id,
        editable=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thí sinh"),
        on_delete=models.PROTECT,
        related_name="attempts",
    )
    round = models.ForeignKey(
        Round,
        verbose_name=_("tuần thi"),
        on_delete=models.PROTECT,
        related_name="attempts",
    )
    number = models.PositiveSmallIntegerField(_("lượt thi thứ"))
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
    # rounds.services.attempts._save.
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


class AttemptEvent(models.Model):
    """Append-only trace of an attempt's status changes: who, when, why, the result.

    Written only by rounds.services.finishing (_finish and attempt_void). The unique constraint
    makes "one event per change" a database fact: a second finish of the same attempt
    would fail rather than leave two records.
    """

    class Kind(models.TextChoices):
        FINISHED = "finished", _("Nộp bài")
        VOIDED = "voided", _("Hủy bài thi")

    attempt = models.ForeignKey(
        Attempt,
        verbose_name=_("bài thi"),
        on_delete=models.PROTECT,
        related_name="events",
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
