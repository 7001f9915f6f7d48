"""What a certificate carries as an official paper: the header, the signatures, the
full verification address and its QR code, read back from the real PDF; the unit's
collective certificate (giấy khen tập thể) the same way, and who may download it."""

import io
import unicodedata
from datetime import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from awards import certificate_services, certificates, services, unit_certificates
from awards.models import (
    Certificate,
    PrizeTier,
    RankingRules,
    ResultRow,
    Signatory,
    UnitCertificate,
    UnitResult,
    UnitResultRow,
)
from awards.paper import MOTTO, NATION, qr_png
from quizzes.models import QuestionRevision
from rounds.models import Contest
from tests.factories import (
    ContestFactory,
    RoundFactory,
    UnitFactory,
    UserFactory,
    make_finished_attempt,
)
from tests.websec import staff_in

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SITE = "https://cuocthi.hagiang.gov.vn"
AFTER_CLOSE = datetime(2024, 9, 30, 8, 0, tzinfo=VN)
ISSUED = datetime(2024, 10, 5, 9, 0, tzinfo=VN)
DATE_LINE = "Hà Giang, ngày 05 tháng 10 năm 2024"
TITLE = "Cuộc thi tìm hiểu Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def contest() -> Contest:
    return ContestFactory(
        title=TITLE,
        parent_body="UBND tỉnh Hà Giang",
        organizer_name="Ban Tổ chức cuộc thi tìm hiểu Hiến pháp",
        document_place="Hà Giang",
    )


@pytest.fixture
def signers(contest) -> list[Signatory]:
    return [
        Signatory.objects.create(
            contest=contest,
            order=1,
            title="TM. Ban Tổ chức",
            name="Nguyễn Văn An",
            on_certificates=True,
        ),
        Signatory.objects.create(
            contest=contest,
            order=2,
            title="Trưởng Ban Giám khảo",
            name="Trần Thị Bình",
            on_certificates=True,
        ),
        Signatory.objects.create(
            contest=contest,
            order=3,
            title="Người lập danh sách",
            name="Lò Văn Pó",
            on_lists=True,
            on_certificates=False,
        ),
    ]


@pytest.fixture
def judge() -> User:
    return UserFactory(is_staff=True)


@pytest.fixture
def certificate(bank, contest, judge) -> Certificate:
    """The first prize's certificate of an approved round."""
    round_ = RoundFactory(
        contest=contest,
        name="Tuần thi thứ nhất",
        opens_at=datetime(2024, 9, 9, 7, 30, tzinfo=VN),
        closes_at=datetime(2024, 9, 29, 23, 50, tzinfo=VN),
    )
    contest.topics.set(bank)
    RankingRules.objects.create(contest=contest, certificates_enabled=True)
    PrizeTier.objects.create(
        contest=contest,
        kind=PrizeTier.Kind.INDIVIDUAL,
        name="Giải nhất",
        count=1,
        amount_vnd=2_000_000,
        order=1,
    )
    winner = UserFactory(full_name="Nguyễn Thị Ánh Tuyết")
    make_finished_attempt(
        winner,
        round_,
        list(QuestionRevision.objects.order_by("pk")[:5]),
        correct=5,
        at=datetime(2024, 9, 10, 10, 0, tzinfo=VN),
    )
    result = services.result_compute(round_=round_, actor=judge, now=AFTER_CLOSE)
    services.result_approve(result=result, actor=judge)
    return certificate_services.certificate_issue(
        row=ResultRow.objects.get(user=winner), now=ISSUED
    )


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in read(pdf).pages)
    return unicodedata.normalize("NFC", text)


def qr_texts(pdf: bytes) -> list[str]:
    """Every QR code in the PDF's embedded images, decoded."""
    return [
        barcode.text
        for page in read(pdf).pages
        for image in page.images
        for barcode in zxingcpp.read_barcodes(image.image)
    ]


def verify_url(code: str) -> str:
    return f"{SITE}/giay-chung-nhan/xac-minh/?ma={code}"


# --- a person's certificate ------------------------------------------------------------


def test_the_pdf_carries_the_header_signatures_and_full_address(certificate, signers):
    pdf = certificate_services.certificate_pdf(certificate=certificate)

    text = text_of(pdf)
    assert len(read(pdf).pages) == 1
    for expected in (
        "UBND TỈNH HÀ GIANG",
        "BAN TỔ CHỨC CUỘC THI TÌM HIỂU HIẾN PHÁP",
        NATION,
        MOTTO,
        DATE_LINE,
        "TM. BAN TỔ CHỨC",
        "Nguyễn Văn An",
        "TRƯỞNG BAN GIÁM KHẢO",
        "Trần Thị Bình",
        f"Xác minh tại: {verify_url(certificate.grouped_code)}",
        "Chứng nhận: Nguyễn Thị Ánh Tuyết",
    ):
        assert expected in text, expected


