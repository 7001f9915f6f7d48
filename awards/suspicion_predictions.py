"""Prediction clusters among a round's counted attempts: pure, standard library only.

Contract:
- Input: one PredictionEntry per person, holding the prediction of their counted
  attempt (the one that ranked them), their registration address and instant.
  People without a prediction are left out by the caller or ignored here.
- Groups: the accounts registered from one address (an IPv6 address by its /64
  network, whose lower half one phone or household changes at will), and the
  registration bursts: runs of accounts, in registration order, each registered at
  most `burst_gap` after the previous one (inclusive). A group holding fewer than
  `min_accounts` distinct predictions is not examined.
- Within a group of n predictions, a range of values is a cluster when it holds at
  least `min_accounts` distinct values of the group and the group guessed there far
  more densely than the round's other contestants did, in integers:

      in_range * (others + 1) >= ceil(density * n * size_factor) * (others_in_range + 1)
      size_factor = max(1, n / min_accounts) ** (1 / (min_accounts - 1))

  where "others" are the round's predictions from outside the group: the group has
  `density` times (or more) the share of its predictions in the range that the
  others have. The +1 keeps an empty range from dividing by zero and makes a round
  without other predictions say nothing. A bigger group offers more ranges where a
  few of its guesses meet by chance (about n / density ** (min_accounts - 1) of
  them); size_factor raises the bar so that this chance stays the same whatever
  the group's size.
- Why density: a prize hunter's accounts gain only by guessing more densely near the
  truth than the crowd, whether they bracket a range step by step or sit close
  together. An office behind one address guesses as widely as the crowd does and is
  not flagged; colleagues who all give last week's published figure give one value,
  not `min_accounts` of them. `min_accounts` below 2 counts as 2.
- Overlapping clusters of one group merge into one range; every account of the
  group with a prediction in the range is flagged with the group, the range and
  the counts in it. An account in both an address cluster and a burst cluster
  carries the address one, the more specific. The result does not depend on the
  order of the input.

The round can be examined as a stream, one group at a time (a round of 300,000
people is never held): Placed carries where an entry's prediction stands among the
round's (the database counts it beside the row), bursts() sums up each burst as it
ends, cluster_ranges() needs a group's counts only, and cluster_of() its accounts in
a range; prediction_clusters() is the same rule over entries held in memory.

A flag informs the judges; it never changes a score, a rank or a prize.
"""

import ipaddress
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

PREDICTION_CLUSTER = "prediction_cluster"
BY_ADDRESS = "address"
BY_BURST = "burst"

DEFAULT_MIN_ACCOUNTS = 5
DEFAULT_DENSITY = 15
DEFAULT_BURST_GAP = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class PredictionEntry:
    user_id: int
    prediction: int | None
    address: str | None  # the registration address, None when unknown
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class PredictionCluster:
    kind: str  # BY_ADDRESS or BY_BURST
    address: str  # the address or /64 network of BY_ADDRESS; "" for a burst
    accounts: int  # the group's accounts with a prediction in [low, high]
    low: int
    high: int
    others_in_range: int  # predictions from outside the group in [low, high]
    others: int  # predictions from outside the group in the whole round
    registered_from: datetime  # the earliest registration of the accounts flagged
    registered_to: datetime  # the latest one


def address_key(address: str) -> str:
    """The address an account is grouped by: IPv4 as it is, IPv6 by its /64."""
    if ":" not in address:
        return address  # IPv4 is stored normalised; a big round has 300,000 of them
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _size_factor(size: int, min_accounts: int) -> float:
    """The size_factor of the contract: 1 up to `min_accounts` predictions."""
    return max(1.0, size / min_accounts) ** (1 / (min_accounts - 1))


