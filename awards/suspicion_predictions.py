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

A flag informs the judges; it never changes a score, a rank or a prize.
"""

import ipaddress
import math
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
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


def _ranges(
    group: Sequence[int],
    everyone: Sequence[int],
    *,
    min_accounts: int,
    density: int,
) -> list[tuple[int, int]]:
    """The merged (low, high) clusters of one group's predictions.

    `everyone` is the round's predictions sorted, the group's among them. Counting
    the group's (g) and the others' (o) predictions up to a value, the rule for the
    group's distinct values u[a..b] reads right[b] - left[a] >= weight, with
    right[b] = scale * g(<= u[b]) - weight * o(<= u[b]) and
    left[a] = scale * g(< u[a]) - weight * o(< u[a]). The smallest fitting a of each
    b spans every cluster ending at b, so one bisection per b finds them all.
    """
    counts = Counter(group)
    values = sorted(counts)
    if len(values) < min_accounts:
        return []
    scale = len(everyone) - len(group) + 1
    weight = math.ceil(density * len(group) * _size_factor(len(group), min_accounts))
    left: list[int] = []
    right: list[int] = []
    below = 0  # the group's predictions under the current value
    for value in values:
        left.append(scale * below - weight * (bisect_left(everyone, value) - below))
        below += counts[value]
        right.append(scale * below - weight * (bisect_right(everyone, value) - below))
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


def _cluster_flags(
    kind: str,
    address: str,
    members: Sequence[PredictionEntry],
    everyone: Sequence[int],
    *,
    min_accounts: int,
    density: int,
) -> dict[int, PredictionCluster]:
    group = [m.prediction for m in members]
    others = len(everyone) - len(group)
    flagged: dict[int, PredictionCluster] = {}
    for low, high in _ranges(
        group, everyone, min_accounts=min_accounts, density=density
    ):
        inside = [m for m in members if low <= m.prediction <= high]
        in_round = bisect_right(everyone, high) - bisect_left(everyone, low)
        cluster = PredictionCluster(
            kind=kind,
            address=address,
            accounts=len(inside),
            low=low,
            high=high,
            others_in_range=in_round - len(inside),
            others=others,
            registered_from=min(m.registered_at for m in inside),
            registered_to=max(m.registered_at for m in inside),
        )
        for member in inside:
            flagged[member.user_id] = cluster
    return flagged


def _bursts(
    entries: Iterable[PredictionEntry], *, gap: timedelta
) -> list[list[PredictionEntry]]:
    bursts: list[list[PredictionEntry]] = []
    for entry in sorted(entries, key=lambda e: (e.registered_at, e.user_id)):
        if bursts and entry.registered_at - bursts[-1][-1].registered_at <= gap:
            bursts[-1].append(entry)
        else:
            bursts.append([entry])
    return bursts


def prediction_clusters(
    entries: Iterable[PredictionEntry],
    *,
    min_accounts: int = DEFAULT_MIN_ACCOUNTS,
    density: int = DEFAULT_DENSITY,
    burst_gap: timedelta = DEFAULT_BURST_GAP,
) -> dict[int, PredictionCluster]:
    """PREDICTION_CLUSTER: user id -> the cluster of predictions holding them."""
    min_accounts = max(min_accounts, 2)
    predicted = [e for e in entries if e.prediction is not None]
    everyone = sorted(e.prediction for e in predicted)
    by_address: dict[str, list[PredictionEntry]] = defaultdict(list)
    for entry in predicted:
        if entry.address:
            by_address[address_key(entry.address)].append(entry)
    options = {"min_accounts": min_accounts, "density": density}
    flagged: dict[int, PredictionCluster] = {}
    for burst in _bursts(predicted, gap=burst_gap):
        if len(burst) >= min_accounts:
            flagged.update(_cluster_flags(BY_BURST, "", burst, everyone, **options))
    # After the bursts: an account in both keeps the address, the more specific.
    for address, members in by_address.items():
        if len(members) >= min_accounts:
            flagged.update(
                _cluster_flags(BY_ADDRESS, address, members, everyone, **options)
            )
    return flagged
