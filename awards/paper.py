"""What every paper the portal prints carries: the official header, the place and
date line, the signature blocks the contest sets, and a full address with its QR
code where the paper can be checked (awards.paper_views)."""

import io
from dataclasses import dataclass
from datetime import date

import segno
from django.conf import settings
from django.urls import reverse

from awards.models import Signatory
from rounds.models import Contest

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True, slots=True)
class Signature:
    title: str
    name: str


@dataclass(frozen=True, slots=True)
class OfficialHeader:
    parent_body: str  # "UBND TỈNH HÀ GIANG", may be empty
    organizer: str  # "BAN TỔ CHỨC CUỘC THI …"
    date_line: str  # "Hà Giang, ngày 05 tháng 12 năm 2026"
    signatures: tuple[Signature, ...]


def date_line(place: str, day: date) -> str:
    """ "Hà Giang, ngày 05 tháng 12 năm 2026", as Vietnamese documents write it."""
    words = f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"
    return f"{place}, {words}" if place else words.capitalize()


def official_header(
    *, contest: Contest, day: date, for_certificates: bool = False
) -> OfficialHeader:
    """The contest's header and its signature blocks for lists or certificates."""
    signatories = Signatory.objects.filter(contest=contest)
    signatories = signatories.filter(
        **({"on_certificates": True} if for_certificates else {"on_lists": True})
    )
    return OfficialHeader(
        parent_body=contest.parent_body.upper(),
        organizer=(contest.organizer_name or "Ban Tổ chức cuộc thi").upper(),
        date_line=date_line(contest.document_place, day),
        signatures=tuple(Signature(s.title, s.name) for s in signatories),
    )


def full_url(path: str) -> str:
    """The address a reader types or scans: the site's own, then the path."""
    return f"{settings.SITE_URL}{path}"


def list_check_url(checksum: str) -> str:
    """Where anyone holding a printed approved list checks it by its checksum."""
    return full_url(reverse("awards:list-check", args=[checksum]))


def qr_png(data: str, *, scale: int = 4) -> bytes:
    """A QR code of `data` as a PNG, with the quiet zone phone cameras need."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