class Distribution:
    """Where values stand among the round's `total` predictions: how many lie below
    each value and how many up to it. Held for every distinct value of the round
    (`of`), or only for the values of one group, as the database counted them."""

    __slots__ = ("_places", "total")

    def __init__(self, total: int) -> None:
        self.total = total
        self._places: dict[int, tuple[int, int]] = {}

    @classmethod
    def of(cls, predictions: Iterable[int]) -> "Distribution":
        counts = Counter(predictions)
        distribution = cls(counts.total())
        below = 0
        for value in sorted(counts):
            distribution.add(value, below=below, at_most=below + counts[value])
            below += counts[value]
        return distribution

    def add(self, value: int, *, below: int, at_most: int) -> None:
        self._places[value] = (below, at_most)

    def below(self, value: int) -> int:
        """How many predictions are smaller than `value` (a value added)."""
        return self._places[value][0]

    def at_most(self, value: int) -> int:
        """How many predictions are `value` or smaller (a value added)."""
        return self._places[value][1]


@dataclass(frozen=True, slots=True)
class Placed:
    """An entry with its prediction's place among the round's `total` predictions."""

    entry: PredictionEntry
    below: int  # the round's predictions smaller than the entry's
    at_most: int  # the round's predictions not larger than the entry's
    total: int


def placed(entries: Iterable[PredictionEntry]) -> list[Placed]:
    """The entries with a prediction, placed among one another."""
    predicted = [e for e in entries if e.prediction is not None]
    everyone = Distribution.of(e.prediction for e in predicted)
    return [
        Placed(
            entry=e,
            below=everyone.below(e.prediction),
            at_most=everyone.at_most(e.prediction),
            total=everyone.total,
        )
        for e in predicted
    ]


def _distribution(members: Iterable[Placed]) -> Distribution:
    distribution = None
    for member in members:
        if distribution is None:
            distribution = Distribution(member.total)
        distribution.add(
            member.entry.prediction, below=member.below, at_most=member.at_most
        )
    return distribution or Distribution(0)


def cluster_ranges(
    counts: Mapping[int, int],
    everyone: Distribution,
    *,
    min_accounts: int,
    density: int,
) -> list[tuple[int, int]]:
    """The merged (low, high) clusters of one group, given how many of its
    predictions hold each value (`everyone` holds the group's too).

    Counting the group's (g) and the others' (o) predictions up to a value, the rule
    for the group's distinct values u[a..b] reads right[b] - left[a] >= weight, with
    right[b] = scale * g(<= u[b]) - weight * o(<= u[b]) and
    left[a] = scale * g(< u[a]) - weight * o(< u[a]). The smallest fitting a of each
    b spans every cluster ending at b, so one bisection per b finds them all.
    """
    min_accounts = max(min_accounts, 2)
    if len(counts) < min_accounts:
        return []
    size = sum(counts.values())
    scale = everyone.total - size + 1
    weight = math.ceil(density * size * _size_factor(size, min_accounts))
    if scale * size < weight:
        # Even every prediction of the group in one range, with no other inside,
        # falls short (a burst holding the whole round does): nothing to examine.
        return []
    values = sorted(counts)
    left: list[int] = []
    right: list[int] = []
    below = 0  # the group's predictions under the current value
    for value in values:
        left.append(scale * below - weight * (everyone.below(value) - below))
        below += counts[value]
        right.append(scale * below - weight * (everyone.at_most(value) - below))
    # -min(left[0..a]): nondecreasing, so the smallest fitting start is a bisection.
    lowest: list[int] = []
    for value in left:
        lowest.append(max(lowest[-1], -value) if lowest else -value)
    spans: list[tuple[int, int]] = []
    for end in range(min_accounts - 1, len(values)):
        last_start = end - min_accounts + 1
        start = bisect_left(lowest, weight - right[end], 0, last_start + 1)
        if start > last_start:
            continue
        # A later end may reach further back and swallow earlier spans.
        while spans and start <= spans[-1][1]:
            start = min(start, spans.pop()[0])
        spans.append((start, end))
    return [(values[start], values[end]) for start, end in spans]


