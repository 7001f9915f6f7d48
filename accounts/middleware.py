"""Who is asking, as the session says, without reading the user row where that is safe.

Django checks a session on every user load: the user exists, is active, and the
password hash the session was made with is still the user's (so a password change
ends every other session). A save of an answer, most of the deadline rush's
requests, skips that load: it takes the user id from the session and a credential,
the MD5 of the password hash the session was last verified with, and its one SQL
statement requires the user row to still match it (rounds.services.saving). A
password changed anywhere (the form, a reset, the admin, a one-time password) changes
the hash, so an older session's save matches no row and takes the path that loads
the user, where Django ends the session. A logout deletes the session from the store:
nothing is left to identify.
"""

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from accounts.selectors import user_with_unit

# The session's copy of user_credential(), written where the password or the session
# has just been verified: at login (log_in) and a password change, else the attempt
# page or a save that loaded the user. Once per session.
CREDENTIAL_SESSION_KEY = "_auth_user_credential"
# Requests that show nothing of a user: the user row is never read for them.
_EXEMPT_PREFIXES = ("/healthz", "/static/")


def user_credential(password_hash: str) -> str:
    """What a session remembers of the password it was verified with.

    The same value as MD5(password) in SQL (PostgreSQL's md5(), the MD5 function
    Django registers on SQLite), so a single statement can compare it. Only a
    digest of the salted hash: the session store never holds the hash itself.
    """
    return hashlib.md5(password_hash.encode()).hexdigest()


def session_user_id(request: HttpRequest) -> str | None:
    """The user id the session names, unverified; None when nobody logged in."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    user_id = session.get(SESSION_KEY)
    if user_id is None or session.get(BACKEND_SESSION_KEY) not in set(
        settings.AUTHENTICATION_BACKENDS
    ):
        return None
    return str(user_id)


def session_owner(request: HttpRequest) -> tuple[int, str] | None:
    """(user id, credential) from the session, to be checked by the caller's own
    statement against the user row; None when the session has no credential yet."""
    user_id = session_user_id(request)
    credential = request.session.get(CREDENTIAL_SESSION_KEY) if user_id else None
    if not credential or not user_id.isdigit():
        return None
    return int(user_id), credential


def session_accepts(request: HttpRequest, user: User | None) -> bool:
    """Would Django's own session check (django.contrib.auth.get_user) accept
    ``user``, read by the caller's own statement? The session names this user
    through a model backend, the backend lets the user log in (active), and the
    session's hash of the password matches under the current secret. Anything else
    (another user, a changed password, a rotated secret, a user no longer active)
    is left to Django, which loads the user itself and ends the session as it
    always has."""
    if user is None or session_user_id(request) != str(user.pk):
        return False
    backend = load_backend(request.session[BACKEND_SESSION_KEY])
    if not isinstance(backend, ModelBackend) or not backend.user_can_authenticate(user):
        return False
    session_hash = request.session.get(HASH_SESSION_KEY)
    return bool(session_hash) and constant_time_compare(
        session_hash, user.get_session_auth_hash()
    )


def adopt_session_user(request: HttpRequest, user: User | None) -> bool:
    """Make ``user`` (read along with what the page needed anyway, the attempt) the
    request's user when the session accepts it: the user row is not read again."""
    if not session_accepts(request, user):
        return False
    request.user = user
    return True


def _session_user(request: HttpRequest) -> User | AnonymousUser:
    user_id = session_user_id(request)
    if user_id is not None and user_id.isdigit():
        user = user_with_unit(int(user_id))
        if session_accepts(request, user):
            return user
    return auth.get_user(request)


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, whose lazy user is read by one statement
    written once per process (the user and the unit every contestant page shows),
    instead of a queryset compiled on every request; what Django's check would not
    accept goes to Django's get_user, unchanged."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _session_user(request))


def remember_credential(request: HttpRequest) -> None:
    """Keep the verified user's credential in the session (written only on change)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    credential = user_credential(user.password)
    if request.session.get(CREDENTIAL_SESSION_KEY) != credential:
        request.session[CREDENTIAL_SESSION_KEY] = credential


def log_in(request: HttpRequest, user: User, *, backend: str) -> None:
    """Django's login, the session's credential kept in the same write: the password
    was verified just now, and the attempt page then has nothing of its own to write
    to the session (one cache write fewer per contestant at the rush)."""
    auth.login(request, user, backend=backend)
    remember_credential(request)


def password_change_refusal(request: HttpRequest) -> HttpResponse | None:
    """After logging in with a one-time password, the only page is the change form."""
    user = request.user
    if not (user.is_authenticated and user.must_change_password):
        return None
    allowed = {reverse("accounts:password-change"), reverse("accounts:logout")}
    if request.path in allowed:
        return None
    return redirect("accounts:password-change")


def checks_user_itself(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Mark a view that identifies its user and applies password_change_refusal
    itself (the save): the middleware then leaves the user row unread."""
    view.checks_user_itself = True  # type: ignore[attr-defined]
    return view


def session_login_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """login_required by the session alone: a request naming nobody goes to the
    login page, as login_required sends it; the user row is not read here."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if session_user_id(request) is None:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


class ForcePasswordChangeMiddleware:
    """Send a user who must change their password to the change form: checked only
    where the page is about the user anyway, so /healthz, static files and the save
    (which checks the flag in its own statement) never read the user row."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if (
            request.path.startswith(_EXEMPT_PREFIXES)
            or getattr(view_func, "checks_user_itself", False)
            or session_user_id(request) is None  # anonymous: no row to read
        ):
            return None
        return password_change_refusal(request)
