from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.middleware import (
    checks_user_itself,
    password_change_refusal,
    remember_credential,
    session_login_required,
    session_owner,
    session_user_id,
)
from accounts.phone_views import phone_verify_url
from accounts.views import (
    register_user_from_form,
    registration_form,
    registration_page,
    registration_rate_key,
    safe_next,
)
from awards.rules_text import COUNTED_LABELS
from awards.selectors import (
    contest_rules_in_words,
    counted_attempt_of,
    result_get_published,
    result_row_of_user,
    result_standings_of_user,
)
from contest_portal.ratelimit import ratelimit
from rounds import eligibility, page_cache, rendering, scoring, selectors, services
from rounds.forms import SaveForm, SubmitForm
from rounds.models import Attempt, Contest, Round


def _boundaries(contests) -> list:
    return [
        t for c in contests for r in c.rounds.all() for t in (r.opens_at, r.closes_at)
    ]


@require_GET
@page_cache.anonymous_page
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    contests = list(selectors.contest_list_home(now=now))
    if len(contests) == 1 and not request.GET.get("tat-ca"):
        return contest_page(request, contests[0], now)
    response = render(
        request,
        "rounds/contest_list.html",
        {
            "contests": [
                (
                    c,
                    selectors.round_current_or_next(
                        rounds=list(c.rounds.all()), now=now
                    ),
                )
                for c in contests
            ],
            "past": selectors.contest_list_past(now=now),
            "now": now,
        },
    )
    response.fresh_for = page_cache.fresh_for(boundaries=_boundaries(contests), now=now)
    return response


def contest_page(request: HttpRequest, contest: Contest, now) -> HttpResponse:
    rounds = list(contest.rounds.all())
    current = selectors.round_current_or_next(rounds=rounds, now=now)
    response = render(
        request,
        "rounds/contest_detail.html",
        {
            "contest": contest,
            "rounds": [(r, selectors.round_status(round_=r, now=now)) for r in rounds],
            "current": current,
            "current_open": current is not None and current.opens_at <= now,
            "tiers": list(contest.prize_tiers.all()),
            "rules_words": contest_rules_in_words(contest=contest),
            "now": now,
        },
    )
    response.fresh_for = page_cache.fresh_for(
        boundaries=_boundaries([contest]), now=now
    )
    return response


@require_GET
@page_cache.anonymous_page
def contest_detail(request: HttpRequest, slug: str) -> HttpResponse:
    contest = get_object_or_404(selectors.contest_get_published(slug=slug))
    return contest_page(request, contest, timezone.now())


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """Register for the one running contest, so its conditions apply; else plainly."""
    contests = list(selectors.contest_list_home(now=timezone.now())[:2])
    if len(contests) == 1:
        target = reverse("rounds:contest-register", kwargs={"slug": contests[0].slug})
    else:
        target = reverse("accounts:register")
    query = request.GET.urlencode()
    return redirect(f"{target}?{query}" if query else target)


@require_http_methods(["GET", "POST"])
@ratelimit("register", user_key=registration_rate_key)
def contest_register(request: HttpRequest, slug: str) -> HttpResponse:
    """Register for a contest: the account form plus the contest's own conditions."""
    contest = get_object_or_404(Contest, slug=slug, is_published=True)
    if request.user.is_authenticated:
        return redirect("rounds:contest-detail", slug=contest.slug)
    form = registration_form(request, require_citizen_id=contest.require_citizen_id)
    if request.method == "POST" and form.is_valid():
        problem = services.registration_problem(
            contest=contest,
            date_of_birth=form.cleaned_data["date_of_birth"],
            unit=form.cleaned_data["unit"],
            now=timezone.now(),
            occupation=form.cleaned_data.get("occupation") or "",
            nationality=form.cleaned_data.get("nationality") or "VN",
        )
        if problem:
            form.add_error(problem.field, problem.message)
        elif register_user_from_form(request, form):
            default = reverse("rounds:contest-detail", kwargs={"slug": contest.slug})
            target = safe_next(request, default)
            if contest.require_phone_verification:
                return redirect(phone_verify_url(target))
            return redirect(target)
    return registration_page(request, form, contest)


@require_http_methods(["GET", "POST"])
@ratelimit("attempt-start")
def attempt_start(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = get_object_or_404(
        Round.objects.select_related("contest"), pk=round_id, contest__is_published=True
    )
    contest_url = reverse("rounds:contest-detail", kwargs={"slug": round_.contest.slug})
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={contest_url}")
    if request.method == "GET":
        return redirect(contest_url)
    try:
        result = services.attempt_start(user=request.user, round_=round_)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        if error.code == eligibility.PHONE_NOT_VERIFIED:
            return redirect(phone_verify_url(contest_url))
        return redirect(contest_url)
    if result.resumed:
        messages.info(request, _("Bạn đang có một bài thi chưa nộp: tiếp tục làm bài."))
    elif result.shortened:
        messages.warning(
            request,
            _(
                "Tuần thi sắp đóng: bạn chỉ còn ít thời gian hơn thời gian làm bài quy định."
            ),
        )
    if result.attempt.is_practice:
        messages.warning(
            request, _("Đây là bài thi thử: kết quả không được xếp hạng, trao giải.")
        )
    return redirect("rounds:attempt", public_id=result.attempt.public_id)


def _own_attempt(request: HttpRequest, public_id: str) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("round__contest"),
        public_id=public_id,
        user=request.user,
    )