def cluster_of(
    kind: str,
    address: str,
    inside: Sequence[PredictionEntry],
    *,
    low: int,
    high: int,
    group_size: int,
    everyone: Distribution,
) -> PredictionCluster:
    """The cluster [low, high] of a group of `group_size` predictions, `inside`
    being the group's accounts with a prediction in the range."""
    in_round = everyone.at_most(high) - everyone.below(low)
    return PredictionCluster(
        kind=kind,
        address=address,
        accounts=len(inside),
        low=low,
        high=high,
        others_in_range=in_round - len(inside),
        others=everyone.total - group_size,
        registered_from=min(m.registered_at for m in inside),
        registered_to=max(m.registered_at for m in inside),
    )


def group_clusters(
    kind: str,
    address: str,
    members: Sequence[Placed],
    *,
    min_accounts: int,
    density: int,
) -> dict[int, PredictionCluster]:
    """User id -> the cluster holding them, among one group's members."""
    everyone = _distribution(members)
    counts = Counter(m.entry.prediction for m in members)
    flagged: dict[int, PredictionCluster] = {}
    for low, high in cluster_ranges(
        counts, everyone, min_accounts=min_accounts, density=density
    ):
        inside = [m.entry for m in members if low <= m.entry.prediction <= high]
        cluster = cluster_of(
            kind,
            address,
            inside,
            low=low,
            high=high,
            group_size=len(members),
            everyone=everyone,
        )
        for entry in inside:
            flagged[entry.user_id] = cluster
    return flagged


@dataclass(frozen=True, slots=True)
class Burst:
    """One registration burst, summed up: its members are exactly the accounts with
    a prediction registered from `first_at` to `last_at` (both included)."""

    first_at: datetime
    last_at: datetime
    counts: Counter  # prediction -> how many of the burst gave it
    everyone: Distribution  # where the burst's predictions stand in the round

    @property
    def size(self) -> int:
        return self.counts.total()


def bursts(members: Iterable[Placed], *, gap: timedelta) -> Iterator[Burst]:
    """The registration bursts of `members` given in registration order (instant,
    then user id), each summed up as it ends: one burst at a time is held."""
    first_at = last_at = None
    counts: Counter = Counter()
    everyone = Distribution(0)
    for member in members:
        entry = member.entry
        if last_at is not None and entry.registered_at - last_at > gap:
            yield Burst(first_at, last_at, counts, everyone)
            first_at, counts = None, Counter()
        if first_at is None:
            first_at, everyone = entry.registered_at, Distribution(member.total)
        last_at = entry.registered_at
        counts[entry.prediction] += 1
        everyone.add(entry.prediction, below=member.below, at_most=member.at_most)
    if first_at is not None:
        yield Burst(first_at, last_at, counts, everyone)


def prediction_clusters(
    entries: Iterable[PredictionEntry],
    *,
    min_accounts: int = DEFAULT_MIN_ACCOUNTS,
    density: int = DEFAULT_DENSITY,
    burst_gap: timedelta = DEFAULT_BURST_GAP,
) -> dict[int, PredictionCluster]:
    """PREDICTION_CLUSTER: user id -> the cluster of predictions holding them."""
    options = {"min_accounts": max(min_accounts, 2), "density": density}
    members = sorted(
        placed(entries), key=lambda m: (m.entry.registered_at, m.entry.user_id)
    )
    flagged: dict[int, PredictionCluster] = {}
    for burst in bursts(members, gap=burst_gap):
        if burst.size < options["min_accounts"]:
            continue
        for low, high in cluster_ranges(burst.counts, burst.everyone, **options):
            inside = [
                m.entry
                for m in members
                if burst.first_at <= m.entry.registered_at <= burst.last_at
                and low <= m.entry.prediction <= high
            ]
            cluster = cluster_of(
                BY_BURST,
                "",
                inside,
                low=low,
                high=high,
                group_size=burst.size,
                everyone=burst.everyone,
            )
            flagged.update((entry.user_id, cluster) for entry in inside)
    # After the bursts: an account in both keeps the address, the more specific.
    by_address: dict[str, list[Placed]] = defaultdict(list)
    for member in members:
        if member.entry.address:
            by_address[address_key(member.entry.address)].append(member)
    for address, group in by_address.items():
        if len(group) >= options["min_accounts"]:
            flagged.update(group_clusters(BY_ADDRESS, address, group, **options))
    return flagged
