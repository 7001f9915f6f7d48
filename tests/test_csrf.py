"""A state-changing request without a valid CSRF token is refused and changes nothing.

The list of URLs comes from walking the URL resolver, so a new endpoint is covered
the day it is added: a URL parameter with no sample value, or a new POST view with
no allowed-request check below, fails these tests until someone adds one.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.base import SessionBase
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import PhoneCode, User
from accounts.phone_codes import phone_code_send
from accounts.phone_views import RESET_PHONE_KEY
from awards.models import Disqualification, RoundResult
from quizzes.models import Question
from reports.models import ExportJob
from rounds.models import Attempt, RoundVoidedQuestion
from tests.factories import RoundFactory, UnitFactory, solved_challenge
from tests.websec import (
    World,
    admin_form_data,
    build_world,
    csrf_client,
    database_state,
)

pytestmark = pytest.mark.django_db

CSRF_PAGE = "Phiên làm việc đã hết hạn"
PASSWORD = "MatKhau@2024"
NEW_PASSWORD = "Doi-mat-khau-2025!"


@dataclass(frozen=True)
class Route:
    path: str  # the route as written in the URLconf, prefixes joined
    name: str | None
    pattern: URLPattern


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            joined = (
                f"{namespace}:{inner}" if namespace and inner else namespace or inner
            )
            routes += _walk(entry.url_patterns, prefix + str(entry.pattern), joined)
        else:
            name = entry.name and (
                f"{namespace}:{entry.name}" if namespace else entry.name
            )
            routes.append(Route(prefix + str(entry.pattern), name, entry))
    return routes


ROUTES = _walk(get_resolver().url_patterns)


@pytest.fixture(autouse=True)
def _sms_on(settings):
    """The SMS pages act only where a gateway is set: the console's, here."""
    settings.SMS_BACKEND = "accounts.sms.ConsoleBackend"


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def samples(world: World) -> dict[str, str]:
    return {
        "round_id": str(world.current.pk),
        "contest_id": str(world.contest.pk),  # the JSON API's (reports.api)
        "slug": world.contest.slug,
        "public_id": world.open_attempt.public_id,
        "code": world.certificate.grouped_code,
        "job_id": str(world.job.pk),
        "uidb64": urlsafe_base64_encode(force_bytes(world.alice.pk)),
        "token": default_token_generator.make_token(world.alice),
        "object_id": str(world.alice.pk),
        "id": str(world.bob.pk),
        "content_type_id": "1",
        "app_label": "quizzes",
        "url": "khong-co-trang-nay/",
        "fmt": "pdf",
        "share_token": "0" * 32,
        "row_id": "1",
        "checksum": "0" * 64,
        "provider_id": "hue-s",  # an identity provider (accounts/oidc_urls.py)
    }


def route_url(route: Route, world: World) -> str:
    values = samples(world)

    def fill(match: re.Match) -> str:
        parameter = match.group(1) or match.group(2)
        if parameter not in values:
            pytest.fail(f"No sample value for <{parameter}> in {route.path}: add one.")
        return values[parameter]

    url = "/" + PARAMETER.sub(fill, route.path).replace("^", "").replace("$", "")
    assert resolve(url).route.replace("^", "") == route.path.replace("^", ""), url
    return url


def actor(route: Route, world: World) -> User | None:
    """Who may use the route: anonymous for sign-up and sign-in, the owner of the
    attempt and certificate for contestant pages, a superuser for the rest."""
    name = route.name or ""
    if name in {
        "accounts:register",
        "accounts:login",
        "accounts:password-reset",
        "accounts:password-reset-confirm",
        "rounds:contest-register",
        "rounds:register",
        "admin:login",
    }:
        return None
    if name.startswith(("rounds:", "accounts:", "certificates:")):
        return world.alice
    return world.superuser


def test_every_url_refuses_a_post_without_a_csrf_token():
    world = build_world()
    # Each browser holds a valid CSRF cookie; the forged form lacks the token.
    clients = {
        user: csrf_client(user)[0] for user in (None, world.alice, world.superuser)
    }
    before = database_state()
    refused, changed = [], []

    for route in ROUTES:
        client = clients[actor(route, world)]
        response = client.post(route_url(route, world), {"reason": "x", "kind": "bank"})
        if route.name in PROBES:
            # Answered before any view by contest_portal.ops.probes, GET and HEAD only.
            if response.status_code != 405:
                refused.append(f"{route.path}: {response.status_code}")
        elif response.status_code != 403 or CSRF_PAGE not in response.content.decode():
            refused.append(f"{route.path}: {response.status_code}")
        if database_state() != before:
            changed.append(route.path)
            before = database_state()

    assert len(ROUTES) > 100  # the admin's routes are in the walk too
    assert refused == []
    assert changed == []


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_unsafe_methods_are_refused_too(method):
    world = build_world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    before = database_state()
    url = reverse("rounds:attempt-save", args=[world.open_attempt.public_id])

    response = getattr(client, method)(url, "seq=1&position=0&choice=1")

    assert response.status_code == 403
    assert database_state() == before


