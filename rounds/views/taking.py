"""Starting an attempt, its page and the save of each click."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.middleware import (
    adopt_session_user,
    checks_user_itself,
    password_change_refusal,
    remember_credential,
    session_login_required,
    session_owner,
    session_user_id,
)
from accounts.models import User
from accounts.phone_views import phone_verify_url
from contest_portal.ratelimit import ratelimit
from rounds import attempt_reads, eligibility, rendering, scoring, services
from rounds.addresses import attempt_url
from rounds.forms import SaveData, SubmitForm, parse_save
from rounds.models import Attempt, Round

# What a start comes to: a started (or resumed) attempt, a page to go to instead
# (login, the password form, the contest page), or the reason it was refused.
StartOutcome = services.StartResult | HttpResponse | ValidationError


@checks_user_itself
@require_http_methods(["GET", "POST"])
@ratelimit("attempt-start", user_key=session_user_id)
def attempt_start(request: HttpRequest, round_id: int) -> HttpResponse:
    round_, outcome = _start_as_session_user(request, round_id) or _start(
        request, round_id
    )
    if isinstance(outcome, HttpResponse):
        return outcome
    if isinstance(outcome, ValidationError):  # rolled back: nothing changed
        contest_url = reverse(
            "rounds:contest-detail", kwargs={"slug": round_.contest.slug}
        )
        messages.error(request, outcome.messages[0])
        if outcome.code == eligibility.PHONE_NOT_VERIFIED:
            return redirect(phone_verify_url(contest_url))
        return redirect(contest_url)
    if outcome.resumed:
        messages.info(request, _("Bạn đang có một bài thi chưa nộp: tiếp tục làm bài."))
    elif outcome.shortened:
        messages.warning(
            request,
            _(
                "Tuần thi sắp đóng: bạn chỉ còn ít thời gian hơn thời gian làm bài quy định."
            ),
        )
    if outcome.attempt.is_practice:
        messages.warning(
            request, _("Đây là bài thi thử: kết quả không được xếp hạng, trao giải.")
        )
    # Not redirect(): given an address, it tries it as a view name first.
    return HttpResponseRedirect(
        attempt_url("rounds:attempt", outcome.attempt.public_id)
    )


def _start_as_session_user(
    request: HttpRequest, round_id: int
) -> tuple[Round, StartOutcome] | None:
    """The common start, a POST of a signed-in contestant: the round with its
    contest and the session's user with their unit in one statement, the session
    verified against that row as Django would (adopt_session_user), then the
    attempt stored by one more statement where it is the person's next with none
    open (services.attempt_start_first), else under the person's lock
    (services.attempt_start). None when that does not apply (no such published
    round, a session Django would not accept, a GET): _start decides, as it always
    has."""
    user_id = session_user_id(request)
    if request.method != "POST" or user_id is None or not user_id.isdigit():
        return None
    read = attempt_reads.round_and_user(round_id=round_id, user_id=int(user_id))
    if read is None or not adopt_session_user(request, read[1]):
        return None
    round_, user = read
    refusal = password_change_refusal(request)
    if refusal is not None:
        return round_, refusal
    return round_, _started(user, round_)


def _start(request: HttpRequest, round_id: int) -> tuple[Round, StartOutcome]:
    """The start with the round read alone and the user as Django's session check
    gives it (it ends a session it no longer accepts)."""
    round_ = attempt_reads.round_get_published(round_id)
    if round_ is None:
        raise Http404
    if not request.user.is_authenticated:
        contest_url = reverse(
            "rounds:contest-detail", kwargs={"slug": round_.contest.slug}
        )
        return round_, redirect(f"{reverse('accounts:login')}?next={contest_url}")
    refusal = password_change_refusal(request)
    if refusal is not None or request.method == "GET":
        return round_, refusal or redirect(
            "rounds:contest-detail", slug=round_.contest.slug
        )
    return round_, _started(request.user, round_)


def _started(user: User, round_: Round) -> StartOutcome:
    """The attempt started by one statement where it is the person's next with none
    open (services.attempt_start_first), else under the person's lock
    (services.attempt_start); the refusal, where there is one."""
    try:
        return services.attempt_start_first(
            user=user, round_=round_
        ) or services.attempt_start(user=user, round_=round_)
    except ValidationError as error:
        return error


def _own_attempt(request: HttpRequest, public_id: str) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("round__contest"),
        public_id=public_id,
        user=request.user,
    )


def identified_attempt(
    request: HttpRequest,
    public_id: str,
    *,
    read: Callable[..., Attempt | None] = attempt_reads.attempt_get_own,
) -> Attempt | HttpResponse:
    """The attempt named in the URL if it is the session's user's, read together with
    that user in one statement (by ``read``: one of attempt_reads' own-attempt
    readers, locked or without the answers), the session verified against it as
    Django would (adopt_session_user). Otherwise what login_required and the
    password-change rule answer, or 404 for an attempt that is not the user's."""
    user_id = session_user_id(request)
    if user_id is None:
        return redirect_to_login(request.get_full_path())
    attempt = (
        read(public_id=public_id, user_id=int(user_id)) if user_id.isdigit() else None
    )
    if attempt is None or not adopt_session_user(request, attempt.user):
        # Django's own check decides (and ends a session it no longer accepts).
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if attempt is None:
            raise Http404
        attempt.user = request.user
    return password_change_refusal(request) or attempt


