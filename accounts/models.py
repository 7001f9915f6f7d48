from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.countries import NATIONALITY_CHOICES, VIETNAM
from accounts.managers import UserManager


class Unit(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Cấp tỉnh")
        DISTRICT = "district", _("Cấp huyện")
        COMMUNE = "commune", _("Cấp xã")
        PROVINCIAL_DEPARTMENT = "provincial_department", _("Sở, ban, ngành cấp tỉnh")
        DISTRICT_DEPARTMENT = "district_department", _("Phòng, ban cấp huyện")
        OTHER = "other", _("Khác")

    name = models.CharField(_("tên đơn vị"), max_length=255)
    code = models.CharField(_("mã đơn vị"), max_length=64, unique=True)
    level = models.CharField(_("cấp"), max_length=32, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The unit's own staff; a unit's subtree counts its sub-units' staff as well.
    headcount = models.PositiveIntegerField(
        _("số biên chế của đơn vị"),
        default=0,
        help_text=_("Chỉ tính cán bộ của chính đơn vị, không gồm đơn vị trực thuộc."),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    # Written only by accounts.services.unit_save: "/<root id>/.../<own id>/".
    path = models.CharField(max_length=255, editable=False, default="", db_index=True)
    # Written only by accounts.services.unit_save: accent-free name for search.
    search_name = models.CharField(max_length=255, editable=False, default="")

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="unit_not_own_parent"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, read from the stored path."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class User(AbstractBaseUser, PermissionsMixin):
    class Gender(models.TextChoices):
        MALE = "male", _("Nam")
        FEMALE = "female", _("Nữ")
        OTHER = "other", _("Khác")

    class Occupation(models.TextChoices):
        CIVIL_SERVANT = "civil_servant", _("Cán bộ, công chức, viên chức")
        STUDENT = "student", _("Học sinh, sinh viên")
        ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
        WORKER = "worker", _("Người lao động")
        OTHER = "other", _("Khác")

    # Written through accounts.normalize.normalize_phone: a Vietnamese number in
    # national form ("0912345678"), any other in E.164 ("+12025550123").
    phone = models.CharField(_("số điện thoại"), max_length=16, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    # Accent-free full_name for the admin's search ("dang" finds "Đặng"). Written
    # only through accounts.services.user_name_set, which every writer of
    # full_name calls (services, the admin, the importer, UserManager, seed_demo).
    search_name = models.CharField(
        max_length=150, editable=False, blank=True, default=""
    )
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    gender = models.CharField(
        _("giới tính"), max_length=10, choices=Gender.choices, blank=True
    )
    # NULL, not "", for "no email": the unique constraint ignores NULLs only.
    email = models.EmailField(_("email"), null=True, blank=True)  # noqa: DJ001
    citizen_id = models.CharField(
        _("số CCCD"), max_length=12, null=True, blank=True, unique=True
    )
    occupation = models.CharField(
        _("đối tượng"), max_length=20, choices=Occupation.choices, blank=True
    )
    # ISO 3166-1 alpha-2; "ZZ" for a country not in the list.
    nationality = models.CharField(
        _("quốc tịch"), max_length=2, choices=NATIONALITY_CHOICES, default=VIETNAM
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    managed_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị được quản lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managers",
        help_text=_(
            "Cho thủ trưởng/cán bộ đầu mối: xem tình hình tham gia của đơn vị này "
            "và các đơn vị trực thuộc."
        ),
    )
    is_staff = models.BooleanField(_("quyền quản trị"), default=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    must_change_password = models.BooleanField(
        _("phải đổi mật khẩu"), default=False, editable=False
    )
    date_joined = models.DateTimeField(_("ngày đăng ký"), default=timezone.now)
    # Written only by accounts.services.user_register: the client address the
    # account was registered from (contest_portal.client_ip), for spotting many
    # accounts made from one address in a short time.
    registered_ip = models.GenericIPAddressField(
        _("địa chỉ IP khi đăng ký"), null=True, blank=True, editable=False
    )
    # Written only by accounts.phone_codes: when the person last proved, with a
    # code sent by SMS, that the phone number is theirs.
    phone_verified_at = models.DateTimeField(
        _("xác thực số điện thoại lúc"), null=True, blank=True, editable=False
    )

    # Written only by accounts.services.user_register: when the person agreed to
    # the personal data notice (accounts.privacy.CONSENT_NOTICE). Empty for accounts
    # made by the organizers (unit managers, the admin), whom nobody asked.
    privacy_consent_at = models.DateTimeField(
        _("đồng ý xử lý dữ liệu cá nhân lúc"), null=True, blank=True, editable=False
    )
    # Written only by awards.services.anonymisation.user_anonymise: the personal
    # data was replaced by placeholders; the attempts and results stay.
    anonymised_at = models.DateTimeField(
        _("ẩn danh hóa lúc"), null=True, blank=True, editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        permissions = [
            ("anonymise_user", _("Ẩn danh hóa tài khoản thí sinh theo yêu cầu")),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                condition=models.Q(email__isnull=False),
                violation_error_message=_("Email này đã được đăng ký."),
            ),
            # Vietnamese mobiles have 10 digits, landlines 11 (024 3825 1234).
            models.CheckConstraint(
                condition=models.Q(phone__regex=r"^0[1-9][0-9]{8,9}$")
                | models.Q(phone__regex=r"^\+[1-9][0-9]{6,14}$"),
                name="user_phone_national_or_e164",
            ),
            # One stored form per number: a Vietnamese one is never kept as +84.
            models.CheckConstraint(
                condition=~models.Q(phone__startswith="+84"),
                name="user_phone_vietnam_national_form",
            ),
            models.CheckConstraint(
                condition=models.Q(nationality__regex=r"^[A-Z]{2}$"),
                name="user_nationality_alpha2",
            ),
            models.CheckConstraint(
                condition=models.Q(citizen_id__isnull=True)
                | models.Q(citizen_id__regex=r"^[0-9]{12}$"),
                name="user_citizen_id_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.phone})"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1]


class UnitChange(models.Model):
    """A contestant's unit changed after their first attempt: who did it and when."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="unit_changes"
    )
    old_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", null=True
    )
    new_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True
    )
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("thay đổi đơn vị")
        verbose_name_plural = _("lịch sử thay đổi đơn vị")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.old_unit_id} -> {self.new_unit_id}"


class PhoneCode(models.Model):
    """A one-time code sent by SMS to a phone number. Written only by
    accounts.phone_codes; the code itself is never stored, only its digest."""

    class Purpose(models.TextChoices):
        VERIFY = "verify", _("Xác thực số điện thoại")
        RESET = "reset", _("Đặt lại mật khẩu")

    # In accounts.normalize.normalize_phone's form, like User.phone. A reset asked
    # for a number with no account is stored too (and never sent), so that the
    # answers and limits are the same whether the number is registered or not.
    phone = models.CharField(max_length=16)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    digest = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác thực SMS")
        verbose_name_plural = _("mã xác thực SMS")
        indexes = [
            models.Index(
                fields=["phone", "purpose", "-sent_at"], name="phonecode_latest"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("sent_at")),
                name="phonecode_expires_after_sent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.phone} {self.purpose} {self.sent_at:%Y-%m-%d %H:%M}"
