from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.forms import MultiWidget
from django.urls import reverse

from accounts.models import User
from awards import services
from awards.models import (
    AuditEntry,
    ContestantGroup,
    Disqualification,
    PrizeTier,
    RankingRules,
    ResultRow,
    RoundResult,
    UnitGroup,
    UnitResult,
)
from quizzes.models import QuestionRevision
from rounds.models import Attempt, Round, RoundVoidedQuestion
from tests.factories import (
    RoundFactory,
    UnitFactory,
    UserFactory,
    make_finished_attempt,
)
from tests.websec import multi_widget_values

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)
CLOSES = datetime(2024, 9, 29, 23, 50, tzinfo=VN)


@pytest.fixture
def superuser() -> User:
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def revisions(bank) -> list[QuestionRevision]:
    return list(QuestionRevision.objects.order_by("pk")[:5])


def finished(
    user: User,
    round_: Round,
    revisions: Sequence[QuestionRevision],
    *,
    correct: int,
    duration_ms: int = 60_000,
) -> Attempt:
    """A finished attempt whose stored answers score `correct`: the first ones right."""
    return make_finished_attempt(
        user,
        round_,
        revisions,
        correct=correct,
        at=OPENS + timedelta(days=1),
        duration_ms=duration_ms,
    )


@pytest.fixture
def closed_round(revisions) -> tuple[Round, User, User]:
    """A closed round with one first prize, its best contestant and the runner-up."""
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES)
    PrizeTier.objects.create(
        contest=round_.contest,
        kind=PrizeTier.Kind.INDIVIDUAL,
        name="Giải Nhất tuần",
        count=1,
        amount_vnd=2_000_000,
        order=1,
    )
    best = UserFactory(full_name="Hoàng Văn Nhất", unit=UnitFactory(name="Xã Đầu"))
    runner_up = UserFactory(full_name="Đinh Thị Nhì", unit=UnitFactory(name="Xã Kế"))
    finished(best, round_, revisions, correct=5)
    finished(runner_up, round_, revisions, correct=4)
    return round_, best, runner_up


@pytest.fixture
def computed(closed_round, superuser) -> RoundResult:
    round_, *_ = closed_round
    return services.result_compute(round_=round_, actor=superuser)


@pytest.fixture
def approved(computed, superuser) -> RoundResult:
    return services.result_approve(result=computed, actor=superuser)


def run_action(client, changelist: str, action: str, pks: Sequence[int]):
    return client.post(
        reverse(changelist),
        {"action": action, "_selected_action": [str(pk) for pk in pks], "index": "0"},
        follow=True,
    )


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


# --- round: compute results --------------------------------------------------------


def test_round_action_computes_a_provisional_result(
    admin_client, closed_round, superuser
):
    round_, best, _ = closed_round

    response = run_action(
        admin_client, "admin:rounds_round_changelist", "compute_results", [round_.pk]
    )

    assert response.status_code == 200
    result = RoundResult.objects.get(round=round_)
    [(level, text)] = messages_of(response)
    assert level == "success"
    assert text.startswith(f"Đã tính kết quả {round_.name}: ")
    assert f"{result.rows.count()} người được xếp hạng" in text
    assert "người đạt giải" in text
    assert reverse("admin:awards_roundresult_change", args=[result.pk]) in text
    assert f"/{result.pk}/" not in text.split("href")[0]  # no id in the words
    assert result.status == RoundResult.Status.PROVISIONAL
    assert result.computed_by == superuser
    assert ResultRow.objects.get(result=result, rank=1).user == best


def test_round_action_on_an_open_round_shows_an_error(admin_client, round_):
    response = run_action(
        admin_client, "admin:rounds_round_changelist", "compute_results", [round_.pk]
    )

    assert response.status_code == 200
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "chưa kết thúc" in text
    assert not RoundResult.objects.exists()


# --- round result: approve and review ----------------------------------------------


def test_result_action_asks_for_confirmation_then_approves(
    admin_client, computed, superuser
):
    asked = run_action(
        admin_client, "admin:awards_roundresult_changelist", "approve", [computed.pk]
    )
    confirm_url = reverse("admin:awards_roundresult_approve", args=[computed.pk])
    assert asked.redirect_chain[-1][0] == confirm_url
    assert RoundResult.objects.get(pk=computed.pk).status == "provisional"

    response = admin_client.post(confirm_url, {"confirm": "on"}, follow=True)

    [(level, text)] = messages_of(response)
    assert level == "success"
    assert "Đã phê duyệt danh sách" in text
    result = RoundResult.objects.get(pk=computed.pk)
    assert result.checksum in text
    assert result.status == RoundResult.Status.APPROVED
    assert result.approved_by == superuser
    assert result.checksum == services.result_checksum(result=result)


