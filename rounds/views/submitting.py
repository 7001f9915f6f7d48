"""Submitting an attempt, its result and the list of one's attempts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.middleware import (
    checks_user_itself,
    session_login_required,
    session_user_id,
)
from awards.rules_text import COUNTED_LABELS
from awards.selectors import (
    RoundRanking,
    attempt_get_own_ranked,
    counted_attempt_of,
    result_row_of_user,
    result_standings_of_user,
)
from contest_portal.ratelimit import ratelimit
from rounds import attempt_reads, scoring, selectors, services
from rounds.addresses import attempt_url
from rounds.forms import SubmitForm
from rounds.models import Attempt
from rounds.views.taking import (
    _own_attempt,
    _take_context,
    identified_attempt,
    identified_attempt_now,
)


@checks_user_itself
@require_POST
@session_login_required
@ratelimit("attempt-submit", user_key=session_user_id)
def attempt_submit(request: HttpRequest, public_id: str) -> HttpResponse:
    """The final submit: the summary's confirmation, or the page's script at the deadline.

    The attempt is read once with its user, without a lock, and finished by one
    statement if nothing changed it since (else under its lock: attempt_submit)."""
    attempt = identified_attempt(
        request, public_id, read=attempt_reads.attempt_get_own_as_read
    )
    if isinstance(attempt, HttpResponse):
        return attempt
    form = SubmitForm(request.POST, question_count=attempt.question_count)
    if not form.is_valid():
        return _refused(request, attempt, form)
    return _submit(request, attempt, form, as_read=True)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@ratelimit("attempt-submit")
def attempt_summary(request: HttpRequest, public_id: str) -> HttpResponse:
    """The "Nộp bài" step without a script: save what the page posted, then say what
    is still unanswered before the contestant confirms; a complete one is submitted."""
    attempt = _own_attempt(request, public_id)
    if request.method == "GET":
        return HttpResponseRedirect(attempt_url("rounds:attempt", attempt.public_id))
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
        return HttpResponseRedirect(
            attempt_url("rounds:attempt-result", attempt.public_id)
        )
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


def _submit(
    request: HttpRequest, attempt: Attempt, form: SubmitForm, *, as_read: bool = False
) -> HttpResponse:
    """Submit what the form posted; ``as_read``: as attempt_submit's."""
    try:
        attempt = services.attempt_submit(
            attempt=attempt,
            answers=form.cleaned_data["answers"],
            prediction=form.cleaned_data["prediction"],
            as_read=as_read,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _refused(request, attempt, form)
    return _submitted(request, attempt)


def _submitted(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    if attempt.finished_by == Attempt.FinishedBy.DEADLINE:
        messages.warning(
            request,
            _(
                "Bài nộp sau thời hạn: bài thi được chấm theo các câu trả lời "
                "đã lưu trước khi hết giờ."
            ),
        )
    return HttpResponseRedirect(attempt_url("rounds:attempt-result", attempt.public_id))


def _refused(request: HttpRequest, attempt: Attempt, form: SubmitForm) -> HttpResponse:
    """The page again with its errors, every posted answer ticked and the prediction
    as typed. A refused request changes nothing: the answers are still on the
    contestant's screen, to send again."""
    attempt.refresh_from_db()
    if attempt.status != Attempt.Status.OPEN:
        return HttpResponseRedirect(
            attempt_url("rounds:attempt-result", attempt.public_id)
        )
    return render(
        request,
        "rounds/attempt_take.html",
        _take_context(attempt, form),
        status=400,
        using="jinja2",
    )


_FINISHED_BY = dict(Attempt.FinishedBy.choices)


@checks_user_itself
@require_GET
def attempt_result(request: HttpRequest, public_id: str) -> HttpResponse:
    # The attempt with the contest's ranking rules, the round's result and the
    # person's attempts in the round, read in one statement.
    ranked: list[tuple[RoundRanking, list[Attempt]]] = []

    def read(*, public_id: str, user_id: int) -> Attempt | None:
        found = attempt_get_own_ranked(public_id=public_id, user_id=user_id)
        if found is None:
            return None
        ranked.append(found[1:])
        return found[0]

    attempt = identified_attempt_now(request, public_id, read=read)
    if isinstance(attempt, HttpResponse):
        return attempt
    if attempt.status == Attempt.Status.OPEN:
        return HttpResponseRedirect(attempt_url("rounds:attempt", attempt.public_id))
    round_ = attempt.round
    now = timezone.now()
    ranking_settings, attempts = ranked[0]
    # This attempt as it is now: finished just above if its time had run out.
    attempts = [attempt if a.pk == attempt.pk else a for a in attempts]
    used = len(attempts)
    counted, policy = counted_attempt_of(
        round_=round_, attempts=attempts, settings=ranking_settings
    )
    review = selectors.round_review_allowed(round_=round_, now=now)
    questions = (
        selectors.attempt_questions(
            attempt=attempt_reads.attempt_with_answers(attempt),
            withhold=selectors.questions_still_drawable(now=now),
        )
        if review
        else []
    )
    # Where one stands: read from the approved list only, never from the live data.
    published = None if attempt.is_practice else ranking_settings.published
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
            # What get_finished_by_display gives, without the dict of every choice it
            # builds (and translates) on each call.
            "finished_by": _FINISHED_BY.get(attempt.finished_by, attempt.finished_by),
            "round_open": services.round_is_open(round_=round_, now=now),
            "review": review,
            "questions": questions,
            "withheld": sum(q.answer_withheld for q in questions),
        },
        using="jinja2",
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