def test_a_signatory_of_lists_only_does_not_sign_certificates(certificate, signers):
    pdf = certificate_services.certificate_pdf(certificate=certificate)

    text = text_of(pdf)
    assert "Lò Văn Pó" not in text
    assert "NGƯỜI LẬP DANH SÁCH" not in text


def test_the_qr_code_reads_as_the_full_verification_address(certificate):
    pdf = certificate_services.certificate_pdf(certificate=certificate)

    assert qr_texts(pdf) == [verify_url(certificate.grouped_code)]


def test_without_certificate_signatories_the_organizers_sign_unnamed(certificate):
    pdf = certificate_services.certificate_pdf(certificate=certificate)

    assert "TM. BAN TỔ CHỨC" in text_of(pdf)


def test_a_changed_signatory_shows_at_the_next_download(certificate, signers):
    certificate_services.certificate_pdf(certificate=certificate)
    Signatory.objects.filter(pk=signers[0].pk).update(name="Hoàng Văn Cường")

    pdf = certificate_services.certificate_pdf(certificate=certificate)

    assert "Hoàng Văn Cường" in text_of(pdf)
    assert "Nguyễn Văn An" not in text_of(pdf)


def test_a_revoked_certificate_is_not_drawn(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        result_row=None, revoked_at=ISSUED, revoked_reason="Sai đáp án câu 3."
    )
    certificate.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        certificate_services.certificate_pdf(certificate=certificate)

    assert error.value.code == "revoked"


def test_a_long_title_and_four_signers_still_fit_one_page():
    address = verify_url("ABCD-EFGH-JKLM")
    sheet = certificates.Paper(
        parent_body="ỦY BAN NHÂN DÂN TỈNH HÀ GIANG",
        organizer="BAN TỔ CHỨC CUỘC THI TRỰC TUYẾN TÌM HIỂU PHÁP LUẬT " * 2,
        date_line=DATE_LINE,
        signers=tuple(
            certificates.Signer(
                f"KT. Trưởng Ban Tổ chức, Phó Trưởng Ban {n}", f"Ký {n}"
            )
            for n in range(4)
        ),
        code="ABCD-EFGH-JKLM",
        verify_url=address,
        qr_png=qr_png(address),
        issued_at=ISSUED,
    )
    text = certificates.CertificateText(
        full_name="Tôn Nữ Thị Hoàng Phương Ngọc Diễm Kiều Trang",
        unit_name="Trường Phổ thông Dân tộc Nội trú Trung học cơ sở và Trung học phổ thông",
        contest_title=f"{TITLE} và pháp luật về phòng, chống tham nhũng, tiêu cực năm 2024",
        round_name="Tuần thi thứ mười hai",
        result_text="20/20 câu đúng",
        prize_name="Giải khuyến khích",
        paper=sheet,
    )

    pdf = certificates.render_pdf(text)

    assert len(read(pdf).pages) == 1
    assert all(f"Ký {n}" in text_of(pdf) for n in range(4))
    assert qr_texts(pdf) == [sheet.verify_url]


# --- a unit's collective certificate -------------------------------------------------


@pytest.fixture
def unit_result(contest, judge) -> UnitResult:
    return UnitResult.objects.create(
        contest=contest,
        status=UnitResult.Status.APPROVED,
        ruleset={},
        computed_by=judge,
        computed_at=AFTER_CLOSE,
        approved_by=judge,
        approved_at=AFTER_CLOSE,
    )


def unit_row(result: UnitResult, *, prize_name: str, rank: int = 1) -> UnitResultRow:
    unit = UnitFactory(name=f"UBND xã Lũng Cú {rank}")
    return UnitResultRow.objects.create(
        result=result,
        group_name="Khối xã, thị trấn",
        rank=rank,
        unit=unit,
        unit_name=unit.name,
        headcount=40,
        participants=37,
        rate_percent=Decimal("92.50"),
        average_score_percent=Decimal("78.20"),
        winners=2,
        prize_name=prize_name,
    )


@pytest.fixture
def prized(unit_result) -> UnitResultRow:
    return unit_row(unit_result, prize_name="Giải Nhất tập thể")


def test_unit_issue_freezes_the_texts(prized, judge):
    issued = unit_certificates.unit_certificate_issue(
        row=prized, actor=judge, now=ISSUED
    )

    stored = UnitCertificate.objects.get()
    assert stored == issued
    assert stored.result_row == prized
    assert stored.issued_by == judge
    assert stored.issued_at == ISSUED
    assert stored.unit_name == "UBND xã Lũng Cú 1"
    assert stored.contest_title == TITLE
    assert stored.group_name == "Khối xã, thị trấn"
    assert stored.prize_name == "Giải Nhất tập thể"
    assert stored.result_text == (
        "Hạng 1; tỷ lệ tham gia 92,50%; trung bình 78,20% câu trả lời đúng"
    )


def test_unit_issue_twice_returns_the_same_certificate(prized, judge):
    first = unit_certificates.unit_certificate_issue(row=prized, actor=judge)

    second = unit_certificates.unit_certificate_issue(row=prized, actor=judge)

    assert second.pk == first.pk
    assert UnitCertificate.objects.count() == 1


