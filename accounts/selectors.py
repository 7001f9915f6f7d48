from django.db.models import QuerySet

from accounts.models import Unit, User
from accounts.normalize import normalize_citizen_id, normalize_email, normalize_phone
from contest_portal.rows import RowReader


def unit_list_selectable() -> QuerySet[Unit]:
    """Active units a contestant can pick, in tree order, with their parent names."""
    return (
        Unit.objects.filter(is_active=True)
        .select_related("parent")
        .only("id", "name", "level", "path", "search_name", "parent__name")
        .order_by("path")
    )


def user_find_conflicts(
    *,
    phone: str = "",
    email: str = "",
    citizen_id: str = "",
    exclude_pk: int | None = None,
) -> set[str]:
    """Which of phone, email and citizen id already belong to another account."""
    users = User.objects.all()
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    taken: set[str] = set()
    normalized_phone = normalize_phone(phone)
    if normalized_phone and users.filter(phone=normalized_phone).exists():
        taken.add("phone")
    normalized_email = normalize_email(email)
    if normalized_email and users.filter(email__iexact=normalized_email).exists():
        taken.add("email")
    normalized_id = normalize_citizen_id(citizen_id)
    if normalized_id and users.filter(citizen_id=normalized_id).exists():
        taken.add("citizen_id")
    return taken


_USER_WITH_UNIT = RowReader(
    [(User, "u"), (Unit, "n")],
    source="{u} LEFT JOIN {n} ON n.id = u.unit_id",
    where="u.id = %s",
)


def user_with_unit(user_id: int) -> User | None:
    """The user and their unit, as every contestant page reads them: one statement
    written once per process (contest_portal.rows)."""
    row = _USER_WITH_UNIT.one([user_id])
    if row is None:
        return None
    user, unit = row
    if user.unit_id is not None:
        user.unit = unit
    return user
