"""Who may take part in a contest: the reasons in Vietnamese, at registration and
at the start of an attempt (the rules themselves: rounds.eligibility)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.countries import NATIONALITY_CHOICES
from accounts.models import Unit, User
from rounds import eligibility
from rounds.models import (
    Contest,
    Round,
)
from rounds.selectors import (
    contest_eligibility_rules,
    contest_eligibility_rules_for_start,
    person_of,
)

ELIGIBILITY_MESSAGES = {
    eligibility.UNDER_AGE: _("Bạn chưa đủ %(age)d tuổi để tham gia cuộc thi này."),
    eligibility.MISSING_BIRTH_DATE: _(
        "Vui lòng cập nhật ngày sinh trong trang cá nhân trước khi dự thi."
    ),
    eligibility.MISSING_UNIT: _(
        "Vui lòng chọn đơn vị trong trang cá nhân trước khi dự thi."
    ),
    eligibility.MISSING_CITIZEN_ID: _(
        "Cuộc thi này yêu cầu số CCCD: vui lòng cập nhật trong trang cá nhân."
    ),
    eligibility.PHONE_NOT_VERIFIED: _(
        "Cuộc thi này yêu cầu xác thực số điện thoại: vui lòng nhập mã được gửi "
        "qua tin nhắn SMS."
    ),
    eligibility.STAFF: _(
        "Tài khoản quản trị không được tham gia xếp hạng, trao giải cuộc thi."
    ),
    eligibility.CONTEST_ROLE: _(
        "Thành viên Ban Tổ chức, Ban Giám khảo, Tổ soạn thảo câu hỏi và Tổ thư ký "
        "không được tham gia cuộc thi."
    ),
    eligibility.EXCLUDED_UNIT: _(
        "Cán bộ của đơn vị bạn không thuộc đối tượng dự thi của cuộc thi này."
    ),
    eligibility.COMMITTEE_UNIT: _(
        "Cán bộ cùng đơn vị với thành viên Ban Tổ chức, Ban Giám khảo, Tổ thư ký "
        "không được tham gia cuộc thi này."
    ),
    eligibility.OCCUPATION_NOT_ALLOWED: _(
        "Cuộc thi này chỉ dành cho: %(occupations)s."
    ),
    eligibility.NATIONALITY_NOT_ALLOWED: _(
        "Cuộc thi này chỉ dành cho người có quốc tịch: %(nationalities)s."
    ),
}


def eligibility_message(*, reason: str, contest: Contest) -> str:
    """The Vietnamese sentence telling a person why they may not take part."""
    occupations = dict(User.Occupation.choices)
    countries = dict(NATIONALITY_CHOICES)
    return ELIGIBILITY_MESSAGES[reason] % {
        "age": contest.min_age,
        "occupations": ", ".join(
            str(occupations.get(code, code))
            for code in contest.allowed_occupations or ()
        ),
        "nationalities": ", ".join(
            str(countries.get(code, code))
            for code in contest.allowed_nationalities or ()
        ),
    }


@dataclass(frozen=True, slots=True)
class RegistrationProblem:
    field: str
    message: str
    code: str


# What a registration form can be told, the field it is about, and whether a
# contest open to practice by the excluded still lets the person in.
_REGISTRATION_CHECKS = (
    (eligibility.UNDER_AGE, "date_of_birth", False),
    (eligibility.OCCUPATION_NOT_ALLOWED, "occupation", True),
    (eligibility.NATIONALITY_NOT_ALLOWED, "nationality", True),
    (eligibility.EXCLUDED_UNIT, "unit", True),
    (eligibility.COMMITTEE_UNIT, "unit", True),
)


def registration_problem(
    *,
    contest: Contest,
    date_of_birth: date,
    unit: Unit,
    now: datetime,
    occupation: str = "",
    nationality: str = "VN",
) -> RegistrationProblem | None:
    """Why a new account may not take part in this contest, or None."""
    rules = contest_eligibility_rules(contest=contest)
    person = eligibility.Person(
        date_of_birth=date_of_birth,
        is_staff=False,
        unit_path_ids=tuple(unit.ancestor_ids),
        has_citizen_id=True,  # the form itself requires it when the contest does
        phone_verified=True,  # asked after registration, before the first attempt
        occupation=occupation,
        nationality=nationality,
    )
    reasons = eligibility.check(person=person, rules=rules, day=timezone.localdate(now))
    for reason, field, practice_waives in _REGISTRATION_CHECKS:
        if reason in reasons and not (
            practice_waives and contest.allow_excluded_practice
        ):
            return RegistrationProblem(
                field=field,
                message=eligibility_message(reason=reason, contest=contest),
                code=reason,
            )
    return None


def attempt_check_eligibility(*, user: User, round_: Round, now: datetime) -> bool:
    """Refuse an ineligible user; return True when only a practice attempt is allowed."""
    contest = round_.contest
    rules = contest_eligibility_rules_for_start(contest=contest)
    reasons = eligibility.check(
        person=person_of(user), rules=rules, day=timezone.localdate(now)
    )
    blocking = [r for r in reasons if r not in eligibility.EXCLUSIONS]
    if not blocking and reasons and contest.allow_excluded_practice:
        return True
    if reasons:
        first = (blocking or list(reasons))[0]
        raise ValidationError(
            eligibility_message(reason=first, contest=contest), code=first
        )
    return False
