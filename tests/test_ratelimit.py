"""Rate limits per user and per client address, and the one client-address helper."""

import threading
import uuid

import pytest
from django.conf import settings as project_settings
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from contest_portal.client_ip import client_ip, pick_client_ip
from contest_portal.ratelimit import count_hit, over_limit, window_for
from rounds import services
from rounds.models import Attempt
from tests.factories import RoundFactory, UnitFactory, UserFactory, solved_challenge

pytestmark = pytest.mark.django_db

STRANGER = "203.0.113.66"

SCHOOL = "203.0.113.20"
TOO_FAST = "Bạn thao tác quá nhanh"


def limits(settings, scope: str, user: int = 1000, ip: int = 1000) -> None:
    settings.RATE_LIMITS = {
        **project_settings.RATE_LIMITS,
        scope: {"user": (user, 60), "ip": (ip, 60)},
    }


def start(user, round_) -> Attempt:
    return services.attempt_start(user=user, round_=round_).attempt


def save(client, attempt, seq: int, address: str = SCHOOL):
    return client.post(
        reverse("rounds:attempt-save", kwargs={"public_id": attempt.public_id}),
        {"seq": seq, "position": 0, "choice": seq % 4},
        REMOTE_ADDR=address,
    )


# --- the pure window ---------------------------------------------------------------


def test_window_key_is_stable_within_a_window_and_changes_after_it():
    first = window_for(scope="s", kind="ip", ident="1.2.3.4", seconds=60, now=120.0)
    same = window_for(scope="s", kind="ip", ident="1.2.3.4", seconds=60, now=179.9)
    later = window_for(scope="s", kind="ip", ident="1.2.3.4", seconds=60, now=180.0)

    assert first.key == same.key
    assert later.key != first.key
    assert (first.retry_after, same.retry_after, later.retry_after) == (60, 1, 60)


def test_window_key_never_holds_the_identifier_in_clear():
    window = window_for(
        scope="login", kind="user", ident="0912345678", seconds=60, now=0
    )

    assert "0912345678" not in window.key


def test_limit_refuses_the_request_after_the_last_allowed_one():
    key = f"t-{uuid.uuid4()}"

    results = [
        over_limit(scope=key, kind="user", ident="u", limit=3, seconds=60, now=30.0)
        for _ in range(5)
    ]

    assert results == [None, None, None, 30, 30]


def test_a_new_window_starts_counting_again():
    key = f"t-{uuid.uuid4()}"
    for _ in range(4):
        over_limit(scope=key, kind="user", ident="u", limit=3, seconds=60, now=30.0)

    assert (
        over_limit(scope=key, kind="user", ident="u", limit=3, seconds=60, now=61.0)
        is None
    )


# --- configured limits ---------------------------------------------------------------


@pytest.mark.parametrize("scope", sorted(project_settings.RATE_LIMITS))
def test_address_limits_let_a_school_of_hundreds_through(scope):
    configured = project_settings.RATE_LIMITS[scope]
    ip_count, ip_seconds = configured["ip"]

    if "user" in configured:
        user_count, user_seconds = configured["user"]
        assert ip_seconds == user_seconds
        assert ip_count >= 250 * user_count
    else:
        assert ip_count >= 300


def test_user_limits_are_far_above_a_real_contestant():
    save_count, save_seconds = project_settings.RATE_LIMITS["attempt-save"]["user"]
    start_count, _ = project_settings.RATE_LIMITS["attempt-start"]["user"]
    submit_count, _ = project_settings.RATE_LIMITS["attempt-submit"]["user"]

    # 30 answers clicked in a few minutes is ~10 a minute; a reload restarts once.
    assert save_count * 60 / save_seconds >= 100
    assert start_count >= 10
    assert submit_count >= 5


# --- views -------------------------------------------------------------------------


