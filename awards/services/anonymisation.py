"""A contestant's personal data replaced by placeholders, their results kept.

What stays: the account row and its id, its unit, occupation, nationality and
registration time (the units' statistics, the contestant groups and the ranking's
last tie-break need them), every attempt, every result row with its ranking keys
and prize, every approved and revoked list with its checksum. The checksum
(awards.services.result_approval.result_payload) covers the user's id, the keys
and the prize, never a name, so an approved list still verifies, on the public
page /ket-qua/kiem-tra/<checksum>/ and by recomputing it.

What goes, everywhere the portal stored it: name, phone, email, CCCD, date of
birth, gender, the registration address, the password (made unusable), sessions,
SMS codes, login records, and the copies of the name on result rows (with their
search text), on certificates and in the admin logs. The approved list is an
official record as it was printed, signed and published; the stored copy keeps
everything that decided the rank and the prize and names the person
"Thí sinh đã ẩn danh #<id>". A paper copy still proves who won; the portal no
longer tells it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User
from accounts.privacy import user_personal_data_erase
from awards.models import AdminChange, Certificate, ResultRow
from awards.services.audit import audit
from rounds.models import Attempt, Contest

# What an admin change about a user may hold of the person: replaced, old and new.
PERSONAL_FIELDS = frozenset(
    {
        "full_name",
        "search_name",
        "phone",
        "email",
        "citizen_id",
        "date_of_birth",
        "gender",
        "registered_ip",
        "phone_verified_at",
        "last_login",
        "password",
    }
)
REMOVED = "(đã ẩn danh)"

MESSAGES = {
    "staff_account": _(
        "Đây là tài khoản quản trị. Hãy bỏ quyền quản trị của tài khoản trước khi "
        "ẩn danh hóa."
    ),
    "already_anonymised": _("Tài khoản này đã được ẩn danh hóa."),
    "reason_required": _("Vui lòng ghi lý do (ví dụ: đơn yêu cầu của thí sinh)."),
}


def _refuse(code: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


@transaction.atomic
def user_anonymise(
    *,
    user: User,
    by: User,
    reason: str,
    now: datetime | None = None,
    end_sessions: bool = True,
) -> User:
    """Replace a contestant's personal data by placeholders; keep their results."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("reason_required")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_staff or locked.is_superuser:
        raise _refuse("staff_account")
    if locked.anonymised_at is not None:
        raise _refuse("already_anonymised")
    old_name = locked.full_name
    round_ids = set(
        Attempt.objects.filter(user=locked).values_list("round_id", flat=True)
    )
    contests = list(
        Contest.objects.filter(rounds__id__in=round_ids).distinct().order_by("pk")
    )
    anonymised = user_personal_data_erase(
        user=locked, now=now, end_sessions=end_sessions
    )
    rows = _result_rows_rename(anonymised, round_ids)
    certificates = _certificates_rename(anonymised, rows, old_name, contests)
    _admin_changes_scrub(anonymised)
    audit(
        actor=by,
        action="account_anonymise",
        contest=None,
        reason=reason,
        data={
            "user_id": anonymised.pk,
            "contest_ids": [contest.pk for contest in contests],
            "attempts": Attempt.objects.filter(user=anonymised).count(),
            "result_rows": len(rows),
            "certificates": certificates,
        },
        now=now,
    )
    return anonymised


def _result_rows_rename(user: User, round_ids: set[int]) -> list[int]:
    """The name and search text on the user's result rows; the checksummed keys
    are untouched. Found through (result, user), the rows' one index."""
    rows = list(
        ResultRow.objects.filter(result__round_id__in=round_ids, user_id=user.pk)
    )
    unit_names = dict(
        Unit.objects.filter(pk__in={row.unit_id for row in rows}).values_list(
            "pk", "search_name"
        )
    )
    for row in rows:
        row.full_name = user.full_name
        # As result_compute writes it: the folded name, then the folded unit name.
        row.search_text = f"{user.search_name} {unit_names.get(row.unit_id, '')}"
        row.search_text = row.search_text.strip()
    ResultRow.objects.bulk_update(rows, ["full_name", "search_text"])
    return [row.pk for row in rows]


def _certificates_rename(
    user: User, row_ids: list[int], old_name: str, contests: list[Contest]
) -> int:
    """The name printed on the user's certificates, issued and revoked alike.

    A revoked certificate lost its row (result_revocation clears it), so it is
    found by the frozen name in one of the person's contests: a namesake's
    revoked certificate in the same contest is renamed too, which hides a name
    but changes no result."""
    issued = Certificate.objects.filter(result_row_id__in=row_ids)
    revoked = Certificate.objects.filter(
        result_row__isnull=True,
        full_name=old_name,
        contest_title__in=[contest.title for contest in contests],
    )
    return issued.update(full_name=user.full_name) + revoked.update(
        full_name=user.full_name
    )


def _admin_changes_scrub(user: User) -> int:
    """Personal values and the shown name out of the admin log's entries about
    the account; who changed it, when and which fields stay."""
    entries = list(
        AdminChange.objects.filter(
            content_type=ContentType.objects.get_for_model(User),
            object_id=str(user.pk),
        )
    )
    for entry in entries:
        changes = dict(entry.changes or {})
        fields = changes.get("fields") or {}
        changes["fields"] = {
            name: [REMOVED, REMOVED] if name in PERSONAL_FIELDS else values
            for name, values in fields.items()
        }
        entry.changes = changes
        entry.object_repr = str(user)[:200]
    if not entries:
        return 0
    with _log_scrubbing():
        AdminChange.objects.bulk_update(entries, ["changes", "object_repr"])
    return len(entries)


@contextmanager
def _log_scrubbing() -> Iterator[None]:
    """Let PostgreSQL's append-only trigger pass this transaction's rewrite of
    the admin log (awards migration 0014), and only until it is done."""
    _scrubbing_set("on")
    try:
        yield
    finally:
        _scrubbing_set("off")


def _scrubbing_set(value: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('contest_portal.anonymising', %s, true)", [value]
            )
