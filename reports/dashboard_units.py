"""The dashboard's unit tables: search by accent-free name, pages, and who took
part in each unit by occupation and by age band (reports.demographics)."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Unit, User
from accounts.normalize import fold
from reports import demographics
from reports.dashboard import CACHE_SECONDS, UnitRate
from rounds.models import Attempt, Contest, Round

PAGE_SIZE = 25  # three tables of 25 rows still fit a few screens on a phone
QUERY_MAX_LENGTH = 100
# A typed word this long may differ from a word of the name by one letter
# ("luong" finds "Lũng"); shorter ones would find too much ("xa" and "ba").
NEAR_MIN_LENGTH = 4
UNDECLARED_LABEL = "Chưa khai báo"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class UnitRow:
    rate: UnitRate
    people: demographics.Counts  # the unit and its sub-units


@dataclass(frozen=True, slots=True)
class UnitTables:
    query: str  # the search as typed, cleaned; "" for every unit
    near: bool  # no name holds the words: the page shows names one letter off
    units: int  # every unit in the viewer's scope
    page: Page | None  # of UnitRow; None when no unit matches
    page_links: tuple[int | None, ...]  # page numbers to link, None for a gap
    occupations: tuple[Column, ...]
    age_bands: tuple[Column, ...]
    total: demographics.Counts  # everyone in the scope, whatever the search

    def rows(self) -> list[UnitRow]:
        return list(self.page.object_list) if self.page else []


@dataclass(frozen=True, slots=True)
class _UnitFigures:
    tally: demographics.Tally
    search_names: dict[int, str]
    paths: dict[int, tuple[int, ...]]  # unit id -> ids from the root down to it


def unit_tables_get(
    *,
    contest: Contest,
    round_: Round | None,
    scope: Unit | None,
    unit_rates: list[UnitRate],
    query: str = "",
    page: str | None = None,
) -> UnitTables:
    """One page of the units whose name matches `query`, with their participants
    by occupation and age band; bad page numbers give the nearest page."""
    figures = _unit_figures_get(contest=contest, round_=round_, scope=scope)
    query = " ".join(query.split())[:QUERY_MAX_LENGTH]
    rates, near = _search(
        _in_tree_order(unit_rates, figures), figures.search_names, query
    )
    empty = demographics.Counts(
        total=0,
        by_occupation=(0,) * len(figures.tally.occupations),
        by_age=(0,) * len(demographics.AGE_KEYS),
    )
    rows = [
        UnitRow(rate=rate, people=figures.tally.per_unit.get(rate.unit_id, empty))
        for rate in rates
    ]
    labels = dict(User.Occupation.choices)
    shown = Paginator(rows, PAGE_SIZE).get_page(page) if rows else None
    return UnitTables(
        query=query,
        near=near,
        units=len(unit_rates),
        page=shown,
        page_links=_page_links(shown),
        occupations=tuple(
            Column(key=key, label=str(labels.get(key, UNDECLARED_LABEL)))
            for key in figures.tally.occupations
        ),
        age_bands=(
            *(
                Column(key=band.key, label=band.label)
                for band in demographics.AGE_BANDS
            ),
            Column(key=demographics.UNKNOWN_AGE, label=demographics.UNKNOWN_AGE_LABEL),
        ),
        total=figures.tally.total,
    )


def _page_links(page: Page | None) -> tuple[int | None, ...]:
    if page is None or not page.has_other_pages():
        return ()
    return tuple(
        n if isinstance(n, int) else None
        for n in page.paginator.get_elided_page_range(
            page.number, on_each_side=2, on_ends=1
        )
    )


def participants_tally_get(
    *, contest: Contest, round_: Round | None = None, scope: Unit | None = None
) -> demographics.Tally:
    """Participants of the contest (or one round) by unit, occupation and age band."""
    return _unit_figures_get(contest=contest, round_=round_, scope=scope).tally


def _unit_figures_get(
    *, contest: Contest, round_: Round | None, scope: Unit | None
) -> _UnitFigures:
    key = (
        f"dashboard-units:{contest.pk}:{round_.pk if round_ else 0}:"
        f"{scope.pk if scope else 0}"
    )
    figures = cache.get(key)
    if figures is None:
        figures = _unit_figures(contest, round_, scope)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def _unit_figures(
    contest: Contest, round_: Round | None, scope: Unit | None
) -> _UnitFigures:
    """Two queries: the units of the scope, then one row per participant."""
    units = Unit.objects.filter(is_active=True)
    if scope is not None:
        units = units.filter(path__startswith=scope.path)
    ancestors: dict[int, tuple[int, ...]] = {}
    search_names: dict[int, str] = {}
    for pk, path, search_name in units.order_by().values_list(
        "pk", "path", "search_name"
    ):
        ancestors[pk] = tuple(int(part) for part in path.strip("/").split("/") if part)
        search_names[pk] = search_name
    return _UnitFigures(
        tally=demographics.tally(
            _participants(contest, round_, scope),
            occupations=User.Occupation.values,
            ancestors=ancestors,
        ),
        search_names=search_names,
        paths=ancestors,
    )


def _participants(
    contest: Contest, round_: Round | None, scope: Unit | None
) -> Iterator[demographics.Participant]:
    """Everyone with a finished attempt that counts (in the round, when one is
    chosen), aged on the local day of their first such attempt in the contest."""
    attempts = Attempt.objects.filter(
        round__contest=contest, status=Attempt.Status.FINISHED, is_practice=False
    )
    if scope is not None:
        attempts = attempts.filter(user__unit__path__startswith=scope.path)
    people = attempts.order_by().values(
        "user_id", "user__unit_id", "user__occupation", "user__date_of_birth"
    )
    tz = timezone.get_current_timezone()
    people = people.annotate(first_day=Min(TruncDate("started_at", tzinfo=tz)))
    if round_ is not None:
        people = people.annotate(in_round=Count("pk", filter=Q(round=round_))).filter(
            in_round__gt=0
        )
    for unit_id, occupation, born, first_day in people.values_list(
        "user__unit_id", "user__occupation", "user__date_of_birth", "first_day"
    ).iterator(chunk_size=2000):
        yield demographics.Participant(
            unit_id=unit_id, occupation=occupation, born=born, first_day=first_day
        )


def _in_tree_order(rates: list[UnitRate], figures: _UnitFigures) -> list[UnitRate]:
    """Each unit under its parent, brothers by name: stored paths alone would put
    unit 10 before unit 5."""
    names = figures.search_names

    def key(rate: UnitRate) -> tuple:
        path = figures.paths.get(rate.unit_id, (rate.unit_id,))
        return tuple((names.get(unit_id, ""), unit_id) for unit_id in path)

    return sorted(rates, key=key)


def _search(
    rates: list[UnitRate], search_names: dict[int, str], query: str
) -> tuple[list[UnitRate], bool]:
    """The units whose accent-free name holds every typed word, in tree order; when
    none does, those with a word at most one letter off each typed word."""
    words = fold(query).split()
    if not words:
        return rates, False
    names = [
        (rate, search_names.get(rate.unit_id) or fold(rate.name)) for rate in rates
    ]
    found = [rate for rate, name in names if all(word in name for word in words)]
    if found:
        return found, False
    near = [
        rate
        for rate, name in names
        if all(any(_near(word, part) for part in name.split()) for word in words)
    ]
    return near, bool(near)


def _near(typed: str, word: str) -> bool:
    """`typed` begins `word`, or (when long enough) is one edit away from it."""
    if word.startswith(typed):
        return True
    if len(typed) < NEAR_MIN_LENGTH or abs(len(typed) - len(word)) > 1:
        return False
    i = 0
    while i < min(len(typed), len(word)) and typed[i] == word[i]:
        i += 1
    if len(typed) == len(word):
        return typed[i + 1 :] == word[i + 1 :]
    if len(typed) > len(word):
        return typed[i + 1 :] == word[i:]
    return typed[i:] == word[i + 1 :]
