"""What the committee sees at a glance: aggregate queries only, cached briefly."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from accounts.models import Unit, User
from reports.exports.common import occupation_labels
from rounds.models import Attempt, Contest, Round

CACHE_SECONDS = 60
REGISTRATION_DAYS = 30
TOP_UNITS = 10


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    share: float  # of the largest bar, 0..1, for drawing


@dataclass(frozen=True, slots=True)
class UnitRate:
    unit_id: int
    name: str
    level: str
    own_headcount: int  # the unit's own staff, as entered
    headcount: int  # its own staff plus every unit's below it: the rate's base
    participants: int  # everyone who took part, in the unit or below it
    rate_participants: int  # of them, those the contest's rate is about
    rate_percent: float
    below_target: bool


@dataclass(frozen=True, slots=True)
class Dashboard:
    participants: int
    attempts: int
    in_progress: int
    registrations_per_day: list[Bar]
    registrations_per_hour: list[Bar]
    attempts_per_day: list[Bar]
    attempts_per_hour: list[Bar]
    score_distribution: list[Bar]
    unit_rates: list[UnitRate]
    top_units: list[UnitRate]
    below_target: int
    rate_population: str  # whom the rate counts, in words; "" for everyone


def _bars(pairs: list[tuple[str, int]]) -> list[Bar]:
    top = max((value for _, value in pairs), default=0) or 1
    return [Bar(label=label, value=value, share=value / top) for label, value in pairs]


def dashboard_get(
    *,
    contest: Contest,
    round_: Round | None = None,
    scope: Unit | None = None,
    now: datetime | None = None,
) -> Dashboard:
    """The contest's (or one round's) figures, for everyone or one unit's subtree."""
    key = f"dashboard:{contest.pk}:{round_.pk if round_ else 0}:{scope.pk if scope else 0}"
    cached = cache.get(key)
    if cached is None:
        cached = _compute(contest, round_, scope, now or timezone.now())
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def _compute(
    contest: Contest, round_: Round | None, scope: Unit | None, now: datetime
) -> Dashboard:
    tz = timezone.get_current_timezone()
    attempts = Attempt.objects.filter(round__contest=contest)
    if round_ is not None:
        attempts = attempts.filter(round=round_)
    users = User.objects.filter(is_staff=False)
    units = Unit.objects.filter(is_active=True)
    if scope is not None:
        attempts = attempts.filter(user__unit__path__startswith=scope.path)
        users = users.filter(unit__path__startswith=scope.path)
        units = units.filter(path__startswith=scope.path)
    finished = attempts.filter(status=Attempt.Status.FINISHED, is_practice=False)

    totals = finished.aggregate(
        attempts=Count("pk"), participants=Count("user_id", distinct=True)
    )
    in_progress = attempts.filter(status=Attempt.Status.OPEN, deadline__gt=now).count()
    per_day = (
        finished.annotate(day=TruncDate("submitted_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    per_hour = dict(
        finished.annotate(hour=ExtractHour("submitted_at", tzinfo=tz))
        .values("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    registrations = (
        users.filter(date_joined__gte=now - timedelta(days=REGISTRATION_DAYS))
        .annotate(day=TruncDate("date_joined", tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    registrations_by_hour = dict(
        users.filter(date_joined__gte=now - timedelta(days=REGISTRATION_DAYS))
        .annotate(hour=ExtractHour("date_joined", tzinfo=tz))
        .values("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    scores = dict(
        finished.values("correct_count")
        .annotate(n=Count("pk"))
        .values_list("correct_count", "n")
    )
    unit_rates = _unit_rates(
        units,
        finished,
        target_percent=contest.participation_target_percent,
        occupations=contest.participation_occupations or [],
    )
    return Dashboard(
        participants=totals["participants"],
        attempts=totals["attempts"],
        in_progress=in_progress,
        registrations_per_day=_bars(
            [(row["day"].strftime("%d/%m"), row["n"]) for row in registrations]
        ),
        registrations_per_hour=_bars(
            [(f"{h:02d}h", registrations_by_hour.get(h, 0)) for h in range(24)]
        ),
        attempts_per_day=_bars(
            [(row["day"].strftime("%d/%m"), row["n"]) for row in per_day]
        ),
        attempts_per_hour=_bars([(f"{h:02d}h", per_hour.get(h, 0)) for h in range(24)]),
        score_distribution=_bars(
            [(str(score), scores[score]) for score in sorted(scores)]
        ),
        unit_rates=unit_rates,
        top_units=sorted(
            (u for u in unit_rates if u.participants),
            key=lambda u: (-u.rate_percent, -u.participants, u.name),
        )[:TOP_UNITS],
        below_target=sum(1 for u in unit_rates if u.below_target),
        rate_population=occupation_labels(contest.participation_occupations or []),
    )


def _unit_rates(
    units, finished, *, target_percent: int, occupations: list[str]
) -> list[UnitRate]:
    """Participation of every unit counting its sub-units' people and staff, in two
    queries; the rate counts only `occupations` (everyone when empty)."""
    rows = list(units.values("pk", "name", "level", "headcount", "path"))
    in_rate = Q(user__occupation__in=occupations) if occupations else None
    direct = {
        unit_id: (people, rate_people)
        for unit_id, people, rate_people in finished.values("user__unit_id")
        .annotate(
            people=Count("user_id", distinct=True),
            rate_people=Count("user_id", distinct=True, filter=in_rate),
        )
        .values_list("user__unit_id", "people", "rate_people")
    }
    in_scope = {row["pk"] for row in rows}
    people = dict.fromkeys(in_scope, 0)
    rate_people = dict.fromkeys(in_scope, 0)
    staff = dict.fromkeys(in_scope, 0)
    for row in rows:
        count, rate_count = direct.get(row["pk"], (0, 0))
        for ancestor in (int(p) for p in row["path"].strip("/").split("/") if p):
            if ancestor in in_scope:
                people[ancestor] += count
                rate_people[ancestor] += rate_count
                staff[ancestor] += row["headcount"]
    rates = []
    for row in rows:
        pk, headcount = row["pk"], staff[row["pk"]]
        rate = 100 * rate_people[pk] / headcount if headcount else 0.0
        rates.append(
            UnitRate(
                unit_id=pk,
                name=row["name"],
                level=row["level"],
                own_headcount=row["headcount"],
                headcount=headcount,
                participants=people[pk],
                rate_participants=rate_people[pk],
                rate_percent=round(rate, 1),
                below_target=bool(headcount) and rate < target_percent,
            )
        )
    return rates


def unit_members_participation(
    *, contest: Contest, scope: Unit, limit: int = 1000
) -> list[dict]:
    """A unit manager's own people: name, unit and how many attempts they finished."""
    return list(
        User.objects.filter(unit__path__startswith=scope.path, is_staff=False)
        .annotate(
            finished=Count(
                "attempts",
                filter=Q(
                    attempts__round__contest=contest,
                    attempts__status=Attempt.Status.FINISHED,
                    attempts__is_practice=False,
                ),
            )
        )
        .order_by("unit__path", "full_name")
        .values("full_name", "unit__name", "finished")[:limit]
    )