@never_cache
@login_required
@require_GET
def attempt_page(request: HttpRequest, public_id: str) -> HttpResponse:
    attempt = services.attempt_finish_if_expired(
        attempt=_own_attempt(request, public_id)
    )
    if attempt.status != Attempt.Status.OPEN:
        return redirect("rounds:attempt-result", public_id=attempt.public_id)
    # The user is loaded (and the session verified) here anyway: from its first
    # click, the page's saves take the one statement.
    remember_credential(request)
    return render(request, "rounds/attempt_take.html", _take_context(attempt))


def _take_context(attempt: Attempt, form: SubmitForm | None = None) -> dict:
    now = timezone.now()
    nav_html, questions_html, answered = rendering.attempt_questions_html(
        attempt=attempt, posted=form.posted_answers() if form is not None else None
    )
    remaining_ms = max(int((attempt.deadline - now).total_seconds() * 1000), 0)
    return {
        "attempt": attempt,
        "round": attempt.round,
        "nav_html": nav_html,
        "questions_html": questions_html,
        "question_count": len(attempt.draw),
        "answered": answered,
        "remaining_ms": remaining_ms,
        "remaining_text": scoring.format_duration(remaining_ms),
        "shortened": services.attempt_is_shortened(attempt=attempt),
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
    form = SaveForm(request.POST)
    owner = session_owner(request)
    if owner is not None and form.is_valid():
        data = form.cleaned_data
        if services.attempt_save_direct(
            public_id=public_id,
            user_id=owner[0],
            credential=owner[1],
            seq=data["seq"],
            position=data["position"],
            shown_choice=data["choice"],
            prediction=data["prediction"],
        ):
            return JsonResponse({"ok": True, "seq": data["seq"]})
    return _attempt_save_explained(request, public_id, form)


def _attempt_save_explained(
    request: HttpRequest, public_id: str, form: SaveForm
) -> HttpResponse:
    """The save with the user loaded and the attempt read under lock: applies what
    the one statement could not decide, or refuses with the reason."""
    if not request.user.is_authenticated:  # the session ended (password, logout)
        return redirect_to_login(request.get_full_path())
    refusal = password_change_refusal(request)
    if refusal is not None:
        return refusal
    remember_credential(request)  # the next save takes the one statement
    if not form.is_valid():
        _own_attempt(request, public_id)  # someone else's attempt: 404, as always
        return JsonResponse(
            {"ok": False, "error": _("Dữ liệu không hợp lệ.")}, status=400
        )
    data = form.cleaned_data
    try:
        services.attempt_save_own(
            public_id=public_id,
            user=request.user,
            seq=data["seq"],
            position=data["position"],
            shown_choice=data["choice"],
            prediction=data["prediction"],
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
    return JsonResponse({"ok": True, "seq": data["seq"]})


@login_required
@require_POST
@ratelimit("attempt-submit")
def attempt_submit(request: HttpRequest, public_id: str) -> HttpResponse:
    """The final submit: the summary's confirmation, or the page's script at the deadline."""
    attempt = _own_attempt(request, public_id)
    form = SubmitForm(request.POST, question_count=attempt.question_count)
    if not form.is_valid():
        return _refused(request, attempt, form)
    return _submit(request, attempt, form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@ratelimit("attempt-submit")
def attempt_summary(request: HttpRequest, public_id: str) -> HttpResponse:
    """The "Nộp bài" step without a script: save what the page posted, then say what
    is still unanswered before the contestant confirms; a complete one is submitted."""
    attempt = _own_attempt(request, public_id)
    if request.method == "GET":
        return redirect("rounds:attempt", public_id=attempt.public_id)
    form = SubmitForm(request.POST, question_count=attempt.question_count)
    if not form.is_valid():
        return _refused(request, attempt, form)
    try:
        attempt = services.attempt_save_posted(
            attempt=attempt,
            answers=form.cleaned_data["answers"],
            prediction=form.cleaned_data["prediction"],
        )
    except services.AttemptExpiredError as error:
        messages.warning(request, error.messages[0])
        return redirect("rounds:attempt-result", public_id=attempt.public_id)
    except ValidationError as error:
        form.add_error(None, error)
        return _refused(request, attempt, form)
    unanswered = [n for n, entry in enumerate(attempt.answers, 1) if entry is None]
    prediction_missing = attempt.round.has_prediction and attempt.prediction is None
    if not unanswered and not prediction_missing:
        # Nothing to warn about: a confirmation would only add to the ranked duration.
        return _submit(request, attempt, form)
    return render(
        request,
        "rounds/attempt_summary.html",
        {
            "attempt": attempt,
            "round": attempt.round,
            "question_count": len(attempt.draw),
            "unanswered": unanswered,
            "prediction_missing": prediction_missing,
            "resend": _resend_fields(form),
        },
    )


def _resend_fields(form: SubmitForm) -> list[tuple[str, str]]:
    """The posted answers as hidden fields, so the confirmation sends them again."""
    fields = [
        (f"q{position}", str(shown))
        for position, shown in sorted(form.cleaned_data["answers"].items())
    ]
    if form.cleaned_data["prediction"] is not None:
        fields.append(("prediction", str(form.cleaned_data["prediction"])))
    return fields


def _submit(request: HttpRequest, attempt: Attempt, form: SubmitForm) -> HttpResponse:
    try:
        attempt = services.attempt_submit(
            attempt=attempt,
            answers=form.cleaned_data["answers"],
            prediction=form.cleaned_data["prediction"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _refused(request, attempt, form)
    if attempt.finished_by == Attempt.FinishedBy.DEADLINE:
        messages.warning(
            request,
            _(
                "Bài nộp sau thời hạn: bài thi được chấm theo các câu trả lời "
                "đã lưu trước khi hết giờ."
            ),
        )
    return redirect("rounds:attempt-result", public_id=attempt.public_id)


def _refused(request: HttpRequest, attempt: Attempt, form: SubmitForm) -> HttpResponse:
    """The page again with its errors, every posted answer ticked and the prediction
    as typed. A refused request changes nothing: the answers are still on the
    contestant's screen, to send again."""
    attempt.refresh_from_db()
    if attempt.status != Attempt.Status.OPEN:
        return redirect("rounds:attempt-result", public_id=attempt.public_id)
    return render(
        request, "rounds/attempt_take.html", _take_context(attempt, form), status=400
    )


@login_required
@require_GET
def attempt_result(request: HttpRequest, public_id: str) -> HttpResponse:
    attempt = services.attempt_finish_if_expired(
        attempt=_own_attempt(request, public_id)
    )
    if attempt.status == Attempt.Status.OPEN:
        return redirect("rounds:attempt", public_id=attempt.public_id)
    round_ = attempt.round
    now = timezone.now()
    attempts = selectors.attempts_in_round(user=request.user, round_=round_)
    used = len(attempts)
    counted, policy = counted_attempt_of(round_=round_, attempts=attempts)
    review = selectors.round_review_allowed(round_=round_, now=now)
    questions = (
        selectors.attempt_questions(
            attempt=attempt, withhold=selectors.questions_still_drawable(now=now)
        )
        if review
        else []
    )
    # Where one stands: read from the approved list only, never from the live data.
    published = None if attempt.is_practice else result_get_published(round_=round_)
    standing = (
        result_row_of_user(result=published, user_id=request.user.pk)
        if published
        else None
    )
    score_share = attempt.correct_count / (attempt.question_count or 1)
    return render(
        request,
        "rounds/attempt_result.html",
        {
            "attempt": attempt,
            "round": round_,
            "published": published,
            "standing": standing,
            "standing_attempt": next(
                (a for a in attempts if standing and a.pk == standing["attempt_id"]),
                None,
            ),
            "score_level": "good"
            if score_share >= 0.8
            else "fair"
            if score_share >= 0.5
            else "low",
            "duration_text": scoring.format_duration(attempt.duration_ms or 0),
            "used": used,
            "left": (round_.max_attempts - used) if round_.max_attempts else None,
            "counted": counted,
            "counted_label": COUNTED_LABELS[policy],
            "round_open": services.round_is_open(round_=round_, now=now),
            "review": review,
            "questions": questions,
            "withheld": sum(q.answer_withheld for q in questions),
        },
    )


@login_required
@require_GET
def attempt_list(request: HttpRequest) -> HttpResponse:
    attempts = [
        services.attempt_finish_if_expired(attempt=attempt)
        if attempt.status == Attempt.Status.OPEN
        else attempt
        for attempt in selectors.attempt_list_for_user(user=request.user)
    ]
    # The approved lists of every round at once: two queries, however many rounds.
    standings = result_standings_of_user(
        user_id=request.user.pk,
        round_ids={a.round_id for a in attempts if not a.is_practice},
    )
    for attempt in attempts:
        attempt.duration_text = scoring.format_duration(attempt.duration_ms or 0)
        score_share = (attempt.correct_count or 0) / (attempt.question_count or 1)
        attempt.score_level = (
            "good" if score_share >= 0.8 else "fair" if score_share >= 0.5 else "low"
        )
        attempt.list_approved = attempt.round_id in standings
        attempt.standing = standings.get(attempt.round_id)
    return render(request, "rounds/attempt_list.html", {"attempts": attempts})
