from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from contest_portal.converters import row_id
from contest_portal.db_router import replica_reads
from reports.dashboard import dashboard_get, unit_members_participation
from reports.dashboard_units import unit_tables_get
from rounds.models import Contest, Round


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    with replica_reads():  # aggregate figures: a replica's small lag is fine
        return _dashboard(request)


def _dashboard(request: HttpRequest) -> HttpResponse:
    """Whole-contest figures for the committee; a unit manager sees only their unit."""
    user = request.user
    if user.has_perm("reports.view_dashboard"):
        scope = None
    elif user.managed_unit_id:
        scope = user.managed_unit
    else:
        raise PermissionDenied
    contests = list(Contest.objects.order_by("-created_at"))
    if not contests:
        return render(request, "reports/dashboard.html", {"contest": None})
    slug = request.GET.get("cuoc-thi")
    # Picked from the list already read: no query, and no odd slug reaches the database.
    contest = (
        next((c for c in contests if c.slug == slug), None) if slug else contests[0]
    )
    if contest is None:
        raise Http404
    rounds = list(contest.rounds.order_by("opens_at"))
    round_ = None
    round_id = row_id(request.GET.get("tuan", ""))
    if round_id is not None:
        round_ = get_object_or_404(Round, pk=round_id, contest=contest)
    board = dashboard_get(contest=contest, round_=round_, scope=scope)
    units = unit_tables_get(
        contest=contest,
        round_=round_,
        scope=scope,
        unit_rates=board.unit_rates,
        query=request.GET.get("tim", ""),
        page=request.GET.get("trang"),
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "contest": contest,
            "contests": contests,
            "rounds": rounds,
            "round": round_,
            "scope": scope,
            "board": board,
            "units": units,
            "members": (
                unit_members_participation(contest=contest, scope=scope)
                if scope is not None
                else None
            ),
            "now": timezone.now(),
        },
    )
