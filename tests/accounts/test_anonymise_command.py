"""`manage.py anonymise_closed_contests`: the retention window, who is skipped, a
dry run, and a second run that does nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import User
from awards import services
from awards.models import AuditEntry, RoundResult
from rounds.models import ContestCommitteeMember
from tests.accounts.test_anonymise import closed_round, take_part
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser(
        "0900000001", "MatKhau@2024x", full_name="Quản Trị"
    )


def run(*args: str) -> str:
    out = StringIO()
    call_command("anonymise_closed_contests", *args, stdout=out)
    return out.getvalue()


def anonymised(user: User) -> bool:
    return User.objects.get(pk=user.pk).anonymised_at is not None


def test_only_people_whose_every_contest_closed_before_the_window(settings, superuser):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    old, recent = closed_round(days_ago=400), closed_round(days_ago=100)
    long_gone, still_kept, in_both = UserFactory(), UserFactory(), UserFactory()
    take_part(long_gone, old)
    take_part(still_kept, recent)
    take_part(in_both, old)
    take_part(in_both, recent)

    out = run()

    assert anonymised(long_gone)
    assert not anonymised(still_kept)
    assert not anonymised(in_both)
    assert "Đến hạn: 1; đã ẩn danh hóa: 1; bỏ qua: 0." in out
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_ANONYMISE)
    assert entry.actor == superuser
    assert "365 ngày" in entry.reason


def test_a_contest_with_a_round_still_to_come_is_not_closed(settings, superuser):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    old = closed_round(days_ago=400)
    closed_round(days_ago=-30, contest=old.contest)  # its last round closes later
    person = UserFactory()
    take_part(person, old)

    run()

    assert not anonymised(person)


@pytest.mark.parametrize(
    "role",
    [
        pytest.param({"is_staff": True}, id="staff"),
        pytest.param({"is_superuser": True}, id="superuser"),
        pytest.param({"managed_unit": "unit"}, id="unit-manager"),
        pytest.param({"committee": True}, id="committee-member"),
    ],
)
def test_staff_and_organizers_are_skipped(settings, superuser, role):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    old = closed_round(days_ago=400)
    fields = dict(role)
    committee = fields.pop("committee", False)
    if fields.get("managed_unit") == "unit":
        fields["managed_unit"] = UnitFactory()
    person = UserFactory(**fields)
    if committee:
        ContestCommitteeMember.objects.create(
            contest=old.contest,
            user=person,
            role=ContestCommitteeMember.Role.ORGANIZER,
        )
    take_part(person, old)

    run()

    assert not anonymised(person)


def test_the_window_comes_from_the_setting(settings, superuser):
    settings.PERSONAL_DATA_RETENTION_DAYS = 500
    person = UserFactory()
    take_part(person, closed_round(days_ago=400))

    run()

    assert not anonymised(person)
    run("--days", "300")
    assert anonymised(person)


def test_a_dry_run_counts_and_changes_nothing(settings, superuser):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    person = UserFactory(full_name="Đỗ Văn Chạy Thử")
    take_part(person, closed_round(days_ago=400))

    out = run("--dry-run")

    assert "Sẽ ẩn danh hóa 1 tài khoản" in out
    assert User.objects.get(pk=person.pk).full_name == "Đỗ Văn Chạy Thử"
    assert not AuditEntry.objects.exists()


def test_a_second_run_does_nothing(settings, superuser):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    person = UserFactory()
    take_part(person, closed_round(days_ago=400))
    run()
    name = User.objects.get(pk=person.pk).full_name

    out = run()

    assert "Đến hạn: 0; đã ẩn danh hóa: 0" in out
    assert User.objects.get(pk=person.pk).full_name == name
    assert AuditEntry.objects.filter(action="account_anonymise").count() == 1


def test_someone_who_never_took_part_is_due_once_registered_long_ago(
    settings, superuser
):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    now = timezone.now()
    idle = UserFactory(date_joined=now - timedelta(days=400))
    new = UserFactory(date_joined=now - timedelta(days=10))
    logged_in = UserFactory(
        date_joined=now - timedelta(days=400), last_login=now - timedelta(days=3)
    )

    run()

    assert anonymised(idle)
    assert not anonymised(new)
    assert not anonymised(logged_in)


def test_approved_lists_still_verify_after_the_run(settings, superuser):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    round_ = closed_round(days_ago=400)
    people = [UserFactory() for _ in range(3)]
    for correct, person in enumerate(people, start=2):
        take_part(person, round_, correct=correct)
    judge = UserFactory(is_staff=True)
    result = services.result_compute(round_=round_, actor=judge)
    services.result_approve(result=result, actor=judge)

    run()

    result = RoundResult.objects.get(pk=result.pk)
    assert all(anonymised(person) for person in people)
    assert services.result_checksum(result=result) == result.checksum


def test_a_named_actor_must_be_staff(settings, superuser):
    with pytest.raises(CommandError):
        run("--by", "0912000000")
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Ban Tổ chức"))

    run("--by", staff.phone)