def test_unit_issue_on_a_provisional_result_is_refused(prized, unit_result, judge):
    UnitResult.objects.filter(pk=unit_result.pk).update(
        status=UnitResult.Status.PROVISIONAL
    )

    with pytest.raises(ValidationError) as error:
        unit_certificates.unit_certificate_issue(row=prized, actor=judge)

    assert error.value.code == "not_approved"
    assert not UnitCertificate.objects.exists()


def test_unit_issue_without_a_collective_prize_is_refused(unit_result, judge):
    row = unit_row(unit_result, prize_name="", rank=7)

    with pytest.raises(ValidationError) as error:
        unit_certificates.unit_certificate_issue(row=row, actor=judge)

    assert error.value.code == "not_prized"
    assert not UnitCertificate.objects.exists()


def test_the_unit_pdf_carries_the_header_signatures_address_and_qr(
    prized, signers, judge
):
    issued = unit_certificates.unit_certificate_issue(
        row=prized, actor=judge, now=ISSUED
    )

    pdf = unit_certificates.unit_certificate_pdf(certificate=issued)

    text = text_of(pdf)
    assert len(read(pdf).pages) == 1
    for expected in (
        "UBND TỈNH HÀ GIANG",
        NATION,
        MOTTO,
        DATE_LINE,
        "GIẤY KHEN",
        "Tặng: UBND xã Lũng Cú 1",
        "Đạt Giải Nhất tập thể",
        "TRƯỞNG BAN GIÁM KHẢO",
        "Trần Thị Bình",
        f"Mã xác minh: {issued.grouped_code}",
        f"Xác minh tại: {verify_url(issued.grouped_code)}",
    ):
        assert expected in text, expected
    assert qr_texts(pdf) == [verify_url(issued.grouped_code)]


def test_the_unit_code_verifies_on_the_public_page(client, prized, judge):
    issued = unit_certificates.unit_certificate_issue(row=prized, actor=judge)

    response = client.get(reverse("certificates:verify"), {"ma": issued.code.lower()})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Giấy khen tập thể hợp lệ" in page
    assert "UBND xã Lũng Cú 1" in page
    assert "Giải Nhất tập thể" in page
    assert 'id="not-found"' not in page


def test_a_unit_code_never_repeats_a_persons(certificate, prized, judge):
    taken = certificate.code
    with mock.patch.object(
        unit_certificates,
        "new_certificate_code",
        side_effect=[taken, "ABCDEFGHJKLM"],
    ):
        issued = unit_certificates.unit_certificate_issue(row=prized, actor=judge)

    assert issued.code == "ABCDEFGHJKLM"
    assert UnitCertificate.objects.get().code == "ABCDEFGHJKLM"


# --- who downloads a unit's certificate ----------------------------------------------


def download_url(row: UnitResultRow) -> str:
    return reverse("admin:awards_unitresult_certificate", args=[row.pk])


@pytest.mark.parametrize(
    ("group", "status"),
    [
        pytest.param("Ban Tổ chức", 200, id="organizer"),
        pytest.param("Ban Giám khảo", 200, id="judge"),
        pytest.param("Tổ soạn thảo câu hỏi", 403, id="author"),
        pytest.param("Quản lý đơn vị", 403, id="unit-manager"),
    ],
)
def test_each_role_downloads_the_unit_certificate_or_not(client, prized, group, status):
    client.force_login(staff_in(group))

    response = client.get(download_url(prized))

    assert response.status_code == status
    assert UnitCertificate.objects.exists() is (status == 200)
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_a_contestant_is_sent_to_the_admin_login(client, prized):
    client.force_login(UserFactory())

    response = client.get(download_url(prized))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not UnitCertificate.objects.exists()


def test_a_provisional_unit_result_gives_no_certificate(client, prized, unit_result):
    UnitResult.objects.filter(pk=unit_result.pk).update(
        status=UnitResult.Status.PROVISIONAL
    )
    client.force_login(staff_in("Ban Giám khảo"))

    response = client.get(download_url(prized), follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "admin:awards_unitresult_change", args=[unit_result.pk]
    )
    assert "chưa được phê duyệt" in response.content.decode()
    assert not UnitCertificate.objects.exists()


def test_the_unit_result_page_links_each_prized_row(client, prized, unit_result):
    unprized = unit_row(unit_result, prize_name="", rank=9)
    client.force_login(staff_in("Ban Tổ chức"))

    response = client.get(
        reverse("admin:awards_unitresult_change", args=[unit_result.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert download_url(prized) in page
    assert download_url(unprized) not in page


def test_the_owner_downloads_the_pdf_with_the_full_address(client, certificate):
    owner = User.objects.get(pk=certificate.result_row.user_id)
    client.force_login(owner)

    response = client.get(
        reverse("certificates:download", args=[certificate.grouped_code])
    )

    assert response.status_code == 200
    assert verify_url(certificate.grouped_code) in text_of(response.content)
