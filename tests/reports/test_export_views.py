from urllib.parse import quote

import pytest
from django.urls import reverse

from quizzes.models import QuestionRevision
from reports.export_views import XLSX, content_disposition
from reports.models import ExportLog
from tests.factories import RoundFactory, UserFactory
from tests.reports import (
    CLOSES,
    OPENS,
    compute,
    finished,
    grant,
    headers,
    open_workbook,
    records,
    tier,
)

pytestmark = pytest.mark.django_db

LISTS = "export_lists"
PERSONAL = "export_personal_data"


@pytest.fixture
def result(bank):
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES, name="Tuần 1")
    round_.contest.topics.set(bank)
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    tier(round_.contest, "Giải nhất", 1, order=1)
    winner = UserFactory(full_name="Nguyễn Thị Ánh Tuyết", citizen_id="001190012345")
    finished(winner, round_, revisions, correct=5)
    finished(UserFactory(), round_, revisions, correct=3)
    return compute(round_, UserFactory(is_staff=True))


@pytest.fixture
def exporter():
    return grant(UserFactory(full_name="Trần Văn Bình"), LISTS)


@pytest.fixture
def committee():
    return grant(UserFactory(full_name="Phạm Thu Hà"), LISTS, PERSONAL)


def urls(result) -> dict[str, str]:
    round_id, slug = result.round_id, result.round.contest.slug
    return {
        "winners": reverse("reports:export-winners", args=[round_id]),
        "ranking": reverse("reports:export-ranking", args=[round_id]),
        "questions": reverse("reports:export-questions", args=[round_id]),
        "contest-questions": reverse("reports:export-contest-questions", args=[slug]),
        "units": reverse("reports:export-units", args=[slug]),
        "contestants": reverse("reports:export-contestants", args=[slug]),
        "bank": reverse("reports:export-bank"),
        "list": reverse("reports:export-list"),
    }


NAMES = [
    "winners",
    "ranking",
    "questions",
    "contest-questions",
    "units",
    "contestants",
    "bank",
    "list",
]
DOWNLOADS = [
    ("winners", "winners"),
    ("ranking", "ranking"),
    ("questions", "questions"),
    # Logged under the catalogue's own kind, as its background job is.
    ("contest-questions", "contest-questions"),
    ("units", "units"),
    ("contestants", "contestants"),
    ("bank", "bank"),
]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_visitors_are_sent_to_login(client, result, name):
    response = client.get(urls(result)[name])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", NAMES)
def test_without_the_export_permission_every_page_is_forbidden(client, result, name):
    client.force_login(UserFactory())

    response = client.get(urls(result)[name])

    assert response.status_code == 403
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize(("name", "kind"), DOWNLOADS, ids=[d[0] for d in DOWNLOADS])
def test_each_download_is_an_xlsx_logged_once(client, result, committee, name, kind):
    client.force_login(committee)

    response = client.get(urls(result)[name])

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    open_workbook(body(response))
    log = ExportLog.objects.get()
    assert (log.user, log.kind) == (committee, kind)


def test_the_log_records_rows_and_what_was_downloaded(client, result, exporter):
    client.force_login(exporter)

    body(client.get(urls(result)["ranking"]))

    log = ExportLog.objects.get()
    assert log.rows == 2
    assert not log.includes_personal_data
    assert log.description == f"Bảng xếp hạng - {result.round}"


def test_winners_without_personal_data_by_default(client, result, committee):
    client.force_login(committee)

    response = client.get(urls(result)["winners"])

    ws = open_workbook(body(response))
    assert "Số điện thoại" not in headers(ws)
    assert "Số CCCD" not in headers(ws)
    assert "Ngày sinh" not in headers(ws)
    assert not ExportLog.objects.get().includes_personal_data


def test_winners_committee_copy_needs_the_personal_data_permission(
    client, result, exporter
):
    client.force_login(exporter)

    response = client.get(urls(result)["winners"], {"ca-nhan": "1"})

    assert response.status_code == 403
    assert not ExportLog.objects.exists()


def test_winners_committee_copy_has_phone_and_citizen_id(client, result, committee):
    client.force_login(committee)

    response = client.get(urls(result)["winners"], {"ca-nhan": "1"})

    rows = records(open_workbook(body(response)))
    assert rows[0]["Số CCCD"] == "001190012345"
    assert rows[0]["Họ và tên"] == "Nguyễn Thị Ánh Tuyết"
    log = ExportLog.objects.get()
    assert (log.includes_personal_data, log.rows) == (True, 1)


def test_contestants_need_the_personal_data_permission(client, result, exporter):
    client.force_login(exporter)

    response = client.get(urls(result)["contestants"])

    assert response.status_code == 403
    assert not ExportLog.objects.exists()


def test_contestants_download_is_logged_as_personal(client, result, committee):
    client.force_login(committee)

    body(client.get(urls(result)["contestants"]))

    log = ExportLog.objects.get()
    assert (log.kind, log.rows, log.includes_personal_data) == ("contestants", 2, True)


def test_winners_of_a_round_without_result_is_not_found(client, exporter):
    client.force_login(exporter)

    response = client.get(reverse("reports:export-winners", args=[RoundFactory().pk]))

    assert response.status_code == 404
    assert not ExportLog.objects.exists()


def test_downloads_are_attachments_with_a_vietnamese_name(client, result, exporter):
    client.force_login(exporter)

    response = client.get(urls(result)["winners"])

    disposition = response["Content-Disposition"]
    expected = f"Danh sách đạt giải - {result.round}.xlsx"
    assert disposition.startswith('attachment; filename="danh-sach-dat-giai-')
    assert f"filename*=UTF-8''{quote(expected)}" in disposition
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "ascii_name", "utf8_name"),
    [
        pytest.param(
            "Đạt giải: Tuần 1/2.xlsx",
            "dat-giai-tuan-1-2.xlsx",
            "%C4%90%E1%BA%A1t%20gi%E1%BA%A3i-%20Tu%E1%BA%A7n%201-2.xlsx",
            id="vietnamese",
        ),
        pytest.param('"".xlsx', "bao-cao.xlsx", "-.xlsx", id="nothing-ascii"),
    ],
)
def test_content_disposition(name, ascii_name, utf8_name):
    assert content_disposition(name) == (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}"
    )


def test_the_list_page_links_every_download(client, result, committee):
    client.force_login(committee)

    response = client.get(urls(result)["list"])

    assert response.status_code == 200
    page = response.content.decode()
    for name in ("winners", "ranking", "questions", "units", "contestants", "bank"):
        assert urls(result)[name] in page
    assert "?ca-nhan=1" in page


def test_the_list_page_hides_personal_lists_without_the_permission(
    client, result, exporter
):
    client.force_login(exporter)

    page = client.get(urls(result)["list"]).content.decode()

    assert urls(result)["contestants"] not in page
    assert "?ca-nhan=1" not in page
    assert urls(result)["winners"] in page


def test_the_list_page_query_count_is_constant(
    client, result, exporter, django_assert_max_num_queries
):
    for _ in range(5):
        RoundFactory(contest=result.round.contest)
    client.force_login(exporter)

    with django_assert_max_num_queries(8):
        client.get(urls(result)["list"])
