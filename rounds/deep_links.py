"""Stable addresses another app can open (a province's citizen app, a news item):
a contest's current round, and the signed-in contestant's latest result in a
contest. Each lands on the page that already does the work; nothing is started
by a GET, so a link can never spend an attempt."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rounds import selectors
from rounds.models import Attempt, Contest


def _contest_url(contest: Contest) -> str:
    return reverse("rounds:contest-detail", kwargs={"slug": contest.slug})


@require_GET
def current_round(request: HttpRequest, slug: str) -> HttpResponse:
    """The open round's "Vào thi", or the unfinished attempt; else the contest."""
    contest = get_object_or_404(selectors.contest_get_published(slug=slug))
    now = timezone.now()
    current = selectors.round_current_or_next(
        rounds=list(contest.rounds.all()), now=now
    )
    if current is None or current.opens_at > now:
        if current is None:
            message = _("Cuộc thi hiện không có tuần thi nào đang mở.")
        else:
            message = _("Chưa đến giờ thi: %(round)s mở lúc %(time)s.") % {
                "round": current.name,
                "time": dateformat.format(
                    timezone.localtime(current.opens_at), "H:i d/m/Y"
                ),
            }
        messages.info(request, message)
        return redirect(_contest_url(contest))
    if not request.user.is_authenticated:
        login = reverse("accounts:login")
        return redirect(f"{login}?{urlencode({'next': request.path})}")
    attempt = selectors.attempt_open_in_round(user=request.user, round_=current)
    if attempt is not None:
        return redirect("rounds:attempt", public_id=attempt.public_id)
    return redirect(_contest_url(contest) + "#vao-thi")


@login_required
@require_GET
def my_latest_result(request: HttpRequest, slug: str) -> HttpResponse:
    """The result page of the contestant's latest submitted attempt in the contest."""
    contest = get_object_or_404(Contest, slug=slug, is_published=True)
    attempt = (
        Attempt.objects.filter(
            user=request.user, round__contest=contest, status=Attempt.Status.FINISHED
        )
        .only("public_id")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if attempt is None:
        messages.info(request, _("Bạn chưa nộp bài thi nào trong cuộc thi này."))
        return redirect(_contest_url(contest))
    return redirect("rounds:attempt-result", public_id=attempt.public_id)
