"""A contest and the committee that runs it."""

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