def identified_attempt_now(
    request: HttpRequest,
    public_id: str,
    *,
    read: Callable[..., Attempt | None] = attempt_reads.attempt_get_own,
) -> Attempt | HttpResponse:
    """identified_attempt, finished at its deadline first if that has passed: the
    attempt as its page and its result show it."""
    attempt = identified_attempt(request, public_id, read=read)
    if isinstance(attempt, HttpResponse):
        return attempt
    return services.attempt_finish_if_expired(attempt=attempt)


@checks_user_itself
@never_cache
@require_GET
def attempt_page(request: HttpRequest, public_id: str) -> HttpResponse:
    attempt = identified_attempt_now(request, public_id)
    if isinstance(attempt, HttpResponse):
        return attempt
    if attempt.status != Attempt.Status.OPEN:
        return HttpResponseRedirect(
            attempt_url("rounds:attempt-result", attempt.public_id)
        )
    # The user is loaded (and the session verified) here anyway: from its first
    # click, the page's saves take the one statement.
    remember_credential(request)
    return render(
        request, "rounds/attempt_take.html", _take_context(attempt), using="jinja2"
    )


def _take_context(attempt: Attempt, form: SubmitForm | None = None) -> dict:
    now = timezone.now()
    nav_html, questions_html, answered = rendering.attempt_questions_html(
        attempt=attempt, posted=form.posted_answers() if form is not None else None
    )
    remaining_ms = max(int((attempt.deadline - now).total_seconds() * 1000), 0)
    # Shown three times, in Vietnam's time as the |date filter would show it, but
    # formatted once (the filter was 6% of the page's CPU in the bench's profile).
    deadline = timezone.localtime(attempt.deadline)
    return {
        "attempt": attempt,
        "round": attempt.round,
        "nav_html": nav_html,
        "questions_html": questions_html,
        "question_count": len(attempt.draw),
        "answered": answered,
        "remaining_ms": remaining_ms,
        "remaining_text": scoring.format_duration(remaining_ms),
        "deadline_clock": f"{deadline:%H:%M:%S}",  # as "H:i:s"
        "deadline_day": f"{deadline:%d/%m/%Y}",  # as "d/m/Y"
        "shortened": services.attempt_is_shortened(attempt=attempt),
        # As {% widthratio time_limit_seconds 60 1 %} rounds it.
        "time_limit_minutes": round(attempt.round.time_limit_seconds / 60),
        "form": form,
        "seq_base": max((entry[1] for entry in attempt.answers if entry), default=0),
    }


@checks_user_itself
@require_POST
@session_login_required
@ratelimit("attempt-save", as_json=True, user_key=session_user_id)
def attempt_save(request: HttpRequest, public_id: str) -> JsonResponse:
    """One click, saved in one statement whose WHERE holds every rule; when it
    matches nothing, the explained path says why, as it always has."""
    data = parse_save(request.POST)
    owner = session_owner(request)
    if (
        owner is not None
        and data is not None
        and services.attempt_save_direct(
            public_id=public_id,
            user_id=owner[0],
            credential=owner[1],
            seq=data.seq,
            position=data.position,
            shown_choice=data.choice,
            prediction=data.prediction,
        )
    ):
        return JsonResponse({"ok": True, "seq": data.seq})
    return _attempt_save_explained(request, public_id, data)


def _attempt_save_explained(
    request: HttpRequest, public_id: str, data: SaveData | None
) -> HttpResponse:
    """The save with the user loaded and the attempt read under lock: applies what
    the one statement could not decide, or refuses with the reason."""
    if not request.user.is_authenticated:  # the session ended (password, logout)
        return redirect_to_login(request.get_full_path())
    refusal = password_change_refusal(request)
    if refusal is not None:
        return refusal
    remember_credential(request)  # the next save takes the one statement
    if data is None:
        _own_attempt(request, public_id)  # someone else's attempt: 404, as always
        return JsonResponse(
            {"ok": False, "error": _("Dữ liệu không hợp lệ.")}, status=400
        )
    try:
        services.attempt_save_own(
            public_id=public_id,
            user=request.user,
            seq=data.seq,
            position=data.position,
            shown_choice=data.choice,
            prediction=data.prediction,
        )
    except Attempt.DoesNotExist as error:
        raise Http404 from error
    except services.AttemptExpiredError as error:
        return JsonResponse(
            {"ok": False, "error": error.messages[0], "finished": True}, status=409
        )
    except ValidationError as error:
        finished = error.code in {"attempt_finished", "attempt_voided"}
        stale = error.code == "stale_save"
        return JsonResponse(
            {
                "ok": False,
                "error": error.messages[0],
                "finished": finished,
                "stale": stale,
            },
            status=409 if finished or stale else 400,
        )
    return JsonResponse({"ok": True, "seq": data.seq})
