"""An anonymised contestant: no personal value of theirs left anywhere in the
database, their attempts still counted, the approved list still verifying."""

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from accounts.models import PhoneCode, User
from accounts.normalize import fold
from awards import services
from awards.admin_audit import admin_change_record, snapshot
from awards.certificate_services import certificate_issue
from awards.models import (
    AdminChange,
    AuditEntry,
    Certificate,
    PrizeTier,
    RankingRules,
    ResultRow,
    RoundResult,
)
from awards.services.anonymisation import user_anonymise
from quizzes.models import QuestionRevision
from reports.dashboard import dashboard_get
from rounds.models import Attempt, Round
from tests.factories import (
    RoundFactory,
    UserFactory,
    make_bank,
    make_finished_attempt,
)

pytestmark = pytest.mark.django_db
# The append-only trigger of the admin change log exists on PostgreSQL only.
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the audit tables' append-only trigger exists on PostgreSQL only",
)

PASSWORD = "MatKhau@2024"
REASON = "Đơn đề nghị xóa dữ liệu của thí sinh ngày 05/12/2026."
# Values no other row of the test database holds, so finding one anywhere means
# the person's data is still there.
PERSON = {
    "full_name": "Phạm Thị Thanh Xuân Độc",
    "phone": "0987654329",
    "email": "xuan.doc@example.com",
    "citizen_id": "001187012345",
    "date_of_birth": date(1987, 6, 21),
}


def personal_values(person: dict = PERSON) -> list[str]:
    return [
        person["full_name"],
        fold(person["full_name"]),
        person["phone"],
        person["phone"][1:],  # in +84 form too
        person["email"],
        person["citizen_id"],
        person["date_of_birth"].isoformat(),
    ]


def closed_round(*, days_ago: int, contest=None, **kwargs) -> Round:
    """A round that closed `days_ago` days ago, with a bank of five questions."""
    closes = timezone.now() - timedelta(days=days_ago)
    extra = {"contest": contest} if contest else {}
    round_ = RoundFactory(
        opens_at=closes - timedelta(days=7), closes_at=closes, **extra, **kwargs
    )
    round_.contest.topics.set(make_bank(topics=1, per_topic=5))
    return round_


def take_part(user: User, round_: Round, *, correct: int = 5) -> Attempt:
    revisions = list(
        QuestionRevision.objects.filter(
            question__topic__in=round_.contest.topics.all()
        ).order_by("pk")[:5]
    )
    return make_finished_attempt(
        user,
        round_,
        revisions,
        correct=correct,
        at=round_.opens_at + timedelta(hours=1, seconds=correct),
    )


@dataclass
class World:
    person: User
    other: User
    round_: Round
    result: RoundResult
    organizer: User


def approved_world(person_fields: dict = PERSON, *, days_ago: int = 400) -> World:
    """A person and another contestant ranked in an approved list with prizes and a
    certificate, and the traces an account leaves: an SMS code, a failed login, a
    sign-in through an identity provider, an edit in the admin."""
    round_ = closed_round(days_ago=days_ago)
    contest = round_.contest
    RankingRules.objects.create(contest=contest, certificates_enabled=True)
    PrizeTier.objects.create(
        contest=contest,
        kind=PrizeTier.Kind.INDIVIDUAL,
        name="Giải nhất",
        count=1,
        amount_vnd=2_000_000,
        order=1,
    )
    person = UserFactory(**person_fields)
    other = UserFactory(full_name="Lê Văn Khác")
    take_part(person, round_, correct=5)
    take_part(other, round_, correct=3)
    judge = UserFactory(is_staff=True, full_name="Hoàng Giám Khảo")
    result = services.result_compute(
        round_=round_, actor=judge, now=round_.closes_at + timedelta(hours=1)
    )
    services.result_approve(result=result, actor=judge)
    certificate_issue(row=ResultRow.objects.get(result=result, user=person))
    now = timezone.now()
    PhoneCode.objects.create(
        phone=person.phone,
        purpose=PhoneCode.Purpose.VERIFY,
        digest="0" * 64,
        sent_at=now,
        expires_at=now + timedelta(minutes=5),
    )
    AccessAttempt.objects.create(
        username=person.phone,
        ip_address="203.0.113.9",
        user_agent="test",
        failures_since_start=1,
    )
    SocialAccount.objects.create(
        user=person,
        provider="vneid",
        uid=f"vneid-{person.citizen_id}",
        extra_data={"name": person.full_name, "phone_number": person.phone},
    )
    EmailAddress.objects.create(
        user=person, email=person.email, verified=True, primary=True
    )
    before = snapshot(person)
    after = {**before, "full_name": person.full_name + " A"}
    admin_change_record(
        actor=judge,
        model=User,
        object_id=person.pk,
        object_repr=str(person),
        action=AdminChange.Action.CHANGE,
        changes={"fields": {"full_name": [before["full_name"], after["full_name"]]}},
    )
    return World(
        person=person,
        other=other,
        round_=round_,
        result=result,
        organizer=UserFactory(is_staff=True, full_name="Lò Tổ Chức"),
    )


