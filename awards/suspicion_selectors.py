"""Suspicion flags for a round's contestants, read in a few queries for the judges.

The rules are in awards.suspicion (pure); this module feeds them from the database
and words the result in Vietnamese. Flags inform the review; they never change a
score, a rank or a prize.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Subquery
from django.utils.translation import gettext as _

from accounts.models import User
from awards import suspicion
from rounds.models import Attempt, Round

SEPARATOR = "; "


@dataclass(frozen=True, slots=True)
class Flag:
    code: str  # one of awards.suspicion's FAST, SHARED_ADDRESS, SAME_ANSWERS
    label: str  # what the judge reads


def _seconds(duration_ms: int) -> str:
    return f"{duration_ms / 1000:.1f}".replace(".", ",")


def _finished(round_: Round):
    return Attempt.objects.filter(
        round=round_, status=Attempt.Status.FINISHED, is_practice=False
    )


def _same_answer_candidates(round_: Round):
    """Attempts whose stored fingerprint another account's attempt shares (an index read)."""
    shared = (
        _finished(round_)
        .exclude(answers_fingerprint="")
        .values("answers_fingerprint")
        .annotate(people=Count("user_id", distinct=True))
        .filter(people__gt=1)
        .values("answers_fingerprint")
    )
    return _finished(round_).filter(answers_fingerprint__in=Subquery(shared))


def round_suspicion_flags(*, round_: Round) -> dict[int, list[Flag]]:
    """User id -> the flags of their finished, ranked attempts in the round."""
    flags: dict[int, list[Flag]] = defaultdict(list)
    minimum = round_.min_seconds_per_question
    fast = (
        _finished(round_)
        .filter(duration_ms__lt=F("question_count") * minimum * 1000)
        .order_by("user_id", "number")
        .values_list("user_id", "number", "duration_ms", "question_count")
    )
    for user_id, number, duration_ms, count in fast if minimum else ():
        if suspicion.is_too_fast(
            duration_ms=duration_ms,
            question_count=count,
            min_seconds_per_question=minimum,
        ):
            flags[user_id].append(
                Flag(
                    suspicion.FAST,
                    _(
                        "Làm bài quá nhanh (lượt %(number)d): %(seconds)s giây cho "
                        "%(count)d câu, dưới %(min)d giây mỗi câu"
                    )
                    % {
                        "number": number,
                        "seconds": _seconds(duration_ms),
                        "count": count,
                        "min": minimum,
                    },
                )
            )
    numbers: dict[int, int] = {}
    user_of: dict[int, int] = {}

    def sheets():
        candidates = (
            _same_answer_candidates(round_)
            .order_by("user_id", "number")
            .values_list(
                "pk",
                "user_id",
                "number",
                "answers_fingerprint",
                "duration_ms",
                "submitted_at",
            )
        )
        for pk, user_id, number, fingerprint, duration_ms, submitted_at in candidates:
            numbers[pk] = number
            user_of[pk] = user_id
            yield suspicion.AnswerSheet(
                attempt_id=pk,
                user_id=user_id,
                fingerprint=fingerprint,
                duration_ms=duration_ms,
                submitted_at=submitted_at,
            )

    matches = suspicion.same_answers(
        sheets(),
        tolerance=timedelta(seconds=settings.SUSPICION_SAME_ANSWERS_SECONDS),
    )
    _flag_same_answers(flags, matches, user_of, numbers)
    _flag_shared_addresses(flags, round_)
    return dict(flags)


def _flag_same_answers(
    flags: dict[int, list[Flag]],
    matches: dict[int, frozenset[int]],
    user_of: dict[int, int],
    numbers: dict[int, int],
) -> None:
    if not matches:
        return
    partner_ids = set().union(*matches.values())
    names = dict(User.objects.filter(pk__in=partner_ids).values_list("pk", "full_name"))
    for attempt_id in sorted(matches, key=lambda pk: (user_of[pk], numbers[pk])):
        partners = sorted(names.get(pk, str(pk)) for pk in matches[attempt_id])
        flags[user_of[attempt_id]].append(
            Flag(
                suspicion.SAME_ANSWERS,
                _(
                    "Trùng đáp án và thời gian làm bài, thời điểm nộp (lượt "
                    "%(number)d) với: %(names)s"
                )
                % {"number": numbers[attempt_id], "names": ", ".join(partners)},
            )
        )


def _flag_shared_addresses(flags: dict[int, list[Flag]], round_: Round) -> None:
    minutes = settings.SUSPICION_ADDRESS_WINDOW_MINUTES
    addresses = (
        User.objects.filter(
            attempts__round=round_,
            attempts__status=Attempt.Status.FINISHED,
            registered_ip__isnull=False,
        )
        .values("registered_ip")
        .distinct()
    )
    registrations = (
        suspicion.Registration(user_id=pk, address=address, registered_at=joined)
        for pk, address, joined in User.objects.filter(
            registered_ip__in=addresses
        ).values_list("pk", "registered_ip", "date_joined")
    )
    crowds = suspicion.crowded_addresses(
        registrations,
        min_accounts=settings.SUSPICION_ADDRESS_ACCOUNTS,
        window=timedelta(minutes=minutes),
    )
    for user_id, crowd in crowds.items():
        flags[user_id].append(
            Flag(
                suspicion.SHARED_ADDRESS,
                _(
                    "%(n)d tài khoản đăng ký từ cùng địa chỉ %(address)s trong "
                    "%(minutes)d phút"
                )
                % {"n": crowd.accounts, "address": crowd.address, "minutes": minutes},
            )
        )


def flags_text(flags: list[Flag] | None) -> str:
    """The flags as one line for a table cell; "" when there are none."""
    return SEPARATOR.join(flag.label for flag in flags or ())