def test_result_action_approving_twice_shows_an_error(admin_client, approved):
    checksum = approved.checksum

    response = run_action(
        admin_client, "admin:awards_roundresult_changelist", "approve", [approved.pk]
    )

    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "đã được phê duyệt" in text
    assert RoundResult.objects.get(pk=approved.pk).checksum == checksum


def test_result_action_recompute_after_approval_shows_an_error(admin_client, approved):
    response = run_action(
        admin_client, "admin:awards_roundresult_changelist", "recompute", [approved.pk]
    )

    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "đã được phê duyệt" in text
    assert RoundResult.objects.get(pk=approved.pk).status == "approved"


def test_result_change_page_shows_the_ranked_rows(admin_client, computed):
    round_ = computed.round
    best = User.objects.get(full_name="Hoàng Văn Nhất")
    services.contestant_disqualify(
        round_=round_, user=best, reason="Gian lận", actor=UserFactory(is_staff=True)
    )

    response = admin_client.get(
        reverse("admin:awards_roundresult_change", args=[computed.pk])
    )

    assert response.status_code == 200
    content = response.content.decode()
    for text in [
        "Hoàng Văn Nhất",
        "Đinh Thị Nhì",
        "Xã Đầu",
        "Giải Nhất tuần",
        "Bị Ban Giám khảo loại",
        "60000",
        "Thời gian làm bài (ms)",
        "Chênh lệch dự đoán",
        "Số lượt đã thi",
        "Thời điểm nộp",
    ]:
        assert text.lower() in content.lower(), text


def test_result_change_page_cannot_be_posted(admin_client, computed):
    response = admin_client.post(
        reverse("admin:awards_roundresult_change", args=[computed.pk]), {}
    )

    assert response.status_code == 403
    assert RoundResult.objects.get(pk=computed.pk).status == "provisional"


# --- disqualification --------------------------------------------------------------

DISQUALIFY_URL = "/quan-tri/awards/disqualification/add/"


def test_disqualification_added_in_admin_recomputes(
    admin_client, computed, closed_round, superuser
):
    round_, best, runner_up = closed_round

    response = admin_client.post(
        DISQUALIFY_URL,
        {"round": round_.pk, "user": best.pk, "reason": "Thi hộ", "_save": "Lưu"},
    )

    assert response.status_code == 302
    decision = Disqualification.objects.get()
    assert (decision.user, decision.reason, decision.decided_by) == (
        best,
        "Thi hộ",
        superuser,
    )
    rows = {r.user_id: r for r in ResultRow.objects.filter(result__round=round_)}
    assert (rows[best.pk].skip_reason, rows[best.pk].prize_name) == (
        "disqualified",
        "",
    )
    assert rows[runner_up.pk].prize_name == "Giải Nhất tuần"
    assert AuditEntry.objects.filter(action="disqualify", actor=superuser).exists()


def test_disqualification_without_reason_is_a_form_error(
    admin_client, computed, closed_round
):
    round_, best, _ = closed_round

    response = admin_client.post(
        DISQUALIFY_URL, {"round": round_.pk, "user": best.pk, "reason": ""}
    )

    assert response.status_code == 200
    assert "reason" in response.context["adminform"].form.errors
    assert not Disqualification.objects.exists()


