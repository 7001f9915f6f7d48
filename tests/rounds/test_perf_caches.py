"""The per-worker and per-request shortcuts of the deadline rush keep every rule."""

import pytest
from django.urls import reverse

from contest_portal.ops.cache import RedisCache
from rounds import page_cache, selectors
from rounds.models import Attempt, ContestCommitteeMember
from tests.factories import RoundFactory, UserFactory, make_bank

pytestmark = pytest.mark.django_db


def test_a_kept_anonymous_page_is_replayed_with_the_inner_headers(client, round_):
    url = reverse("rounds:contest-detail", kwargs={"slug": round_.contest.slug})
    first = client.get(url)

    second = client.get(url)

    assert url in page_cache._MARKED_PATHS
    assert second["X-Frame-Options"] == first["X-Frame-Options"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["Content-Type"] == first["Content-Type"]
    assert not second.cookies


def test_a_page_not_marked_by_its_view_is_never_kept(client):
    client.get(reverse("accounts:login"))

    assert reverse("accounts:login") not in page_cache._MARKED_PATHS


def test_the_redis_cache_builds_its_client_once():
    store = RedisCache("redis://127.0.0.1:6379/8", {})

    first = store._cache.get_client(write=True)
    second = store._cache.get_client()

    assert first is second


def test_the_eligibility_lists_for_a_start_are_reread_after_their_time(
    monkeypatch,
):
    round_ = RoundFactory()
    contest = round_.contest
    member = UserFactory()
    clock = iter([100.0, 101.0, 100.0 + selectors.ELIGIBILITY_SECONDS + 1])
    monkeypatch.setattr(selectors.time, "monotonic", lambda: next(clock))
    selectors.contest_eligibility_rules_for_start(contest=contest)
    ContestCommitteeMember.objects.create(
        contest=contest, user=member, role=ContestCommitteeMember.Role.JUDGE
    )

    kept = selectors.contest_eligibility_rules_for_start(contest=contest)
    fresh = selectors.contest_eligibility_rules_for_start(contest=contest)

    assert member.pk not in kept.committee_ids
    assert member.pk in fresh.committee_ids


def test_a_submit_of_someone_elses_attempt_is_404_and_changes_nothing(client):
    round_ = RoundFactory(question_count=5)
    round_.contest.topics.set(make_bank(topics=1, per_topic=8))
    client.force_login(UserFactory())
    start_url = reverse("rounds:attempt-start", kwargs={"round_id": round_.pk})
    url = client.post(start_url)["Location"]
    client.force_login(UserFactory())

    response = client.post(url + "nop-bai/", {"q0": "1"})

    assert response.status_code == 404
    assert Attempt.objects.get().status == Attempt.Status.OPEN