def test_save_over_the_user_limit_is_429_json_and_keeps_the_stored_answer(
    client, settings, contestant, round_
):
    limits(settings, "attempt-save", user=2)
    attempt = start(contestant, round_)
    client.force_login(contestant)
    save(client, attempt, 1)
    save(client, attempt, 2)
    stored = Attempt.objects.get(pk=attempt.pk).answers

    response = save(client, attempt, 3)

    assert response.status_code == 429
    body = response.json()
    assert body["ok"] is False
    assert TOO_FAST in body["error"]
    assert body["retry_after"] >= 1
    assert int(response["Retry-After"]) == body["retry_after"]
    assert Attempt.objects.get(pk=attempt.pk).answers == stored


def test_user_limit_does_not_touch_a_classmate_behind_the_same_address(
    client, settings, contestant, round_
):
    limits(settings, "attempt-save", user=2)
    classmate = UserFactory()
    mine, theirs = start(contestant, round_), start(classmate, round_)
    client.force_login(contestant)
    for seq in range(1, 4):
        save(client, mine, seq)
    client.force_login(classmate)

    response = save(client, theirs, 1)

    assert response.status_code == 200
    assert Attempt.objects.get(pk=theirs.pk).answers[0] is not None


def test_address_limit_counts_every_user_behind_it(client, settings, round_):
    limits(settings, "attempt-save", user=100, ip=2)
    users = [UserFactory() for _ in range(3)]
    attempts = [start(user, round_) for user in users]
    statuses = []
    for user, attempt in zip(users, attempts, strict=True):
        client.force_login(user)
        statuses.append(save(client, attempt, 1).status_code)

    assert statuses == [200, 200, 429]
    assert Attempt.objects.get(pk=attempts[2].pk).answers[0] is None


def test_start_over_the_limit_is_429_and_starts_nothing(
    client, settings, contestant, round_
):
    limits(settings, "attempt-start", user=1)
    client.force_login(contestant)
    url = reverse("rounds:attempt-start", kwargs={"round_id": round_.pk})
    client.post(url, REMOTE_ADDR=SCHOOL)
    Attempt.objects.all().delete()

    response = client.post(url, REMOTE_ADDR=SCHOOL)

    assert response.status_code == 429
    assert TOO_FAST in response.content.decode()
    assert not Attempt.objects.exists()


def test_submit_over_the_limit_is_429_and_leaves_the_attempt_open(
    client, settings, contestant, round_
):
    limits(settings, "attempt-submit", user=0)
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.post(
        reverse("rounds:attempt-submit", kwargs={"public_id": attempt.public_id}),
        {"q0": "0"},
        REMOTE_ADDR=SCHOOL,
    )

    assert response.status_code == 429
    assert TOO_FAST in response.content.decode()
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.OPEN


