"""Why a ranked person cannot take a prize: the contest's rules applied to ranking rows."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from rounds import eligibility

DISQUALIFIED = "disqualified"
EARLIER_WINNER = "earlier_winner"
NO_GROUP = "no_group"

REASON_LABELS = {
    DISQUALIFIED: "Bị Ban Giám khảo loại",
    EARLIER_WINNER: "Đã đạt giải tuần trước",
    eligibility.UNDER_AGE: "Chưa đủ tuổi",
    eligibility.MISSING_BIRTH_DATE: "Thiếu ngày sinh",
    eligibility.MISSING_UNIT: "Thiếu đơn vị",
    eligibility.STAFF: "Tài khoản quản trị",
    eligibility.CONTEST_ROLE: "Thành viên Ban Tổ chức/Giám khảo/Soạn thảo",
    eligibility.EXCLUDED_UNIT: "Đơn vị không thuộc đối tượng",
    "already_awarded": "Đã có giải trong tuần",
    NO_GROUP: "Không thuộc nhóm thí sinh nào",
}


def blocking_reasons(
    *,
    rows: Iterable[Mapping[str, Any]],
    rules: eligibility.Rules,
    disqualified: set[int],
    earlier_winners: set[int],
) -> dict[int, str]:
    """user id -> the first reason they cannot take a prize (absent when eligible)."""
    # The citizen ID was checked when the attempt started; ranking does not reopen it.
    rules = eligibility.Rules(
        min_age=rules.min_age,
        excluded_unit_ids=rules.excluded_unit_ids,
        require_citizen_id=False,
    )
    reasons: dict[int, str] = {}
    for row in rows:
        user_id = row["user_id"]
        if user_id in disqualified:
            reasons[user_id] = DISQUALIFIED
            continue
        path = row["user__unit__path"] or ""
        person = eligibility.Person(
            date_of_birth=row["user__date_of_birth"],
            is_staff=row["user__is_staff"] or row["user__is_superuser"],
            contest_role=row["user__contest_role"],
            unit_path_ids=tuple(int(p) for p in path.strip("/").split("/") if p),
            has_citizen_id=True,
        )
        found = eligibility.check(
            person=person, rules=rules, day=timezone.localdate(row["submitted_at"])
        )
        if found:
            reasons[user_id] = found[0]
        elif user_id in earlier_winners:
            reasons[user_id] = EARLIER_WINNER
    return reasons
