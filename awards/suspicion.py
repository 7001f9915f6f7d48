"""Signs that an attempt deserves a judge's second look: pure, standard library only.

Contract: each detector takes plain frozen facts and returns which attempts or
accounts it flags and why. A flag is information for the judges, shown beside the
row in the review screen and in the exports; it never changes a score, a rank or a
prize. Three signs are detected:

- FAST: an attempt finished faster than the round allows for reading the questions,
  `duration_ms < question_count * min_seconds_per_question * 1000` (strictly less;
  0 seconds per question switches the check off).
- SHARED_ADDRESS: at least `min_accounts` accounts registered from one client
  address within any `window` (both ends inclusive). Offices and schools share
  one address, so this is a prompt to look, not a verdict.
- SAME_ANSWERS: two attempts by different accounts chose the same answers to the
  same questions - the sequence of (revision id, chosen original choice) sorted by
  revision id, so the order the questions were drawn in does not matter - and both
  their durations and their submission instants lie within `tolerance` of each
  other (inclusive). Attempts with no answer at all carry no signal and are skipped.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

FAST = "fast"
SHARED_ADDRESS = "shared_address"
SAME_ANSWERS = "same_answers"

DEFAULT_MIN_SECONDS_PER_QUESTION = 2
DEFAULT_ADDRESS_ACCOUNTS = 20
DEFAULT_ADDRESS_WINDOW = timedelta(hours=1)
DEFAULT_SAME_ANSWERS_TOLERANCE = timedelta(seconds=3)


def is_too_fast(
    *, duration_ms: int, question_count: int, min_seconds_per_question: int
) -> bool:
    """FAST: quicker than the minimum time per question allows."""
    if min_seconds_per_question <= 0:
        return False
    return duration_ms < question_count * min_seconds_per_question * 1000


@dataclass(frozen=True, slots=True)
class Registration:
    user_id: int
    address: str | None
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class AddressCrowd:
    address: str
    accounts: int  # the most accounts from the address in one window holding this one


def crowded_addresses(
    registrations: Iterable[Registration],
    *,
    min_accounts: int = DEFAULT_ADDRESS_ACCOUNTS,
    window: timedelta = DEFAULT_ADDRESS_WINDOW,
) -> dict[int, AddressCrowd]:
    """SHARED_ADDRESS: accounts in a burst of registrations from one address."""
    by_address: dict[str, list[Registration]] = defaultdict(list)
    for registration in registrations:
        if registration.address:
            by_address[registration.address].append(registration)
    flagged: dict[int, AddressCrowd] = {}
    for address, group in by_address.items():
        group.sort(key=lambda r: (r.registered_at, r.user_id))
        start = 0
        for end in range(len(group)):
            while group[end].registered_at - group[start].registered_at > window:
                start += 1
            size = end - start + 1
            if size < min_accounts:
                continue
            for member in group[start : end + 1]:
                known = flagged.get(member.user_id)
                if known is None or known.accounts < size:
                    flagged[member.user_id] = AddressCrowd(address, size)
    return flagged


@dataclass(frozen=True, slots=True)
class AnswerSheet:
    attempt_id: int
    user_id: int
    # rounds.scoring.answers_fingerprint, stored when the attempt was finished;
    # "" when nothing was answered.
    fingerprint: str
    duration_ms: int
    submitted_at: datetime


def same_answers(
    sheets: Iterable[AnswerSheet],
    *,
    tolerance: timedelta = DEFAULT_SAME_ANSWERS_TOLERANCE,
) -> dict[int, frozenset[int]]:
    """SAME_ANSWERS: attempt id -> the other accounts whose attempt matches it."""
    tolerance_ms = tolerance / timedelta(milliseconds=1)
    groups: dict[str, list[AnswerSheet]] = defaultdict(list)
    for sheet in sheets:
        if sheet.fingerprint:
            groups[sheet.fingerprint].append(sheet)
    partners: dict[int, set[int]] = defaultdict(set)
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda s: (s.submitted_at, s.attempt_id))
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                if second.submitted_at - first.submitted_at > tolerance:
                    break
                if first.user_id == second.user_id:
                    continue
                if abs(first.duration_ms - second.duration_ms) > tolerance_ms:
                    continue
                partners[first.attempt_id].add(second.user_id)
                partners[second.attempt_id].add(first.user_id)
    return {attempt_id: frozenset(users) for attempt_id, users in partners.items()}