def database_text() -> str:
    """Every row of every table, as text: what a search of a dump would find."""
    chunks = []
    for model in apps.get_models():
        for row in model._base_manager.values_list():
            chunks.append(json.dumps(row, default=str, ensure_ascii=False))
    return "\n".join(chunks)


# --- nothing of the person remains -------------------------------------------------


def test_no_personal_value_of_the_person_remains_in_the_database():
    world = approved_world()
    assert all(value in database_text() for value in personal_values())

    user_anonymise(user=world.person, by=world.organizer, reason=REASON)

    text = database_text()
    assert [value for value in personal_values() if value in text] == []
    assert world.other.full_name in text  # the others are untouched


def test_the_account_shows_the_placeholder_and_cannot_log_in(client):
    world = approved_world()

    user_anonymise(user=world.person, by=world.organizer, reason=REASON)

    person = User.objects.get(pk=world.person.pk)
    assert person.full_name == f"Thí sinh đã ẩn danh #{person.pk}"
    assert person.search_name == fold(person.full_name)
    assert person.email is None
    assert person.citizen_id is None
    assert person.date_of_birth is None
    assert not person.has_usable_password()
    assert not person.is_active
    assert person.anonymised_at is not None
    assert person.unit_id == world.person.unit_id  # the unit's statistics need it
    assert not client.login(username=PERSON["phone"], password=PASSWORD)


def test_the_sessions_end(client):
    world = approved_world()
    client.force_login(world.person)
    assert Session.objects.count() == 1

    user_anonymise(user=world.person, by=world.organizer, reason=REASON)

    assert Session.objects.count() == 0
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_phone_codes_login_records_and_provider_links_are_deleted():
    world = approved_world()

    user_anonymise(user=world.person, by=world.organizer, reason=REASON)

    assert not PhoneCode.objects.exists()
    assert not AccessAttempt.objects.exists()
    assert not SocialAccount.objects.exists()
    assert not EmailAddress.objects.exists()


# --- what stays ------------------------------------------------------------------------


def test_the_attempts_still_count_in_the_statistics():
    world = approved_world()

    user_anonymise(user=world.person, by=world.organizer, reason=REASON)

    cache.clear()
    figures = dashboard_get(contest=world.round_.contest)
    assert (figures.participants, figures.attempts) == (2, 2)
    by_unit = {rate.unit_id: rate.participants for rate in figures.unit_rates}
    assert by_unit[world.person.unit_id] == 1
    assert Attempt.objects.filter(user=world.person).count() == 1


def test_the_approved_list_keeps_its_rows_and_its_checksum_verifies(client):
    world = approved_world()
    rows_before = list(
        world.result.rows.order_by("rank").values_list(
            "rank", "user_id", "correct", "prize_name"
        )
    )

    user_anonymise(user=world.person, by=world.organizer, reason=REASON)

    result = RoundResult.objects.get(pk=world.result.pk)
    assert result.status == RoundResult.Status.APPROVED
    assert services.result_checksum(result=result) == result.checksum
    assert (
        list(
            result.rows.order_by("rank").values_list(
                "rank", "user_id", "correct", "prize_name"
            )
        )
        == rows_before
    )
    page = client.get(reverse("awards:list-check", args=[result.checksum]))
    assert page.status_code == 200
    assert world.round_.name in page.content.decode()


