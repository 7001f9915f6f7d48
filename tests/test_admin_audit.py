"""Every change made in the admin to questions, rounds, tiers, attempts and winner
lists lands in an append-only log with who, when and each field's old -> new value."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from awards.models import AdminChange, AuditEntry, PrizeTier, RoundResult
from awards.services import result_compute
from quizzes.models import Question
from rounds.models import Attempt, Round, RoundVoidedQuestion
from tests.conftest import requires_postgres
from tests.factories import RoundFactory
from tests.websec import admin_form_data, build_world, staff_in

pytestmark = pytest.mark.django_db


def admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit(client: Client, url: str, **changes) -> object:
    data = admin_form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def entries_for(obj) -> list[AdminChange]:
    return list(
        AdminChange.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )
    )


def test_a_question_edit_records_who_and_the_old_and_new_text():
    world = build_world()
    question = Question.objects.order_by("pk").first()
    old_text = question.text
    url = reverse("admin:quizzes_question_change", args=[question.pk])

    response = edit(admin(world.superuser), url, text="Nội dung câu hỏi mới?")

    assert response.status_code == 302
    [entry] = entries_for(question)
    assert entry.actor == world.superuser
    assert entry.action == AdminChange.Action.CHANGE
    assert entry.object_repr == "Nội dung câu hỏi mới?"
    assert entry.changes["fields"]["text"] == [old_text, "Nội dung câu hỏi mới?"]
    # Publishing the edit moved the question to a new revision: that is logged too.
    assert "current_revision" in entry.changes["fields"]


def test_a_changed_answer_choice_is_in_the_same_entry():
    world = build_world()
    question = Question.objects.order_by("pk").first()
    choice = question.choices.order_by("order", "pk").first()
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    client = admin(world.superuser)
    data = admin_form_data(client.get(url))
    data["choices-0-text"] = "Phương án đã sửa"

    client.post(url, data)

    [entry] = entries_for(question)
    assert entry.changes["fields"].keys() == {"current_revision"}
    assert entry.changes["inlines"] == [
        {
            "model": "quizzes.Choice",
            "id": choice.pk,
            "action": "change",
            "fields": {"text": [choice.text, "Phương án đã sửa"]},
        }
    ]


def test_a_new_question_is_recorded_with_its_values():
    world = build_world()
    topic = Question.objects.first().topic
    data = {
        "topic": topic.pk,
        "text": "Câu hỏi thêm mới?",
        "explanation": "",
        "is_active": "on",
        "choices-TOTAL_FORMS": "2",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "6",
        "choices-0-order": "0",
        "choices-0-text": "Đúng",
        "choices-0-is_correct": "on",
        "choices-1-order": "1",
        "choices-1-text": "Sai",
        "_save": "Lưu",
    }

    response = admin(world.superuser).post(reverse("admin:quizzes_question_add"), data)

    assert response.status_code == 302
    question = Question.objects.get(text="Câu hỏi thêm mới?")
    [entry] = entries_for(question)
    assert entry.action == AdminChange.Action.ADD
    assert entry.changes["fields"]["text"] == [None, "Câu hỏi thêm mới?"]
    assert entry.changes["fields"]["topic"] == [None, topic.pk]
    assert sorted(i["fields"]["text"][1] for i in entry.changes["inlines"]) == [
        "Sai",
        "Đúng",
    ]


def test_a_saved_form_without_changes_adds_no_entry():
    world = build_world()
    url = reverse("admin:rounds_round_change", args=[world.current.pk])

    response = edit(admin(world.superuser), url)

    assert response.status_code == 302
    assert entries_for(world.current) == []


def test_a_round_edit_records_the_diff():
    world = build_world()
    url = reverse("admin:rounds_round_change", args=[world.current.pk])

    edit(admin(world.superuser), url, name="Tuần thi thứ hai", max_attempts="3")

    [entry] = entries_for(world.current)
    assert entry.changes["fields"] == {
        "max_attempts": [0, 3],
        "name": ["Tuần thi đang mở", "Tuần thi thứ hai"],
    }
    assert Round.objects.get(pk=world.current.pk).name == "Tuần thi thứ hai"


def test_a_tier_edit_on_its_form_and_in_the_list_are_both_recorded():
    world = build_world()
    tier = PrizeTier.objects.get(contest=world.contest)
    organizer = admin(world.staff["organizer"])
    edit(
        organizer,
        reverse("admin:awards_prizetier_change", args=[tier.pk]),
        amount_vnd="2000000",
    )

    organizer.post(
        reverse("admin:awards_prizetier_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(tier.pk),
            "form-0-count": "2",
            "form-0-amount_vnd": "2000000",
            "form-0-order": "1",
            "_save": "Lưu",
        },
    )

    first, second = reversed(entries_for(tier))
    assert first.actor == world.staff["organizer"]
    assert first.changes["fields"] == {"amount_vnd": [1_000_000, 2_000_000]}
    assert second.changes["fields"] == {"count": [1, 2]}


def test_a_tier_added_inside_the_contest_form_is_recorded_on_the_contest():
    world = build_world()
    url = reverse("admin:rounds_contest_change", args=[world.contest.pk])
    client = admin(world.superuser)
    data = admin_form_data(client.get(url))
    data.update(
        {
            "prize_tiers-TOTAL_FORMS": "2",
            "prize_tiers-1-order": "2",
            "prize_tiers-1-kind": "individual",
            "prize_tiers-1-name": "Giải nhì",
            "prize_tiers-1-count": "2",
            "prize_tiers-1-amount_vnd": "500000",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    [entry] = entries_for(world.contest)
    [added] = entry.changes["inlines"]
    assert added["model"] == "awards.PrizeTier"
    assert added["action"] == "add"
    assert added["fields"]["name"] == [None, "Giải nhì"]
    assert added["fields"]["amount_vnd"] == [None, 500000]


def test_approving_a_winner_list_records_the_status_change():
    world = build_world()
    closed = RoundFactory(
        contest=world.contest,
        opens_at=world.past.opens_at,
        closes_at=world.past.closes_at,
    )
    result = result_compute(round_=closed, actor=world.staff["judge"])
    judge = world.staff["judge"]

    client = admin(judge)
    client.post(
        reverse("admin:awards_roundresult_changelist"),
        {"action": "approve", "_selected_action": [result.pk]},
    )
    assert not entries_for(result)  # the action only asks for confirmation
    client.post(
        reverse("admin:awards_roundresult_approve", args=[result.pk]),
        {"confirm": "on"},
    )

    [entry] = entries_for(result)
    assert entry.actor == judge
    assert entry.action == AdminChange.Action.ACTION
    assert entry.action_name == "approve"
    assert entry.changes["fields"]["status"] == ["provisional", "approved"]
    assert entry.changes["fields"]["approved_by"] == [None, judge.pk]
    assert RoundResult.objects.get(pk=result.pk).status == "approved"


def test_voiding_a_question_which_rescored_attempts_is_recorded():
    world = build_world()
    question = Question.objects.order_by("pk").first()

    admin(world.staff["judge"]).post(
        reverse("admin:rounds_roundvoidedquestion_add"),
        {
            "round": world.current.pk,
            "question": question.pk,
            "reason": "Câu hỏi không có đáp án đúng.",
        },
    )

    void = RoundVoidedQuestion.objects.get()
    [entry] = entries_for(void)
    assert entry.action == AdminChange.Action.ADD
    assert entry.changes["fields"]["reason"] == [None, "Câu hỏi không có đáp án đúng."]


def test_attempts_cannot_be_edited_in_the_admin_at_all():
    world = build_world()
    attempt = world.finished
    url = reverse("admin:rounds_attempt_change", args=[attempt.pk])

    response = admin(world.superuser).post(url, {"correct_count": "0"})

    assert response.status_code == 403
    assert Attempt.objects.get(pk=attempt.pk).correct_count == 5
    assert not AdminChange.objects.exists()


def test_deleting_a_question_records_its_last_values():
    world = build_world()
    question = Question.objects.create(
        topic=Question.objects.first().topic, text="Câu sẽ xóa?"
    )

    admin(world.superuser).post(
        reverse("admin:quizzes_question_delete", args=[question.pk]), {"post": "yes"}
    )

    assert not Question.objects.filter(pk=question.pk).exists()
    [entry] = AdminChange.objects.filter(action=AdminChange.Action.DELETE)
    assert entry.object_id == str(question.pk)
    assert entry.changes["fields"]["text"] == ["Câu sẽ xóa?", None]


def test_a_bulk_action_records_each_row():
    world = build_world()
    questions = list(Question.objects.order_by("pk")[:2])

    admin(world.superuser).post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "deactivate", "_selected_action": [q.pk for q in questions]},
    )

    for question in questions:
        [entry] = entries_for(question)
        assert entry.action_name == "deactivate"
        assert entry.changes["fields"] == {"is_active": [True, False]}


# --- The log itself cannot be changed ---------------------------------------------


@pytest.fixture
def logged(db):
    world = build_world()
    edit(
        admin(world.superuser),
        reverse("admin:rounds_round_change", args=[world.current.pk]),
        name="Đổi tên",
    )
    return world, AdminChange.objects.get()


@pytest.mark.parametrize(
    ("method", "view", "data"),
    [
        pytest.param("post", "change", {"object_repr": "sửa"}, id="change"),
        pytest.param("post", "delete", {"post": "yes"}, id="delete"),
        pytest.param("post", "add", {"object_repr": "giả"}, id="add"),
    ],
)
def test_not_even_a_superuser_can_edit_the_log_in_the_admin(logged, method, view, data):
    world, entry = logged
    args = [] if view == "add" else [entry.pk]
    url = reverse(f"admin:awards_adminchange_{view}", args=args)

    response = getattr(admin(world.superuser), method)(url, data)

    assert response.status_code == 403
    assert list(AdminChange.objects.values()) == [
        AdminChange.objects.filter(pk=entry.pk).values().get()
    ]
    assert AdminChange.objects.get().object_repr == entry.object_repr


def test_the_log_is_readable_and_shows_the_diff(logged):
    world, entry = logged

    response = admin(world.superuser).get(
        reverse("admin:awards_adminchange_change", args=[entry.pk])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Đổi tên" in html
    assert 'name="_save"' not in html


@pytest.mark.parametrize(
    ("group", "status"),
    [
        pytest.param("Ban Tổ chức", 200, id="organizer"),
        pytest.param("Ban Giám khảo", 200, id="judge"),
        pytest.param("Tổ soạn thảo câu hỏi", 403, id="author"),
        pytest.param("Quản lý đơn vị", 403, id="unit-manager"),
    ],
)
def test_the_committees_read_the_log(group, status):
    response = admin(staff_in(group)).get(
        reverse("admin:awards_adminchange_changelist")
    )

    assert response.status_code == status


@requires_postgres()
@pytest.mark.parametrize("model", [AdminChange, AuditEntry], ids=lambda m: m.__name__)
@pytest.mark.parametrize("operation", ["update", "delete"])
def test_postgresql_refuses_to_rewrite_the_logs(logged, model, operation):
    world, _entry = logged
    if model is AuditEntry:
        AuditEntry.objects.create(
            actor=world.superuser,
            at=world.past.closes_at,
            action="test",
            contest=world.contest,
        )
    rows = model.objects.all()

    def rewrite() -> None:
        with transaction.atomic():
            if operation == "update":
                rows.update(at=world.past.opens_at)
            else:
                rows.delete()

    with pytest.raises(DatabaseError, match="append-only"):
        rewrite()

    assert model.objects.exists()
    assert not model.objects.filter(at=world.past.opens_at).exists()
