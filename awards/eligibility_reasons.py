"""Why a ranked person cannot take a prize: the contest's rules applied to ranking rows."""

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from rounds import eligibility

DISQUALIFIED = "disqualified"
EARLIER_WINNER = "earlier_winner"
NO_GROUP = "no_group"

REASON_LABELS = {
    DISQUALIFIED: "Bị Ban Giám khảo loại",
    EARLIER_WINNER: "Đã đạt giải ở một tuần thi khác",
    eligibility.UNDER_AGE: "Chưa đủ tuổi",
    eligibility.MISSING_BIRTH_DATE: "Thiếu ngày sinh",
    eligibility.MISSING_UNIT: "Thiếu đơn vị",
    eligibility.STAFF: "Tài khoản quản trị",
    eligibility.CONTEST_ROLE: "Thành viên Ban Tổ chức/Giám khảo/Soạn thảo",
    eligibility.EXCLUDED_UNIT: "Đơn vị không thuộc đối tượng",
    eligibility.COMMITTEE_UNIT: "Cùng đơn vị với thành viên Ban Tổ chức/Giám khảo",
    eligibility.OCCUPATION_NOT_ALLOWED: "Không thuộc đối tượng dự thi",
    eligibility.NATIONALITY_NOT_ALLOWED: "Quốc tịch không thuộc đối tượng dự thi",
    "already_awarded": "Đã có giải trong tuần",
    NO_GROUP: "Không thuộc nhóm thí sinh nào",
}


def blocking_reason(
    row: Mapping[str, Any],
    *,
    rules: eligibility.Rules,
    disqualified: set[int],
    earlier_winners: set[int],
) -> str | None:
    """The first reason the ranked person of `row` cannot take a prize, or None."""
    user_id = row["user_id"]
    if user_id in disqualified:
        return DISQUALIFIED
    path = row["user__unit__path"] or ""
    person = eligibility.Person(
        date_of_birth=row["user__date_of_birth"],
        is_staff=row["user__is_staff"] or row["user__is_superuser"],
        unit_path_ids=tuple(int(p) for p in path.strip("/").split("/") if p),
        has_citizen_id=True,
        person_id=user_id,
        occupation=row["user__occupation"],
        nationality=row["user__nationality"],
    )
    # The citizen ID and the phone were checked when the attempt started; ranking
    # does not reopen them.
    found = eligibility.check(
        person=person,
        rules=dataclasses.replace(
            rules, require_citizen_id=False, require_phone_verification=False
        ),
        day=timezone.localdate(row["submitted_at"]),
    )
    if found:
        return found[0]
    if user_id in earlier_winners:
        return EARLIER_WINNER
    return None
