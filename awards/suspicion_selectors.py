"""Suspicion flags for a round's contestants, read in a few queries for the judges.

The rules are in awards.suspicion and awards.suspicion_predictions (pure); this
module feeds them from the database and words the result in Vietnamese. Flags inform
the review; they never change a score, a rank or a prize.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.db.models import Count, F, Max, Min, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards import suspicion, suspicion_predictions
from awards.suspicion_prediction_selectors import round_prediction_clusters
from contest_portal.numbers import thousands
from rounds.models import Attempt, Round

SEPARATOR = "; "
CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Flag:
    # awards.suspicion's FAST, SHARED_ADDRESS or SAME_ANSWERS, or
    # awards.suspicion_predictions.PREDICTION_CLUSTER
    code: str
    label: str  # what the judge reads


def _seconds(duration_ms: int) -> str:
    return f"{duration_ms / 1000:.1f}".replace(".", ",")


def _finished(round_: Round):
    return Attempt.objects.filter(
        round=round_, status=Attempt.Status.FINISHED, is_practice=False
    )


def _same_answer_candidates(round_: Round):
    """Attempts whose stored fingerprint another account's attempt shares (an index read)."""
    # Two accounts or more: the smallest and the largest account differ (no
    # distinct count, which sorts the round's attempts by fingerprint).
    shared = (
        _finished(round_)
        .exclude(answers_fingerprint="")
        .values("answers_fingerprint")
        .annotate(first=Min("user_id"), last=Max("user_id"))
        .filter(first__lt=F("last"))
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
    _flag_same_answers(flags, _same_answer_matches(round_))
    _flag_shared_addresses(flags, round_)
    _flag_prediction_clusters(flags, round_)
    return dict(flags)


@dataclass(frozen=True, slots=True)
class _Match:
    user_id: int
    number: int  # the attempt's number among the user's attempts
    partners: tuple[str, ...]  # the names of the other accounts whose attempt matches


def _same_answer_matches(round_: Round) -> list[_Match]:
    """The attempts SAME_ANSWERS flags, read one shared fingerprint at a time.

    A big round has tens of thousands of candidates but few matches: streaming the
    candidates grouped by fingerprint keeps only the largest group and the matches,
    and the partners' names are read with their attempts.
    """
    candidates = (
        _same_answer_candidates(round_)
        .order_by("answers_fingerprint", "pk")
        .values_list(
            "pk",
            "user_id",
            "number",
            "answers_fingerprint",
            "duration_ms",
            "submitted_at",
            "user__full_name",
        )
        .iterator(chunk_size=CHUNK)
    )
    tolerance = timedelta(seconds=settings.SUSPICION_SAME_ANSWERS_SECONDS)
    matches: list[_Match] = []
    for _fingerprint, group in groupby(candidates, key=itemgetter(3)):
        rows = list(group)
        sheets = (
            suspicion.AnswerSheet(
                attempt_id=pk,
                user_id=user_id,
                fingerprint=fingerprint,
                duration_ms=duration_ms,
                submitted_at=submitted_at,
            )
            for pk, user_id, _number, fingerprint, duration_ms, submitted_at, _name in rows
        )
        partners = suspicion.same_answers(sheets, tolerance=tolerance)
        names = {row[1]: row[6] for row in rows}
        for pk, user_id, number, *_rest in rows:
            if pk in partners:
                partner_names = sorted(names[other] for other in partners[pk])
                matches.append(_Match(user_id, number, tuple(partner_names)))
    return matches


def _flag_same_answers(flags: dict[int, list[Flag]], matches: list[_Match]) -> None:
    for match in sorted(matches, key=lambda m: (m.user_id, m.number)):
        flags[match.user_id].append(
            Flag(
                suspicion.SAME_ANSWERS,
                _(
                    "Trùng đáp án và thời gian làm bài, thời điểm nộp (lượt "
                    "%(number)d) với: %(names)s"
                )
                % {"number": match.number, "names": ", ".join(match.partners)},
            )
        )


def _crowd_registrations(round_: Round) -> Iterator[list[suspicion.Registration]]:
    """The registrations of each address from which the round's finished attempts'
    accounts registered, one address at a time, for the addresses with at least the
    accounts a crowd needs (a window never holds more accounts than its address)."""
    addresses = (
        User.objects.filter(
            attempts__round=round_,
            attempts__status=Attempt.Status.FINISHED,
            registered_ip__isnull=False,
        )
        .values("registered_ip")
        .distinct()
    )
    crowded = (
        User.objects.filter(registered_ip__in=addresses)
        .values("registered_ip")
        .annotate(accounts=Count("pk"))
        .filter(accounts__gte=settings.SUSPICION_ADDRESS_ACCOUNTS)
        .values("registered_ip")
    )
    rows = (
        User.objects.filter(registered_ip__in=crowded)
        .order_by("registered_ip")
        .values_list("pk", "registered_ip", "date_joined")
        .iterator(chunk_size=CHUNK)
    )
    for _address, group in groupby(rows, key=itemgetter(1)):
        yield [
            suspicion.Registration(user_id=pk, address=address, registered_at=joined)
            for pk, address, joined in group
        ]


def _flag_shared_addresses(flags: dict[int, list[Flag]], round_: Round) -> None:
    minutes = settings.SUSPICION_ADDRESS_WINDOW_MINUTES
    for registrations in _crowd_registrations(round_):
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
                    % {
                        "n": crowd.accounts,
                        "address": crowd.address,
                        "minutes": minutes,
                    },
                )
            )


def _registered(cluster: suspicion_predictions.PredictionCluster) -> str:
    start = timezone.localtime(cluster.registered_from)
    end = timezone.localtime(cluster.registered_to)
    if start.date() == end.date():
        return f"{start:%H:%M}–{end:%H:%M} ngày {start:%d/%m/%Y}"
    return f"{start:%H:%M} ngày {start:%d/%m/%Y} – {end:%H:%M} ngày {end:%d/%m/%Y}"


def _flag_prediction_clusters(flags: dict[int, list[Flag]], round_: Round) -> None:
    """PREDICTION_CLUSTER over the computed result's rows: each person's counted
    attempt, the prediction that ranked them (nothing before a result exists)."""
    clusters = round_prediction_clusters(round_=round_)
    for user_id, cluster in sorted(clusters.items()):
        values = {
            "n": cluster.accounts,
            "address": cluster.address,
            "registered": _registered(cluster),
            "low": thousands(cluster.low),
            "high": thousands(cluster.high),
            "others_in": thousands(cluster.others_in_range),
            "others": thousands(cluster.others),
        }
        if cluster.kind == suspicion_predictions.BY_ADDRESS:
            group = _("%(n)d tài khoản cùng địa chỉ %(address)s") % values
        else:
            group = _("%(n)d tài khoản đăng ký cùng đợt (%(registered)s)") % values
        flags[user_id].append(
            Flag(
                suspicion_predictions.PREDICTION_CLUSTER,
                _(
                    "Dự đoán sát nhau: %(group)s dự đoán trong khoảng "
                    "%(low)s–%(high)s (%(others_in)s trong %(others)s dự đoán khác "
                    "của tuần thi nằm trong khoảng này)"
                )
                % {**values, "group": group},
            )
        )


def flags_text(flags: list[Flag] | None) -> str:
    """The flags as one line for a table cell; "" when there are none."""
    return SEPARATOR.join(flag.label for flag in flags or ())
