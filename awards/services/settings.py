"""Prize settings refused because they could never award (awards.settings_check)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from awards import settings_check
from awards.models import ContestantGroup, PrizeTier
from rounds.models import Contest

MESSAGES = {
    settings_check.OCCUPATION_IN_TWO_GROUPS: (
        "Đối tượng «%(occupation)s» có trong hai nhóm thí sinh «%(first)s» và "
        "«%(second)s»: mỗi đối tượng chỉ được thuộc một nhóm."
    ),
    settings_check.TIER_WITHOUT_GROUP: (
        "Giải cá nhân «%(tier)s» chưa chọn nhóm thí sinh, trong khi cuộc thi có chia "
        "nhóm: giải này sẽ không trao được cho ai. Hãy chọn nhóm cho giải."
    ),
    settings_check.TIER_WITHOUT_UNIT_GROUP: (
        "Giải tập thể «%(tier)s» chưa chọn nhóm đơn vị: giải này sẽ không trao được "
        "cho đơn vị nào. Hãy chọn nhóm đơn vị cho giải."
    ),
}


def unawardable_errors(
    *,
    groups: Iterable[settings_check.GroupSetting],
    tiers: Iterable[settings_check.TierSetting],
) -> list[ValidationError]:
    """Each prize setting that could never award, as a Vietnamese error."""
    labels = dict(User.Occupation.choices)
    errors = []
    for code, details in settings_check.problems(
        groups=list(groups), tiers=list(tiers)
    ):
        if "occupation" in details:
            details = {**details, "occupation": labels.get(details["occupation"])}
        errors.append(ValidationError(_(MESSAGES[code]) % details, code=code))
    return errors


def contest_settings(
    contest: Contest,
) -> tuple[list[settings_check.GroupSetting], list[settings_check.TierSetting]]:
    """The contest's stored groups and tiers as plain data."""
    groups = [
        settings_check.GroupSetting(g.name, tuple(g.occupations or ()))
        for g in ContestantGroup.objects.filter(contest=contest).order_by("pk")
    ]
    tiers = [
        settings_check.TierSetting(
            t.name,
            t.kind,
            t.contestant_group_id is not None,
            t.unit_group_id is not None,
        )
        for t in PrizeTier.objects.filter(contest=contest).order_by("order", "pk")
    ]
    return groups, tiers


def refuse_unawardable(*, contest: Contest) -> None:
    """Refuse to compute with settings that could never award anyone."""
    groups, tiers = contest_settings(contest)
    errors = unawardable_errors(groups=groups, tiers=tiers)
    if errors:
        raise ValidationError(errors)
