"""A judge revokes an approved list with a reason: the list stays in the history with
its checksum, certificates from it verify as revoked, and a new computation and
approval publish the next version, which the public page shows as revised."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from awards import services
from awards.certificate_services import certificate_issue_all
from awards.models import (
    AuditEntry,
    RankingRules,
    RevokedRoundResult,
    RoundResult,
    UnitResult,
)
from awards.services.approval import digest
from tests.awards import test_admin
from tests.plans.organizer import admin_approve, judge

pytestmark = pytest.mark.django_db

# The closed round of tests/awards/test_admin.py: one first prize, its best
# contestant and the runner-up.
superuser = test_admin.superuser
admin_client = test_admin.admin_client
revisions = test_admin.revisions
closed_round = test_admin.closed_round
computed = test_admin.computed
approved = test_admin.approved

REASON = "Thí sinh đạt giải nhất dùng hai tài khoản; xét lại theo biên bản số 12."


def revoke(result, actor, reason=REASON):
    return services.result_revoke(result=result, actor=actor, reason=reason)


def test_the_revoked_list_stays_in_the_history_with_its_checksum(approved, superuser):
    checksum = approved.checksum

    revoked = revoke(approved, superuser)

    stored = RevokedRoundResult.objects.get()
    assert (stored.version, stored.checksum, stored.reason) == (1, checksum, REASON)
    assert stored.approved_by == approved.approved_by
    assert stored.prize_rows == 1
    # Anyone holding the paper can recompute the sum from what is kept.
    assert digest(stored.payload) == checksum
    assert revoked == stored
    result = RoundResult.objects.get(pk=approved.pk)
    assert (result.status, result.version, result.checksum) == ("provisional", 2, "")


def test_a_revocation_needs_a_reason_and_an_approved_list(computed, superuser):
    with pytest.raises(ValidationError) as short:
        revoke(computed, superuser, reason="sai")
    with pytest.raises(ValidationError) as provisional:
        revoke(computed, superuser)

    assert short.value.code == "reason_required"
    assert provisional.value.code == "not_approved"
    assert not RevokedRoundResult.objects.exists()


def test_a_list_counted_by_an_approved_collective_result_is_not_revoked(
    approved, superuser
):
    round_ = approved.round
    UnitResult.objects.create(
        contest=round_.contest,
        status=RoundResult.Status.APPROVED,
        ruleset={},
        computed_by=superuser,
        computed_at=timezone.now(),
    )

    with pytest.raises(ValidationError) as refused:
        revoke(approved, superuser)

    assert refused.value.code == "unit_result_approved"
    assert RoundResult.objects.get(pk=approved.pk).status == "approved"


def test_a_stored_list_that_no_longer_matches_its_checksum_is_not_revoked(
    approved, superuser
):
    approved.rows.filter(rank=1).update(prize_amount_vnd=9_000_000)

    with pytest.raises(ValidationError) as refused:
        revoke(approved, superuser)

    assert refused.value.code == "checksum_mismatch"
    assert not RevokedRoundResult.objects.exists()


def test_revoke_disqualify_recompute_and_approve_make_version_two(
    client, closed_round, approved, superuser
):
    round_, best, runner_up = closed_round
    RankingRules.objects.create(contest=round_.contest, certificates_enabled=True)
    [old_certificate] = certificate_issue_all(user=best)

    revoke(approved, superuser)
    services.contestant_disqualify(
        round_=round_, user=best, reason="Hai tài khoản.", actor=superuser
    )
    second = services.result_approve(
        result=RoundResult.objects.get(round=round_), actor=superuser
    )

    assert second.version == 2
    assert second.rows.get(prize_tier__isnull=False).user == runner_up
    assert second.checksum != RevokedRoundResult.objects.get().checksum
    old_certificate.refresh_from_db()
    assert old_certificate.revoked_at is not None
    assert old_certificate.revoked_reason == REASON
    assert old_certificate.result_row is None
    # The public page shows the current list and says it was revised.
    page = client.get(reverse("awards:round-results", args=[round_.pk]))
    assertContains(page, "Danh sách đã được điều chỉnh: đây là phiên bản 2")
    assertContains(page, REASON)
    assertContains(page, runner_up.full_name)
    # The old certificate verifies as revoked, with the reason.
    verified = client.get(
        reverse("certificates:verify"), {"ma": old_certificate.grouped_code}
    )
    assertContains(verified, "Giấy chứng nhận đã bị thu hồi")
    assertContains(verified, REASON)
    assertNotContains(verified, "Giấy chứng nhận hợp lệ")
    # Every step is in the decision log.
    steps = list(
        AuditEntry.objects.order_by("at", "pk").values_list("action", flat=True)
    )
    assert steps[-4:] == [
        "result_revoke",
        "disqualify",
        "result_compute",
        "result_approve",
    ]


def test_between_revocation_and_new_approval_the_public_page_says_so(
    client, closed_round, approved, superuser
):
    round_, best, _ = closed_round

    revoke(approved, superuser)
    page = client.get(reverse("awards:round-results", args=[round_.pk]))

    assertContains(page, "Kết quả tuần thi chưa được công bố.")
    assertContains(page, "đã bị thu hồi")
    assertNotContains(page, best.full_name)


# --- the judge's pages ----------------------------------------------------------------


def test_a_judge_revokes_through_the_admin_with_a_reason(closed_round, superuser):
    round_, *_ = closed_round
    result = services.result_compute(round_=round_, actor=superuser)
    bench = judge()
    admin_approve(bench, result)
    url = reverse("admin:awards_roundresult_revoke", args=[result.pk])

    empty = bench.post(url, {"reason": ""})
    done = bench.post(url, {"reason": REASON}, follow=True)

    assert empty.status_code == 200
    assertContains(empty, "Vui lòng ghi rõ lý do thu hồi danh sách.")
    assert done.redirect_chain[-1][0] == reverse(
        "admin:awards_roundresult_change", args=[result.pk]
    )
    assertContains(done, "Đã thu hồi danh sách phiên bản 1")
    assertContains(done, "Các phiên bản đã thu hồi")
    log = bench.get(reverse("admin:awards_auditentry_changelist"))
    assertContains(log, "Thu hồi danh sách tuần thi")
    assertContains(log, "phiên bản 1")


def test_the_approval_page_shows_what_will_be_frozen(admin_client, computed):
    url = reverse("admin:awards_roundresult_approve", args=[computed.pk])

    page = admin_client.get(url)
    unconfirmed = admin_client.post(url, {})

    assertContains(page, '<td id="summary-rows">2</td>', html=True)
    assertContains(page, '<td id="summary-winners">1</td>', html=True)
    assertContains(page, '<td id="summary-total">2.000.000 đồng</td>', html=True)
    assertContains(page, "Giải Nhất tuần")
    assertContains(unconfirmed, "Vui lòng đánh dấu xác nhận.")
    assert RoundResult.objects.get(pk=computed.pk).status == "provisional"


def test_the_review_page_reads_rules_then_winners_then_ranking(
    admin_client, computed, closed_round
):
    _, best, _ = closed_round

    page = admin_client.get(
        reverse("admin:awards_roundresult_change", args=[computed.pk])
    ).content.decode()

    rules = page.index("quy tắc đã áp dụng")
    winners = page.index('id="winners"')
    ranking = page.index("rows-group")  # the ranking inline's formset
    assert rules < winners < ranking
    assert best.full_name in page[winners:ranking]
    for button in ("Tính lại kết quả", "Phê duyệt danh sách…", "Loại thí sinh"):
        assert button in page
    assert "Thu hồi danh sách…" not in page


@pytest.mark.parametrize(
    ("group", "buttons", "absent"),
    [
        pytest.param(
            "Ban Giám khảo",
            [
                "Tính lại kết quả",
                "Phê duyệt danh sách…",
                "Loại thí sinh",
                "Hủy câu hỏi",
            ],
            [],
            id="judge",
        ),
        pytest.param(
            "Ban Tổ chức",
            ["Tính lại kết quả"],
            ["Phê duyệt danh sách…", "Loại thí sinh", "Hủy câu hỏi"],
            id="organizer",
        ),
    ],
)
def test_each_button_follows_the_role(computed, group, buttons, absent):
    from tests.plans.organizer import committee_client

    client = committee_client(group)

    page = client.get(reverse("admin:awards_roundresult_change", args=[computed.pk]))
    approve = client.get(
        reverse("admin:awards_roundresult_approve", args=[computed.pk])
    )

    for button in buttons:
        assertContains(page, button)
    for button in absent:
        assertNotContains(page, button)
    may_approve = "Phê duyệt danh sách…" in buttons
    assert approve.status_code == (200 if may_approve else 403)