def test_login_over_the_limit_is_429_even_with_the_right_password(client, settings):
    limits(settings, "login", user=2)
    UserFactory(phone="0912345678")
    url = reverse("accounts:login")
    for _ in range(2):
        client.post(
            url, {"username": "0912345678", "password": "x"}, REMOTE_ADDR=STRANGER
        )

    response = client.post(
        url,
        {"username": "+84 912 345 678", "password": "MatKhau@2024"},
        REMOTE_ADDR=STRANGER,
    )

    assert response.status_code == 429
    assert TOO_FAST in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_stranger_hammering_an_account_never_shuts_its_owner_out(client, settings):
    limits(settings, "login", user=20)
    owner = UserFactory(phone="0912345678")
    url = reverse("accounts:login")
    for _ in range(21):
        client.post(
            url, {"username": "0912345678", "password": "x"}, REMOTE_ADDR=STRANGER
        )

    response = client.post(
        url,
        {"username": "0912345678", "password": "MatKhau@2024"},
        REMOTE_ADDR="198.51.100.77",
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_posts_naming_a_phone_never_block_its_owners_registration(client, settings):
    limits(settings, "register", user=10)
    unit = UnitFactory()
    url = reverse("accounts:register")
    for _ in range(11):
        client.post(url, {"phone": "0912345678"}, REMOTE_ADDR=STRANGER)

    response = client.post(
        url,
        {
            "full_name": "Lò Thị Mai",
            "date_of_birth": "01/02/2000",
            "gender": User.Gender.FEMALE,
            "phone": "0912345678",
            "occupation": User.Occupation.WORKER,
            "unit": str(unit.pk),
            "password1": "Thi-sinh-2024!",
            "password2": "Thi-sinh-2024!",
            "privacy_consent": "on",
            **solved_challenge(client, REMOTE_ADDR="198.51.100.78"),
        },
        REMOTE_ADDR="198.51.100.78",
    )

    assert response.status_code == 302
    assert User.objects.filter(phone="0912345678").exists()


def test_login_page_itself_is_never_limited(client, settings):
    limits(settings, "login", user=0, ip=0)

    response = client.get(reverse("accounts:login"), REMOTE_ADDR=SCHOOL)

    assert response.status_code == 200


@pytest.mark.parametrize("url_name", ["accounts:register", "rounds:contest-register"])
def test_registration_over_the_address_limit_is_429_and_creates_nothing(
    client, settings, url_name
):
    limits(settings, "register", ip=1)
    unit = UnitFactory()
    kwargs = {}
    if url_name == "rounds:contest-register":
        kwargs = {"slug": RoundFactory().contest.slug}
    url = reverse(url_name, kwargs=kwargs)
    client.post(url, {"phone": "0911111111"}, REMOTE_ADDR=SCHOOL)

    response = client.post(
        url,
        {
            "full_name": "Lò Thị Mai",
            "date_of_birth": "01/02/2000",
            "gender": User.Gender.FEMALE,
            "phone": "0912345678",
            "occupation": User.Occupation.WORKER,
            "unit": str(unit.pk),
            "password1": "Thi-sinh-2024!",
            "password2": "Thi-sinh-2024!",
            "privacy_consent": "on",
            **solved_challenge(client, url, REMOTE_ADDR=SCHOOL),
        },
        REMOTE_ADDR=SCHOOL,
    )

    assert response.status_code == 429
    assert TOO_FAST in response.content.decode()
    assert not User.objects.exists()


def test_limits_can_be_switched_off(client, settings, contestant, round_):
    limits(settings, "attempt-save", user=0, ip=0)
    settings.RATE_LIMIT_ENABLED = False
    attempt = start(contestant, round_)
    client.force_login(contestant)

    assert save(client, attempt, 1).status_code == 200


# --- the client address ------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "expected"),
    [
        ("198.51.100.1", "", 0, "198.51.100.1"),
        ("198.51.100.1", "6.6.6.6", 0, "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 203.0.113.5", 1, "203.0.113.5"),
        ("10.0.0.2", "203.0.113.5", 1, "203.0.113.5"),
        ("10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.9", 2, "203.0.113.5"),
        ("10.0.0.2", "", 1, "10.0.0.2"),
        ("10.0.0.2", "203.0.113.5", 2, "10.0.0.2"),
        ("10.0.0.2", "6.6.6.6, not-an-address", 1, "10.0.0.2"),
        ("10.0.0.2", " 2001:DB8::1 ", 1, "2001:db8::1"),
        ("", "", 0, "0.0.0.0"),
    ],
    ids=[
        "direct",
        "forged-header-ignored-without-proxy",
        "one-proxy-uses-its-appended-entry",
        "one-proxy-single-entry",
        "two-proxies",
        "proxy-configured-header-missing",
        "fewer-entries-than-proxies",
        "garbage-entry",
        "ipv6-normalised",
        "nothing-known",
    ],
)
def test_pick_client_ip(remote, forwarded, proxies, expected):
    assert pick_client_ip(remote, forwarded, proxies) == expected


def test_client_ip_reads_the_trusted_proxy_count_setting(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )

    settings.TRUSTED_PROXY_COUNT = 0
    direct = client_ip(request)
    settings.TRUSTED_PROXY_COUNT = 1
    proxied = client_ip(request)

    assert (direct, proxied) == ("10.0.0.2", "203.0.113.5")


def test_axes_and_the_limiter_use_the_one_helper():
    assert (
        project_settings.AXES_CLIENT_IP_CALLABLE == "contest_portal.client_ip.client_ip"
    )