# --- Each state-changing request, refused without a token, accepted with one ---------


@dataclass
class Case:
    actor: User | None
    url: str
    data: dict[str, Any]
    effect: Callable[[], Any]  # a value the accepted request changes
    prepare: Callable[[Client], None] = lambda client: None


def _registration(world: World) -> dict[str, Any]:
    return {
        "full_name": "Đỗ Thị Mai",
        "date_of_birth": "12/03/1994",
        "gender": User.Gender.FEMALE,
        "phone": "0933 111 222",
        "occupation": User.Occupation.CIVIL_SERVANT,
        "unit": str(UnitFactory().pk),
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "privacy_consent": "on",
    }


def _registration_case(world: World, url: str) -> Case:
    data = _registration(world)
    # The challenge belongs to the browser's session: solved once it has one.
    return Case(
        None,
        url,
        data,
        _count(User.objects),
        prepare=lambda client: data.update(solved_challenge(client, url)),
    )


def _admin_change(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    data = admin_form_data(client.get(url))
    data.update(changes)
    return data


def _closed_round(world: World):
    round_ = RoundFactory(
        contest=world.contest,
        opens_at=world.past.opens_at,
        closes_at=world.past.closes_at,
    )
    return round_


def _user_password(user: User) -> Callable[[], str]:
    return lambda: User.objects.get(pk=user.pk).password


def _count(queryset) -> Callable[[], int]:
    return lambda: queryset.count()


def _session_alive(client: Client) -> Callable[[], bool]:
    def alive() -> bool:
        from importlib import import_module

        from django.conf import settings

        key = client.cookies["sessionid"].value
        store: SessionBase = import_module(settings.SESSION_ENGINE).SessionStore()
        return store.exists(key)

    return alive


def case(name: str, world: World) -> Case:
    alice, superuser, judge = world.alice, world.superuser, world.staff["judge"]
    attempt = world.open_attempt
    if name == "accounts:register":
        return _registration_case(world, reverse(name))
    if name == "rounds:contest-register":
        return _registration_case(world, reverse(name, args=[world.contest.slug]))
    if name == "accounts:login":
        return Case(
            None,
            reverse(name),
            {"username": alice.phone, "password": PASSWORD},
            lambda: User.objects.get(pk=alice.pk).last_login,
        )
    if name == "admin:login":
        return Case(
            None,
            reverse(name),
            {"username": superuser.phone, "password": PASSWORD},
            lambda: User.objects.get(pk=superuser.pk).last_login,
        )
    if name in {"accounts:logout", "admin:logout"}:
        return Case(
            alice if name == "accounts:logout" else superuser, reverse(name), {}, None
        )
    if name == "accounts:profile":
        return Case(
            alice,
            reverse(name),
            {},
            lambda: User.objects.get(pk=alice.pk).full_name,
        )
    if name == "accounts:password-change":
        return Case(
            alice,
            reverse(name),
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
            _user_password(alice),
        )
    if name == "accounts:password-reset":
        alice.email = "anh.pham@example.vn"
        alice.save()
        return Case(
            None, reverse(name), {"email": alice.email}, lambda: len(mail.outbox)
        )
    if name == "accounts:password-reset-confirm":
        uid = urlsafe_base64_encode(force_bytes(alice.pk))
        token = default_token_generator.make_token(alice)
        return Case(
            None,
            reverse(name, args=[uid, "set-password"]),
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            _user_password(alice),
            prepare=lambda client: client.get(reverse(name, args=[uid, token])),
        )
    if name in {"accounts:phone-verify", "accounts:password-reset-sms"}:
        return Case(
            alice if name == "accounts:phone-verify" else None,
            reverse(name),
            {"send": "1"}
            if name == "accounts:phone-verify"
            else {"phone": alice.phone},
            _count(PhoneCode.objects.filter(phone=alice.phone)),
        )
    if name == "accounts:password-reset-sms-confirm":

        def asked_for_a_code(client: Client) -> None:
            phone_code_send(phone=alice.phone, purpose=PhoneCode.Purpose.RESET)
            session = client.session
            session[RESET_PHONE_KEY] = alice.phone
            session.save()

        return Case(
            None,
            reverse(name),
            {
                "code": "000000",
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
            lambda: list(
                PhoneCode.objects.filter(phone=alice.phone).values_list(
                    "failed_tries", "used_at"
                )
            ),
            prepare=asked_for_a_code,
        )
    if name == "rounds:attempt-start":
        return Case(
            world.bob,
            reverse(name, args=[world.current.pk]),
            {},
            _count(Attempt.objects.filter(user=world.bob)),
        )
    if name == "rounds:attempt-save":
        return Case(
            alice,
            reverse(name, args=[attempt.public_id]),
            {"seq": 1, "position": 0, "choice": 1},
            lambda: Attempt.objects.get(pk=attempt.pk).answers,
        )
    if name == "rounds:attempt-submit":
        return Case(
            alice,
            reverse(name, args=[attempt.public_id]),
            {"q0": "1"},
            lambda: Attempt.objects.get(pk=attempt.pk).status,
        )
    if name == "rounds:attempt-summary":
        return Case(
            alice,
            reverse(name, args=[attempt.public_id]),
            {"q0": "1"},
            lambda: Attempt.objects.get(pk=attempt.pk).answers,
        )
    if name == "reports:export-job-start":
        return Case(judge, reverse(name), {"kind": "bank"}, _count(ExportJob.objects))
    raise LookupError(name)


def admin_case(name: str, world: World) -> Case:
    superuser, judge = world.superuser, world.staff["judge"]
    question = Question.objects.order_by("pk").first()
    tier = world.contest.prize_tiers.get()
    if name == "question-change":
        url = reverse("admin:quizzes_question_change", args=[question.pk])
        return Case(
            superuser,
            url,
            {},
            lambda: Question.objects.get(pk=question.pk).text,
        )
    if name == "round-change":
        url = reverse("admin:rounds_round_change", args=[world.current.pk])
        return Case(
            superuser,
            url,
            {},
            lambda: type(world.current).objects.get(pk=world.current.pk).name,
        )
    if name == "tier-change":
        url = reverse("admin:awards_prizetier_change", args=[tier.pk])
        return Case(
            superuser, url, {}, lambda: type(tier).objects.get(pk=tier.pk).amount_vnd
        )
    if name == "results-compute":
        closed = _closed_round(world)
        return Case(
            judge,
            reverse("admin:rounds_round_changelist"),
            {"action": "compute_results", "_selected_action": [closed.pk]},
            _count(RoundResult.objects),
        )
    if name == "results-approve":
        closed = _closed_round(world)
        from awards.services import result_compute

        result = result_compute(round_=closed, actor=judge)
        return Case(
            judge,
            reverse("admin:awards_roundresult_approve", args=[result.pk]),
            {"confirm": "on"},
            lambda: RoundResult.objects.get(pk=result.pk).status,
        )
    if name == "disqualify":
        return Case(
            judge,
            reverse("admin:awards_disqualification_add"),
            {
                "round": world.current.pk,
                "user": world.bob.pk,
                "reason": "Dùng nhiều tài khoản.",
            },
            _count(Disqualification.objects),
        )
    if name == "void":
        return Case(
            judge,
            reverse("admin:rounds_roundvoidedquestion_add"),
            {
                "round": world.current.pk,
                "question": question.pk,
                "reason": "Câu hỏi không có đáp án đúng.",
            },
            _count(RoundVoidedQuestion.objects),
        )
    if name == "user-password":
        return Case(
            superuser,
            reverse("admin:auth_user_password_change", args=[world.bob.pk]),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            _user_password(world.bob),
        )
    raise LookupError(name)


PUBLIC_POSTS = [
    "accounts:register",
    "rounds:contest-register",
    "accounts:login",
    "accounts:logout",
    "accounts:profile",
    "accounts:password-change",
    "accounts:password-reset",
    "accounts:password-reset-confirm",
    "accounts:phone-verify",
    "accounts:password-reset-sms",
    "accounts:password-reset-sms-confirm",
    "rounds:attempt-start",
    "rounds:attempt-save",
    "rounds:attempt-submit",
    "rounds:attempt-summary",
    "reports:export-job-start",
]
# The sign-in with an identity provider: a provider on loopback is needed for the
# accepted request, so their forged and control cases are in
# tests/accounts/test_oidc_csrf.py.
# The health probes answer ahead of the CSRF check and refuse every POST.
PROBES = {"healthz", "readyz"}
OIDC_POSTS = ["openid_connect_login", "socialaccount_signup"]
ADMIN_POSTS = [
    "admin:login",
    "admin:logout",
    "question-change",
    "round-change",
    "tier-change",
    "results-compute",
    "results-approve",
    "disqualify",
    "void",
    "user-password",
]
EDIT_FORMS = {
    "accounts:profile": {"full_name": "Phạm Thị Ánh Hồng"},
    "question-change": {"text": "Câu hỏi đã sửa?"},
    "round-change": {"name": "Tuần thi đổi tên"},
    "tier-change": {"amount_vnd": "3000000"},
}


def _build(name: str, world: World) -> Case:
    return case(name, world) if ":" in name else admin_case(name, world)


def _send(name: str, world: World, *, with_token: bool) -> tuple[Case, Any, Client]:
    built = _build(name, world)
    client, token = csrf_client(built.actor)
    built.prepare(client)
    data = dict(built.data)
    if name in EDIT_FORMS:
        helper = Client()
        helper.force_login(built.actor)
        if name.startswith("accounts:"):
            from tests.websec import form_values

            data = form_values(helper.get(built.url).context["form"])
        else:
            data = _admin_change(helper, built.url)
        data.update(EDIT_FORMS[name])
    if with_token:
        data["csrfmiddlewaretoken"] = token
    return built, client.post(built.url, data), client


@pytest.mark.parametrize("name", PUBLIC_POSTS + ADMIN_POSTS)
def test_a_post_without_a_token_is_refused_and_changes_nothing(name):
    world = build_world()
    built = _build(name, world)
    client, _token = csrf_client(built.actor)
    built.prepare(client)
    session_alive = _session_alive(client) if built.actor else None
    before = database_state()
    effect_before = built.effect() if built.effect else None

    response = client.post(built.url, built.data)

    assert response.status_code == 403
    assert CSRF_PAGE in response.content.decode()
    assert database_state() == before
    if built.effect:
        assert built.effect() == effect_before
    if session_alive:
        assert session_alive()  # not logged out either


@pytest.mark.parametrize("name", PUBLIC_POSTS + ADMIN_POSTS)
def test_the_same_post_with_a_valid_token_is_accepted(name):
    """The control: the user really was allowed, so the 403 above is the token's."""
    world = build_world()
    built = _build(name, world)
    effect_before = built.effect() if built.effect else None

    built, response, client = _send(name, world, with_token=True)

    assert response.status_code in {200, 302}, response.content[:500]
    if built.effect:
        assert built.effect() != effect_before
    else:  # a logout: the session is gone from the server
        assert not _session_alive(client)()


def test_every_post_endpoint_outside_the_admin_has_a_case_above():
    world = build_world()
    accepting = []

    for route in ROUTES:
        if (route.name or "").startswith("admin:") or route.path.startswith(
            "quan-tri/"
        ):
            continue  # the admin's views are covered by the walk and the cases above
        client, token = csrf_client(actor(route, world))
        response = client.post(route_url(route, world), {"csrfmiddlewaretoken": token})
        if response.status_code != 405:
            accepting.append(route.name)

    assert sorted(accepting) == sorted(PUBLIC_POSTS + OIDC_POSTS)


def test_a_token_from_another_session_is_refused():
    world = build_world()
    mallory, mallory_token = csrf_client(world.bob)
    mallory.get(reverse("rounds:home"))
    victim, _own_token = csrf_client(world.alice)
    attempt = world.open_attempt
    before = database_state()

    response = victim.post(
        reverse("rounds:attempt-save", args=[attempt.public_id]),
        {"seq": 1, "position": 0, "choice": 1, "csrfmiddlewaretoken": mallory_token},
    )

    assert response.status_code == 403
    assert database_state() == before


def test_a_token_taken_before_login_no_longer_works_after_it():
    world = build_world()
    client, token_before = csrf_client()
    client.post(
        reverse("accounts:login"),
        {
            "username": world.alice.phone,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token_before,
        },
    )
    rotated = client.cookies["csrftoken"].value
    before = database_state()

    response = client.post(
        reverse("rounds:attempt-save", args=[world.open_attempt.public_id]),
        {"seq": 1, "position": 0, "choice": 1, "csrfmiddlewaretoken": token_before},
    )

    assert rotated != token_before
    assert response.status_code == 403
    assert database_state() == before