def test_the_published_list_and_the_certificate_show_the_placeholder(client):
    world = approved_world()

    user_anonymise(user=world.person, by=world.organizer, reason=REASON)

    placeholder = f"Thí sinh đã ẩn danh #{world.person.pk}"
    row = ResultRow.objects.get(result=world.result, user=world.person)
    assert row.full_name == placeholder
    assert row.search_text.startswith(fold(placeholder))
    assert row.unit_name  # the unit stays on the list
    assert Certificate.objects.get(result_row=row).full_name == placeholder
    page = client.get(reverse("awards:round-results", args=[world.round_.pk]))
    html = page.content.decode()
    assert placeholder in html
    assert PERSON["full_name"] not in html


def test_the_decision_is_logged_with_its_reason():
    world = approved_world()

    user_anonymise(user=world.person, by=world.organizer, reason=REASON)

    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_ANONYMISE)
    assert entry.actor == world.organizer
    assert entry.reason == REASON
    assert entry.contest is None
    assert entry.data["user_id"] == world.person.pk
    assert entry.data["contest_ids"] == [world.round_.contest_id]
    assert entry.data["attempts"] == 1
    assert entry.get_action_display() == "Ẩn danh hóa tài khoản thí sinh"


def test_the_admin_log_keeps_who_changed_what_but_not_the_values():
    world = approved_world()

    user_anonymise(user=world.person, by=world.organizer, reason=REASON)

    entry = AdminChange.objects.get(object_id=str(world.person.pk))
    assert entry.action == AdminChange.Action.CHANGE
    assert entry.actor.full_name == "Hoàng Giám Khảo"
    assert entry.changes["fields"] == {"full_name": ["(đã ẩn danh)", "(đã ẩn danh)"]}
    assert entry.object_repr.startswith("Thí sinh đã ẩn danh #")


# --- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "reason", "code"),
    [
        pytest.param({"is_staff": True}, REASON, "staff_account", id="staff"),
        pytest.param({"is_superuser": True}, REASON, "staff_account", id="superuser"),
        pytest.param({}, "  ", "reason_required", id="no-reason"),
    ],
)
def test_refusals_change_nothing(fields, reason, code):
    person = UserFactory(full_name="Vũ Văn Giữ", **fields)
    organizer = UserFactory(is_staff=True)

    with pytest.raises(ValidationError) as refused:
        user_anonymise(user=person, by=organizer, reason=reason)

    assert refused.value.code == code
    assert User.objects.get(pk=person.pk).full_name == "Vũ Văn Giữ"
    assert not AuditEntry.objects.exists()


def test_a_second_anonymisation_is_refused():
    person = UserFactory()
    organizer = UserFactory(is_staff=True)
    user_anonymise(user=person, by=organizer, reason=REASON)

    with pytest.raises(ValidationError) as refused:
        user_anonymise(user=person, by=organizer, reason=REASON)

    assert refused.value.code == "already_anonymised"
    assert AuditEntry.objects.count() == 1


def test_an_account_with_attempts_still_cannot_be_deleted():
    world = approved_world()

    with pytest.raises(ProtectedError):
        User.objects.get(pk=world.person.pk).delete()


# --- the append-only log stays append-only ---------------------------------------


@pytest.mark.postgres
@postgres_only
def test_outside_an_anonymisation_the_admin_log_still_refuses_rewrites():
    world = approved_world()
    entry = AdminChange.objects.get(object_id=str(world.person.pk))

    with pytest.raises(DatabaseError), transaction.atomic():
        AdminChange.objects.filter(pk=entry.pk).update(object_repr="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AdminChange.objects.filter(pk=entry.pk).delete()

    assert AdminChange.objects.get(pk=entry.pk).object_repr == str(world.person)


@pytest.mark.postgres
@postgres_only
def test_an_anonymisation_may_not_rewrite_who_did_what():
    world = approved_world()
    entry = AdminChange.objects.get(object_id=str(world.person.pk))

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('contest_portal.anonymising', 'on', true)"
            )
        with pytest.raises(DatabaseError), transaction.atomic():
            AdminChange.objects.filter(pk=entry.pk).update(actor=world.organizer)

    assert AdminChange.objects.get(pk=entry.pk).actor_id != world.organizer.pk
