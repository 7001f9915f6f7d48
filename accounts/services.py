import secrets
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, UnitChange, User
from accounts.normalize import (
    clean_text,
    fold,
    normalize_citizen_id,
    normalize_email,
    normalize_phone,
)

PRIVACY_CONSENT_MISSING = _(
    "Bạn cần đồng ý với việc thu thập và sử dụng dữ liệu cá nhân nêu trong thông "
    "báo để đăng ký dự thi. Chưa có tài khoản nào được tạo."
)

# Unambiguous on a phone keyboard and when read aloud over the telephone.
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@transaction.atomic
def unit_save(*, unit: Unit) -> Unit:
    """Save a unit and rewrite the stored path of it and everything below it."""
    unit.name = clean_text(unit.name)
    unit.code = clean_text(unit.code).upper()
    unit.search_name = fold(unit.name)
    unit.full_clean(exclude=["path", "search_name"])
    unit.save()
    _unit_write_paths(unit)
    return unit


def _unit_write_paths(root: Unit) -> None:
    parent_path = root.parent.path if root.parent_id else "/"
    if root.parent_id and f"/{root.pk}/" in parent_path:
        raise ValueError("A unit cannot be placed under its own descendant.")
    root.path = f"{parent_path}{root.pk}/"
    Unit.objects.filter(pk=root.pk).update(path=root.path)
    for child in Unit.objects.filter(parent=root):
        _unit_write_paths(child)


def user_name_set(*, user: User, full_name: str) -> User:
    """Give an unsaved user a cleaned full name and its accent-free search copy."""
    user.full_name = clean_text(full_name)
    user.search_name = fold(user.full_name)
    return user


@transaction.atomic
def user_register(
    *,
    phone: str,
    password: str,
    full_name: str,
    date_of_birth: date,
    gender: str,
    occupation: str,
    unit: Unit,
    privacy_consent: bool,
    email: str = "",
    citizen_id: str = "",
    nationality: str = "VN",
    registered_ip: str | None = None,
    now: datetime | None = None,
) -> User:
    """Create a contestant account from already validated registration data; the
    person must have agreed to the personal data notice, and when is recorded."""
    if privacy_consent is not True:
        raise ValidationError(PRIVACY_CONSENT_MISSING, code="privacy_consent_missing")
    now = now or timezone.now()
    user = User(
        phone=normalize_phone(phone) or "",
        date_of_birth=date_of_birth,
        gender=gender,
        occupation=occupation,
        unit=unit,
        email=normalize_email(email) or None,
        citizen_id=normalize_citizen_id(citizen_id),
        nationality=nationality,
        date_joined=now,
        registered_ip=registered_ip or None,
        privacy_consent_at=now,
    )
    user_name_set(user=user, full_name=full_name)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    changed_by: User,
    full_name: str,
    date_of_birth: date,
    gender: str,
    occupation: str,
    unit: Unit,
    email: str = "",
    citizen_id: str = "",
    now: datetime | None = None,
) -> User:
    """Update a profile; a unit change after the first attempt is logged."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    old_unit_id = locked.unit_id
    user_name_set(user=locked, full_name=full_name)
    locked.date_of_birth = date_of_birth
    locked.gender = gender
    locked.occupation = occupation
    locked.unit = unit
    locked.email = normalize_email(email) or None
    locked.citizen_id = normalize_citizen_id(citizen_id)
    locked.full_clean(exclude=["password"])
    locked.save()
    if old_unit_id != unit.pk and locked.attempts.exists():
        UnitChange.objects.create(
            user=locked,
            old_unit_id=old_unit_id,
            new_unit=unit,
            changed_by=changed_by,
            changed_at=now or timezone.now(),
        )
    return locked


@transaction.atomic
def user_admin_save(*, user: User) -> User:
    """Save a user added or edited in the admin, whose form validated the fields."""
    user_name_set(user=user, full_name=user.full_name)
    user.save()
    return user


@transaction.atomic
def user_grant_unit(*, user: User, unit: Unit) -> User:
    """Let an existing account see `unit`'s dashboard (and its sub-units')."""
    user.managed_unit = unit
    user.save(update_fields=["managed_unit"])
    return user


@transaction.atomic
def user_create_unit_manager(
    *, phone: str, full_name: str, unit: Unit, now: datetime | None = None
) -> tuple[User, str]:
    """Create an account that manages `unit`; return it and its one-time password.

    The person works in the unit they manage; the rest of the profile is theirs to
    fill in after the first login, where the password must be changed.
    """
    user = User(
        phone=normalize_phone(phone) or "",
        unit=unit,
        managed_unit=unit,
        date_joined=now or timezone.now(),
    )
    user_name_set(user=user, full_name=full_name)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user, user_issue_one_time_password(user=user)


@transaction.atomic
def user_issue_one_time_password(*, user: User) -> str:
    """Set a random password the user must change at next login; return it once."""
    password = "".join(secrets.choice(_OTP_ALPHABET) for _ in range(10))
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return password


@transaction.atomic
def user_change_password(*, user: User, password: str) -> User:
    """Set a new password chosen by the user and lift the one-time flag."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user