def test_forged_forwarded_for_does_not_escape_the_address_limit(
    client, settings, round_
):
    limits(settings, "attempt-save", user=100, ip=1)
    users = [UserFactory() for _ in range(2)]
    attempts = [start(user, round_) for user in users]
    statuses = []
    for n, (user, attempt) in enumerate(zip(users, attempts, strict=True)):
        client.force_login(user)
        statuses.append(
            client.post(
                reverse("rounds:attempt-save", kwargs={"public_id": attempt.public_id}),
                {"seq": 1, "position": 0, "choice": 0},
                REMOTE_ADDR=SCHOOL,
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
            ).status_code
        )

    assert statuses == [200, 429]


def test_behind_one_proxy_each_client_has_its_own_address_budget(
    client, settings, round_
):
    settings.TRUSTED_PROXY_COUNT = 1
    limits(settings, "attempt-save", user=100, ip=1)
    users = [UserFactory() for _ in range(2)]
    attempts = [start(user, round_) for user in users]
    statuses = []
    for n, (user, attempt) in enumerate(zip(users, attempts, strict=True)):
        client.force_login(user)
        statuses.append(
            client.post(
                reverse("rounds:attempt-save", kwargs={"public_id": attempt.public_id}),
                {"seq": 1, "position": 0, "choice": 0},
                REMOTE_ADDR="10.0.0.2",  # the proxy
                # The client forges the same first entry; the proxy appends the truth.
                HTTP_X_FORWARDED_FOR=f"6.6.6.6, 203.0.113.{n}",
            ).status_code
        )

    assert statuses == [200, 200]


# --- on Redis ----------------------------------------------------------------------


@pytest.fixture
def redis_store():
    import redis
    from django.core.cache.backends.redis import RedisCache

    location = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(location, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    prefix = f"cp-test-abuse-{uuid.uuid4().hex[:8]}"
    store = RedisCache(location, {"KEY_PREFIX": prefix})
    yield store
    client = redis.Redis.from_url(location)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_on_redis_the_counter_is_exact_under_concurrency(redis_store):
    barrier = threading.Barrier(8)
    refused: list[int] = []

    def worker():
        barrier.wait()
        for _ in range(25):
            wait = over_limit(
                scope="race",
                kind="ip",
                ident=SCHOOL,
                limit=120,
                seconds=60,
                now=30.0,
                store=redis_store,
            )
            if wait is not None:
                refused.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(refused) == 8 * 25 - 120
    window = window_for(scope="race", kind="ip", ident=SCHOOL, seconds=60, now=30.0)
    assert redis_store.get(window.key) == 200


def test_on_redis_the_window_expires(redis_store):
    key = f"expiry-{uuid.uuid4().hex}"

    count_hit(key=key, seconds=60, store=redis_store)

    ttl = redis_store._cache.get_client(key).ttl(redis_store.make_and_validate_key(key))
    assert 0 < ttl <= 61


def test_password_reset_mail_is_limited_per_address(client, settings):
    settings.RATE_LIMITS = {
        **project_settings.RATE_LIMITS,
        "password-reset": {"ip": (1, 3600)},
    }
    UserFactory(email="an@example.com")
    url = reverse("accounts:password-reset")
    client.post(url, {"email": "an@example.com"}, REMOTE_ADDR=SCHOOL)

    response = client.post(url, {"email": "an@example.com"}, REMOTE_ADDR=SCHOOL)

    assert response.status_code == 429
    assert len(mail.outbox) == 1


def test_on_redis_replies_are_read_by_the_c_parser(redis_store):
    """hiredis is installed with the portal: each counter and session read is parsed
    in C, not by redis-py's Python parser."""
    from redis._parsers import _HiredisParser

    redis_store.set("parser-probe", 1)
    client = redis_store._cache.get_client(write=False)
    connection = client.connection_pool.get_connection()
    try:
        assert isinstance(connection._parser, _HiredisParser)
    finally:
        client.connection_pool.release(connection)
