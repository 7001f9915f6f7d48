"""Prediction clusters of a round, read from its computed result for the judges.

The rule is awards.suspicion_predictions (pure). A big round's result holds 300,000
rows: they are streamed, and only one group and the flagged accounts are held. The
round's predictions are held as distinct values with counts; a registration burst as
its predictions' counts and its first and last instants, its accounts read back for
the few ranges that form a cluster; an address group (a few accounts, as a rule)
as its accounts, one address at a time.
"""

from collections.abc import Iterator
from datetime import timedelta
from itertools import groupby, takewhile

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Func, GenericIPAddressField, Window

from awards import suspicion_predictions as rule
from awards.models import ResultRow
from rounds.models import Round

CHUNK = 2000
ENTRY_FIELDS = ("user_id", "prediction", "user__registered_ip", "registered_at")


class _AddressOrder(Func):
    """PostgreSQL: an order of inet addresses in which the addresses of one
    rule.address_key are next to one another: an IPv6 /64 is a range of the inet
    order, and an IPv4-mapped IPv6 address is placed at its IPv4 address."""

    template = (
        "CASE WHEN %(expressions)s <<= inet '::ffff:0.0.0.0/96' "
        "THEN inet '0.0.0.0' + (%(expressions)s - inet '::ffff:0.0.0.0') "
        "ELSE %(expressions)s END"
    )
    output_field = GenericIPAddressField()


def _placed(round_: Round, *order) -> Iterator[rule.Placed]:
    """The result's rows with a prediction, in `order`, each with its prediction's
    place among the round's predictions, counted by the database beside the row."""
    rows = (
        ResultRow.objects.filter(result__round=round_, prediction__isnull=False)
        .annotate(
            below_or_at=Window(Count("pk"), order_by=F("prediction").asc()),
            same=Window(Count("pk"), partition_by=[F("prediction")]),
            total=Window(Count("pk")),
        )
        .order_by(*order)
        .values_list(*ENTRY_FIELDS, "below_or_at", "same", "total")
    )
    for (
        user_id,
        prediction,
        address,
        registered_at,
        at_most,
        same,
        total,
    ) in rows.iterator(chunk_size=CHUNK):
        yield rule.Placed(
            entry=rule.PredictionEntry(
                user_id=user_id,
                prediction=prediction,
                address=address,
                registered_at=registered_at,
            ),
            below=at_most - same,
            at_most=at_most,
            total=total,
        )


def _inside(round_: Round, burst: rule.Burst, low: int, high: int) -> list:
    """The burst's accounts with a prediction in [low, high]."""
    rows = ResultRow.objects.filter(
        result__round=round_,
        registered_at__range=(burst.first_at, burst.last_at),
        prediction__range=(low, high),
    ).values_list(*ENTRY_FIELDS)
    return [
        rule.PredictionEntry(
            user_id=user_id,
            prediction=prediction,
            address=address,
            registered_at=registered_at,
        )
        for user_id, prediction, address, registered_at in rows
    ]


def _by_address(round_: Round) -> Iterator[tuple[str, list[rule.Placed]]]:
    """Each address group (rule.address_key) with its accounts, one at a time."""

    def key(member: rule.Placed) -> str:
        return rule.address_key(member.entry.address)

    if connection.vendor == "postgresql":
        # Addresses in order, the rows without one last (where the reading stops).
        members = _placed(round_, _AddressOrder(F("user__registered_ip")).asc())
    else:  # SQLite, a small database: sorted here
        members = sorted((m for m in _placed(round_) if m.entry.address), key=key)
    with_address = takewhile(lambda m: m.entry.address, members)
    for address, group in groupby(with_address, key=key):
        yield address, list(group)


def round_prediction_clusters(*, round_: Round) -> dict[int, rule.PredictionCluster]:
    """rule.prediction_clusters of the round's result rows: user id -> cluster.

    Two readings of the rows: in registration order for the bursts, by address for
    the address groups."""
    options = {
        "min_accounts": max(settings.SUSPICION_PREDICTION_ACCOUNTS, 2),
        "density": settings.SUSPICION_PREDICTION_DENSITY,
    }
    gap = timedelta(seconds=settings.SUSPICION_PREDICTION_BURST_SECONDS)
    flagged: dict[int, rule.PredictionCluster] = {}
    in_order = _placed(round_, "registered_at", "user_id")
    for burst in rule.bursts(in_order, gap=gap):
        if burst.size < options["min_accounts"]:
            continue
        for low, high in rule.cluster_ranges(burst.counts, burst.everyone, **options):
            inside = _inside(round_, burst, low, high)
            cluster = rule.cluster_of(
                rule.BY_BURST,
                "",
                inside,
                low=low,
                high=high,
                group_size=burst.size,
                everyone=burst.everyone,
            )
            flagged.update((entry.user_id, cluster) for entry in inside)
    # After the bursts: an account in both keeps the address, the more specific.
    for address, members in _by_address(round_):
        if len(members) >= options["min_accounts"]:
            flagged.update(
                rule.group_clusters(rule.BY_ADDRESS, address, members, **options)
            )
    return flagged
