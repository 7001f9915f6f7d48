"""A contest's page as a signed-in contestant opens it before each attempt: the
contest, its rounds and its prize tiers, each read by a statement written once per
process (contest_portal.rows) rather than a queryset compiled on every visit."""

from dataclasses import dataclass

from awards.models import PrizeTier
from contest_portal.rows import RowReader
from rounds.models import Contest, Round

_CONTEST = RowReader(
    [(Contest, "c")], source="{c}", where="c.slug = %s AND c.is_published = %s"
)
_ROUNDS = RowReader(
    [(Round, "r")], source="{r}", where="r.contest_id = %s", order_by="r.opens_at"
)
# PrizeTier's own order: contest, order, pk ("order" is a keyword: quoted).
_TIERS = RowReader(
    [(PrizeTier, "t")],
    source="{t}",
    where="t.contest_id = %s",
    order_by='t.contest_id, t."order", t.id',
)


@dataclass(frozen=True, slots=True)
class ContestShown:
    contest: Contest
    rounds: list[Round]  # by opening time
    tiers: list[PrizeTier]


def contest_shown_get(*, slug: str) -> ContestShown | None:
    """The published contest named ``slug`` with its rounds and prize tiers."""
    row = _CONTEST.one([slug, True])
    if row is None:
        return None
    contest = row[0]
    rounds = [r for (r,) in _ROUNDS.all([contest.pk])]
    tiers = [t for (t,) in _TIERS.all([contest.pk])]
    for item in (*rounds, *tiers):
        item.contest = contest
    return ContestShown(contest=contest, rounds=rounds, tiers=tiers)


def contest_shown_of(contest: Contest) -> ContestShown:
    """The same for a contest read with its rounds (by opening time) and prize tiers
    prefetched, as the home page reads the running contests."""
    return ContestShown(
        contest=contest,
        rounds=list(contest.rounds.all()),
        tiers=list(contest.prize_tiers.all()),
    )