def test_disqualification_with_blank_reason_is_a_form_error(
    admin_client, computed, closed_round
):
    round_, best, _ = closed_round

    response = admin_client.post(
        DISQUALIFY_URL, {"round": round_.pk, "user": best.pk, "reason": "   "}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Disqualification.objects.exists()


def test_disqualification_after_approval_is_a_form_error(
    admin_client, approved, closed_round
):
    round_, best, _ = closed_round

    response = admin_client.post(
        DISQUALIFY_URL, {"round": round_.pk, "user": best.pk, "reason": "Thi hộ"}
    )

    assert response.status_code == 200
    assert "đã được phê duyệt" in response.content.decode()
    assert not Disqualification.objects.exists()


def test_disqualification_twice_is_a_form_error(admin_client, computed, closed_round):
    round_, best, _ = closed_round
    data = {"round": round_.pk, "user": best.pk, "reason": "Thi hộ"}
    admin_client.post(DISQUALIFY_URL, data)

    response = admin_client.post(DISQUALIFY_URL, data)

    assert response.status_code == 200
    assert "đã bị loại" in response.content.decode()
    assert Disqualification.objects.count() == 1


def test_disqualification_cannot_be_changed_or_deleted(
    admin_client, computed, closed_round, superuser
):
    round_, best, _ = closed_round
    decision = services.contestant_disqualify(
        round_=round_, user=best, reason="Thi hộ", actor=superuser
    )

    change = admin_client.post(
        reverse("admin:awards_disqualification_change", args=[decision.pk]),
        {"round": round_.pk, "user": best.pk, "reason": "Đổi lý do"},
    )
    delete = admin_client.post(
        reverse("admin:awards_disqualification_delete", args=[decision.pk]),
        {"post": "yes"},
    )

    assert change.status_code == 403
    assert delete.status_code == 403
    assert Disqualification.objects.get().reason == "Thi hộ"


# --- voided question ---------------------------------------------------------------


def test_void_added_in_admin_rescores(
    admin_client, computed, closed_round, revisions, superuser
):
    round_, _, runner_up = closed_round
    question = revisions[4].question

    response = admin_client.post(
        reverse("admin:rounds_roundvoidedquestion_add"),
        {"round": round_.pk, "question": question.pk, "reason": "Không có đáp án"},
    )

    assert response.status_code == 302
    void = RoundVoidedQuestion.objects.get()
    assert (void.question, void.voided_by) == (question, superuser)
    assert Attempt.objects.get(user=runner_up).correct_count == 5
    row = ResultRow.objects.get(result__round=round_, user=runner_up)
    assert row.correct == 5
    assert AuditEntry.objects.filter(action="question_void").exists()


def test_void_after_approval_is_a_form_error(
    admin_client, approved, closed_round, revisions
):
    round_, _, runner_up = closed_round

    response = admin_client.post(
        reverse("admin:rounds_roundvoidedquestion_add"),
        {
            "round": round_.pk,
            "question": revisions[4].question.pk,
            "reason": "Không có đáp án",
        },
    )

    assert response.status_code == 200
    assert "đã được phê duyệt" in response.content.decode()
    assert not RoundVoidedQuestion.objects.exists()
    assert Attempt.objects.get(user=runner_up).correct_count == 4


# --- audit log ---------------------------------------------------------------------


@pytest.fixture
def entry(computed) -> AuditEntry:
    return AuditEntry.objects.get(action="result_compute")


def test_audit_log_changelist_and_entry_can_be_read(admin_client, entry):
    listing = admin_client.get(reverse("admin:awards_auditentry_changelist"))
    detail = admin_client.get(
        reverse("admin:awards_auditentry_change", args=[entry.pk])
    )

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert "result_compute" in listing.content.decode()


def test_audit_log_has_no_add(admin_client, entry):
    response = admin_client.get(reverse("admin:awards_auditentry_add"))

    assert response.status_code == 403
    assert AuditEntry.objects.count() == 1


def test_audit_log_entry_cannot_be_changed(admin_client, entry):
    response = admin_client.post(
        reverse("admin:awards_auditentry_change", args=[entry.pk]),
        {"action": "forged", "reason": "sửa"},
    )

    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "result_compute"


def test_audit_log_entry_cannot_be_deleted(admin_client, entry):
    response = admin_client.post(
        reverse("admin:awards_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_log_offers_no_delete_action(admin_client, entry):
    response = admin_client.get(reverse("admin:awards_auditentry_changelist"))

    assert "delete_selected" not in response.content.decode()


# --- contest -----------------------------------------------------------------------


def contest_url(contest) -> str:
    return reverse("admin:rounds_contest_change", args=[contest.pk])


@pytest.fixture
def configured(closed_round):
    """The contest with ranking rules, a contestant group, a unit group and tiers."""
    contest = closed_round[0].contest
    RankingRules.objects.create(contest=contest, unit_min_rate_percent=70)
    group = ContestantGroup.objects.create(
        contest=contest, name="Cán bộ công chức", occupations=["civil_servant"]
    )
    # With groups, every individual tier names one (it could never award otherwise).
    contest.prize_tiers.update(contestant_group=group)
    UnitGroup.objects.create(contest=contest, name="Cấp xã", levels=["commune"])
    return contest


def test_contest_change_page_has_the_award_inlines(admin_client, configured):
    response = admin_client.get(contest_url(configured))

    assert response.status_code == 200
    content = response.content.decode()
    for prefix in ["ranking_rules", "contestant_groups", "unit_groups", "prize_tiers"]:
        assert f'name="{prefix}-TOTAL_FORMS"' in content, prefix
    assert "Cán bộ công chức" in content
    assert "Cấp xã" in content
    assert "Giải Nhất tuần" in content


def form_data(response) -> dict:
    """The change page's POST as an unchanged browser would send it."""
    data: dict = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for bound in form:
            value = bound.value()
            if isinstance(bound.field.widget, MultiWidget):
                data.update(
                    multi_widget_values(bound.html_name, bound.field.widget, value)
                )
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif value is not None:
                data[bound.html_name] = str(value)
    return data


def test_contest_saved_with_inlines_updates_tiers_and_rules(admin_client, configured):
    data = form_data(admin_client.get(contest_url(configured)))
    data["prize_tiers-0-amount_vnd"] = "3500000"
    data["ranking_rules-0-live_leaderboard"] = "on"
    data["_save"] = "Lưu"

    response = admin_client.post(contest_url(configured), data)

    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"]
    ]
    assert PrizeTier.objects.get(contest=configured).amount_vnd == 3_500_000
    assert RankingRules.objects.get(contest=configured).live_leaderboard


def test_contest_action_computes_unit_results_after_approval(
    admin_client, approved, configured
):
    response = run_action(
        admin_client,
        "admin:rounds_contest_changelist",
        "compute_unit_results",
        [configured.pk],
    )

    assert messages_of(response) == [("success", "Đã thực hiện.")]
    result = UnitResult.objects.get(contest=configured)
    assert result.status == RoundResult.Status.PROVISIONAL
    assert result.rows.filter(group_name="Cấp xã").exists()


def test_contest_action_before_approval_shows_an_error(
    admin_client, computed, configured
):
    response = run_action(
        admin_client,
        "admin:rounds_contest_changelist",
        "compute_unit_results",
        [configured.pk],
    )

    [(level, _text)] = messages_of(response)
    assert level == "error"
    assert not UnitResult.objects.exists()


def test_unit_result_change_page_renders(admin_client, approved, configured):
    result = services.unit_result_compute(
        contest=configured, actor=UserFactory(is_staff=True)
    )

    response = admin_client.get(
        reverse("admin:awards_unitresult_change", args=[result.pk])
    )

    assert response.status_code == 200
    assert "Xã Đầu" in response.content.decode()


# --- finals --------------------------------------------------------------------------


def test_a_final_saved_in_the_admin_admits_the_approved_qualifiers(
    admin_client, closed_round, superuser
):
    qualifying, best, runner_up = closed_round
    qualifying.stage = Round.Stage.QUALIFYING
    qualifying.qualify_per_unit = 1
    qualifying.save()
    services.result_approve(
        result=services.result_compute(round_=qualifying, actor=superuser),
        actor=superuser,
    )
    opens = (CLOSES + timedelta(days=7)).astimezone(VN)
    closes = opens + timedelta(days=2)

    response = admin_client.post(
        reverse("admin:rounds_round_add"),
        {
            "contest": str(qualifying.contest_id),
            "name": "Vòng chung kết",
            "opens_at_0": opens.strftime("%Y-%m-%d"),
            "opens_at_1": opens.strftime("%H:%M:%S"),
            "closes_at_0": closes.strftime("%Y-%m-%d"),
            "closes_at_1": closes.strftime("%H:%M:%S"),
            "question_count": "5",
            "time_limit_seconds": "600",
            "max_attempts": "1",
            "prediction_question": "",
            "grace_seconds": "10",
            "min_seconds_per_question": "2",
            "stage": Round.Stage.FINAL,
            "qualifying_round": str(qualifying.pk),
            "qualify_per_unit": "10",
            "quotas-TOTAL_FORMS": "0",
            "quotas-INITIAL_FORMS": "0",
            "quotas-MIN_NUM_FORMS": "0",
            "quotas-MAX_NUM_FORMS": "1000",
            "_save": "Lưu lại",
        },
    )

    assert response.status_code == 302
    final = Round.objects.get(name="Vòng chung kết")
    admitted = set(final.qualifiers.values_list("user_id", flat=True))
    assert admitted == {best.pk, runner_up.pk}
