from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.phone_views import phone_verify_url
from accounts.views import (
    register_user_from_form,
    registration_form,
    registration_page,
    registration_rate_key,
    safe_next,
)
from awards.rules_text import COUNTED_LABELS
from awards.selectors import contest_rules_in_words, counted_attempt_of
from contest_portal.ratelimit import ratelimit
from rounds import eligibility, page_cache, rendering, scoring, selectors, services
from rounds.forms import SaveForm, SubmitForm
from rounds.models import Attempt, Contest, Round


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


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
    return render(request, "rounds/attempt_take.html", _take_context(attempt))


def _take_context(attempt: Attempt, form: SubmitForm | None = None) -> dict:
    now = timezone.now()
    nav_html, questions_html, answered = rendering.attempt_questions_html(
        attempt=attempt
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


@login_required
@require_POST
@ratelimit("attempt-save", as_json=True)
def attempt_save(request: HttpRequest, public_id: str) -> JsonResponse:
    form = SaveForm(request.POST)
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
    attempt = _own_attempt(request, public_id)
    form = SubmitForm(request.POST, question_count=attempt.question_count)
    if form.is_valid():
        try:
            attempt = services.attempt_submit(
                attempt=attempt,
                answers=form.cleaned_data["answers"],
                prediction=form.cleaned_data["prediction"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if attempt.finished_by == Attempt.FinishedBy.DEADLINE:
                messages.warning(
                    request,
                    _(
                        "Bài nộp sau thời hạn: bài thi được chấm theo các câu trả lời "
                        "đã lưu trước khi hết giờ."
                    ),
                )
            return redirect("rounds:attempt-result", public_id=attempt.public_id)
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
    return render(
        request,
        "rounds/attempt_result.html",
        {
            "attempt": attempt,
            "round": round_,
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
    for attempt in attempts:
        attempt.duration_text = scoring.format_duration(attempt.duration_ms or 0)
    return render(request, "rounds/attempt_list.html", {"attempts": attempts})
