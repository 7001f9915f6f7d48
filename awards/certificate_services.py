"""Certificates: issued lazily for approved results, their PDFs cached by code."""

import hashlib
import re
from collections.abc import Callable
from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards import certificates, paper
from awards.models import (
    CERTIFICATE_CODE_ALPHABET,
    CERTIFICATE_CODE_LENGTH,
    Certificate,
    RankingRules,
    ResultRow,
    RoundResult,
)
from rounds.models import Contest

PDF_CACHE_SECONDS = 7 * 24 * 3600
# Bump when the layout changes so cached PDFs are drawn again.
PDF_LAYOUT_VERSION = 2
_NOT_CODE = re.compile(r"[^0-9A-Za-z]")


def certificate_code_normalize(code: str) -> str | None:
    """The stored form of a typed code (any case, dashes, spaces), or None if malformed."""
    code = _NOT_CODE.sub("", code or "").upper()
    if len(code) != CERTIFICATE_CODE_LENGTH or set(code) - set(
        CERTIFICATE_CODE_ALPHABET
    ):
        return None
    return code


def _rules(row: ResultRow) -> RankingRules | None:
    try:
        return row.result.round.contest.ranking_rules
    except RankingRules.DoesNotExist:
        return None


def _entitled(row: ResultRow, rules: RankingRules | None) -> bool:
    return certificates.is_entitled(
        enabled=bool(rules and rules.certificates_enabled),
        prize_name=row.prize_name,
        correct=row.correct,
        question_count=row.question_count,
        min_correct_percent=rules.certificate_min_correct_percent if rules else None,
        skip_reason=row.skip_reason,
    )


@transaction.atomic
def certificate_issue(*, row: ResultRow, now: datetime | None = None) -> Certificate:
    """The row's certificate, issued on first call; the same one on every later call."""
    # The row lock makes get-or-create safe when two downloads race.
    row = (
        ResultRow.objects.select_for_update(of=("self",))
        .select_related("result__round__contest")
        .get(pk=row.pk)
    )
    if row.result.status != RoundResult.Status.APPROVED:
        raise ValidationError(
            _("Kết quả tuần thi chưa được phê duyệt."), code="not_approved"
        )
    existing = Certificate.objects.filter(result_row=row).first()
    if existing is not None:
        # Once issued it stays valid: it may already be printed and shown to others.
        return existing
    rules = _rules(row)
    if not (rules and rules.certificates_enabled):
        raise ValidationError(_("Cuộc thi không cấp giấy chứng nhận."), code="disabled")
    if not _entitled(row, rules):
        raise ValidationError(
            _("Kết quả này không đủ điều kiện cấp giấy chứng nhận."),
            code="not_entitled",
        )
    round_ = row.result.round
    certificate = Certificate(
        result_row=row,
        issued_at=now or timezone.now(),
        kind=Certificate.Kind.PRIZE if row.prize_name else Certificate.Kind.ACHIEVEMENT,
        full_name=row.full_name,
        unit_name=row.unit_name,
        contest_title=round_.contest.title,
        round_name=round_.name,
        result_text=_("%(correct)s/%(total)s câu đúng")
        % {"correct": row.correct, "total": row.question_count},
        prize_name=row.prize_name,
    )
    certificate.full_clean()
    certificate.save()
    return certificate


def certificate_issue_all(
    *, user: User, now: datetime | None = None
) -> list[Certificate]:
    """Issue every certificate the user is now entitled to; return all of theirs."""
    pending = (
        ResultRow.objects.filter(
            user=user,
            result__status=RoundResult.Status.APPROVED,
            certificate__isnull=True,
        )
        .exclude(skip_reason=certificates.DISQUALIFIED)
        .select_related("result__round__contest__ranking_rules")
    )
    for row in pending:
        if _entitled(row, _rules(row)):
            certificate_issue(row=row, now=now)
    return list(
        Certificate.objects.filter(result_row__user=user).order_by(
            "-result_row__result__round__closes_at", "-pk"
        )
    )


def certificate_get_by_code(*, code: str) -> Certificate | None:
    """The certificate a typed code names, or None."""
    normalized = certificate_code_normalize(code)
    if normalized is None:
        return None
    return Certificate.objects.filter(code=normalized).first()


def verify_path(grouped_code: str) -> str:
    """Where the public page checks a code: the same for a person's and a unit's."""
    return f"{reverse('certificates:verify')}?ma={grouped_code}"


def certificate_verify_path(*, certificate: Certificate) -> str:
    return verify_path(certificate.grouped_code)


def draw_cached(
    *,
    kind: str,
    code: str,
    grouped_code: str,
    verify_path: str,
    contest: Contest,
    issued_at: datetime,
    draw: Callable[[certificates.Paper], bytes],
) -> bytes:
    """A certificate's PDF drawn around its body by `draw`, then served from the cache.

    The header and signatures are the contest's as they are now (awards.paper), read
    on every call: they key the cache, so a signatory the organizers change shows on
    the next download instead of a week later.
    """
    local = timezone.localtime(issued_at)
    header = paper.official_header(
        contest=contest, day=local.date(), for_certificates=True
    )
    url = paper.full_url(verify_path)
    digest = hashlib.sha256(repr((header, url)).encode()).hexdigest()[:16]
    key = f"{kind}-pdf:v{PDF_LAYOUT_VERSION}:{code}:{digest}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = draw(
            certificates.Paper(
                parent_body=header.parent_body,
                organizer=header.organizer,
                date_line=header.date_line,
                signers=tuple(
                    certificates.Signer(s.title, s.name) for s in header.signatures
                ),
                code=grouped_code,
                verify_url=url,
                qr_png=paper.qr_png(url),
                issued_at=local,
            )
        )
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


def certificate_pdf(*, certificate: Certificate) -> bytes:
    """The certificate's PDF; a revoked one is not drawn again."""
    # A revoked certificate has lost its row, hence its contest's header; its owner
    # no longer sees it (certificate_download serves current rows only) and the
    # public page says it is revoked, so there is nothing to draw it for.
    if certificate.result_row_id is None or certificate.revoked_at is not None:
        raise ValidationError(_("Giấy chứng nhận đã bị thu hồi."), code="revoked")

    def draw(sheet: certificates.Paper) -> bytes:
        return certificates.render_pdf(
            certificates.CertificateText(
                full_name=certificate.full_name,
                unit_name=certificate.unit_name,
                contest_title=certificate.contest_title,
                round_name=certificate.round_name,
                result_text=certificate.result_text,
                prize_name=certificate.prize_name,
                paper=sheet,
            )
        )

    return draw_cached(
        kind="certificate",
        code=certificate.code,
        grouped_code=certificate.grouped_code,
        verify_path=certificate_verify_path(certificate=certificate),
        contest=certificate.result_row.result.round.contest,
        issued_at=certificate.issued_at,
        draw=draw,
    )
