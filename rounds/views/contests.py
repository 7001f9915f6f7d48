"""The contest pages and registering for a contest."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.phone_views import phone_verify_url
from accounts.views import (
    register_user_from_form,
    registration_form,
    registration_page,
    registration_rate_key,
    safe_next,
)
from awards.selectors import (
    contest_rules_in_words,
)
from contest_portal.ratelimit import ratelimit
from rounds import contest_reads, page_cache, selectors, services
from rounds.models import Contest


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
        return contest_page(request, contest_reads.contest_shown_of(contests[0]), now)
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


def contest_page(
    request: HttpRequest, shown: contest_reads.ContestShown, now
) -> HttpResponse:
    contest, rounds = shown.contest, shown.rounds
    current = selectors.round_current_or_next(rounds=rounds, now=now)
    response = render(
        request,
        "rounds/contest_detail.html",
        {
            "contest": contest,
            "rounds": [(r, selectors.round_status(round_=r, now=now)) for r in rounds],
            "current": current,
            "current_open": current is not None and current.opens_at <= now,
            "tiers": shown.tiers,
            "rules_words": contest_rules_in_words(contest=contest, rounds=rounds),
            "now": now,
        },
    )
    response.fresh_for = page_cache.fresh_for(
        boundaries=[t for r in rounds for t in (r.opens_at, r.closes_at)], now=now
    )
    return response


@require_GET
@page_cache.anonymous_page
def contest_detail(request: HttpRequest, slug: str) -> HttpResponse:
    shown = contest_reads.contest_shown_get(slug=slug)
    if shown is None:
        raise Http404
    return contest_page(request, shown, timezone.now())


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
