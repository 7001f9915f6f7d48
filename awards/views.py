from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.normalize import clean_text
from awards import selectors
from awards.paper import full_url
from rounds.models import Contest, Round
from rounds.scoring import format_duration

PAGE_SIZE = 100


@require_GET
def round_results(request: HttpRequest, round_id: int) -> HttpResponse:
    """The approved winners and full ranking of a round, public, without personal data."""
    round_ = get_object_or_404(
        Round.objects.select_related("contest"), pk=round_id, contest__is_published=True
    )
    result = selectors.result_get_published(round_=round_)
    now = timezone.now()
    context = {
        "round": round_,
        "contest": round_.contest,
        "result": result,
        "revoked": selectors.revoked_results(round_=round_),
    }
    if result is not None:
        search = selectors.result_search_words(request.GET.get("tim"))
        page = Paginator(
            selectors.result_rows_public(result=result, search=search), PAGE_SIZE
        ).get_page(request.GET.get("trang"))
        for row in page.object_list:
            row["duration_text"] = format_duration(row["duration_ms"])
        context["page"] = page
        context["search"] = search
        # The typed words, as shown back in the box and kept by the pager's links.
        context["search_typed"] = (
            clean_text(request.GET.get("tim"))[: selectors.SEARCH_MAX_CHARS]
            if search
            else ""
        )
        context["rules_words"] = selectors.result_rules_in_words(result=result)
        context["winners"] = list(
            selectors.result_rows_public(result=result).exclude(prize_name="")
        )
        if request.user.is_authenticated:
            mine = selectors.result_row_of_user(result=result, user_id=request.user.pk)
            if mine:
                mine["duration_text"] = format_duration(mine["duration_ms"])
            context["mine"] = mine
    elif round_.opens_at <= now < round_.closes_at:
        rules = selectors.ranking_rules_get(contest=round_.contest)
        if rules.live_leaderboard:
            rows = selectors.leaderboard_top(round_=round_, now=now)
            if rows is None:
                context["leaderboard_pending"] = True
            else:
                for row in rows:
                    row["duration_text"] = format_duration(row["duration_ms"])
                context["leaderboard"] = rows
    return render(request, "awards/round_results.html", context)


@require_GET
def unit_results(request: HttpRequest, slug: str) -> HttpResponse:
    """The approved collective prizes and unit ranking of a contest."""
    contest = get_object_or_404(Contest, slug=slug, is_published=True)
    result = selectors.unit_result_get_published(contest=contest)
    rows = (
        list(result.rows.order_by("group_name", "rank", "unit_name")) if result else []
    )
    return render(
        request,
        "awards/unit_results.html",
        {
            "contest": contest,
            "result": result,
            "rows": rows,
            "rules_words": selectors.unit_result_rules_in_words(result=result)
            if result
            else [],
        },
    )


@require_GET
def result_share(request: HttpRequest, row_id: str, share_token: str) -> HttpResponse:
    """One person's line of an approved list, public by its id and unguessable
    token, with the preview tags chat apps read: nothing the public ranking does
    not show."""
    row = selectors.result_row_shared(row_id=int(row_id), token=share_token)
    if row is None:
        raise Http404
    row["duration_text"] = format_duration(row["duration_ms"])
    return render(
        request,
        "awards/result_share.html",
        {
            "row": row,
            "share_url": _absolute(
                request,
                reverse(
                    "awards:result-share",
                    kwargs={"row_id": row_id, "share_token": share_token},
                ),
            ),
            "results_url": reverse(
                "awards:round-results", kwargs={"round_id": row["result__round_id"]}
            ),
        },
    )


def _absolute(request: HttpRequest, path: str) -> str:
    """The full address chat apps fetch: the site's own, else the one asked for."""
    return full_url(path) if settings.SITE_URL else request.build_absolute_uri(path)
