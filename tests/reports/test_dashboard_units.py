"""The dashboard's unit tables: participants by occupation and age band, search by
accent-free name, pages, bad parameters and the query count."""

import re
from datetime import date
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from quizzes.models import QuestionRevision
from reports.dashboard_units import participants_tally_get
from tests.factories import RoundFactory, UnitFactory, UserFactory
from tests.reports import finished, vn

pytestmark = pytest.mark.django_db

URL = reverse("reports:dashboard")
# 00:30 on 10 September in Vietnam is still 9 September in UTC: the age is counted
# on the local day.
JUST_AFTER_MIDNIGHT = vn(10, 0, 30)
Occ = User.Occupation


def member_of(group: str, **fields) -> User:
    user = UserFactory(unit=None, **fields)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def revisions(round_) -> list[QuestionRevision]:
    return list(QuestionRevision.objects.order_by("pk")[:5])


@pytest.fixture
def took_part(round_, revisions):
    def took_part(unit, occupation, born, *, at=JUST_AFTER_MIDNIGHT, in_round=None):
        user = UserFactory(unit=unit, occupation=occupation, date_of_birth=born)
        finished(user, in_round or round_, revisions, correct=3, at=at)
        return user

    return took_part


@pytest.fixture
def world(took_part):
    """Đồng Văn district: 3 people in Lũng Cú, 2 in Sà Phìn; 1 more in Sở Y tế."""
    district = UnitFactory(name="UBND huyện Đồng Văn", level="district", headcount=0)
    lung_cu = UnitFactory(name="UBND xã Lũng Cú", parent=district, headcount=2)
    sa_phin = UnitFactory(name="UBND xã Sà Phìn", parent=district, headcount=2)
    health = UnitFactory(name="Sở Y tế", level="provincial_department")
    took_part(lung_cu, Occ.STUDENT, date(2010, 9, 10))  # 14 that very day
    took_part(lung_cu, Occ.STUDENT, date(2010, 9, 11))  # 14 the day after
    took_part(lung_cu, Occ.CIVIL_SERVANT, date(1990, 1, 15))
    took_part(sa_phin, Occ.WORKER, date(1960, 1, 1))
    took_part(sa_phin, Occ.OTHER, None)
    took_part(health, Occ.CIVIL_SERVANT, date(1990, 1, 15))
    return {"district": district, "lung_cu": lung_cu, "sa_phin": sa_phin}


# Columns: occupations in User.Occupation order then "Chưa khai báo"; age bands
# dưới 14, 14–17, 18–30, 31–45, 46–60, trên 60, then "Chưa rõ ngày sinh".
def split(counts) -> tuple:
    return counts.total, counts.by_occupation, counts.by_age


def test_each_unit_counts_its_people_by_occupation_and_age_band(round_, world):
    result = participants_tally_get(contest=round_.contest)

    assert split(result.per_unit[world["lung_cu"].pk]) == (
        3,
        (1, 2, 0, 0, 0, 0),
        (1, 1, 0, 1, 0, 0, 0),
    )
    assert split(result.per_unit[world["sa_phin"].pk]) == (
        2,
        (0, 0, 0, 1, 1, 0),
        (0, 0, 0, 0, 0, 1, 1),
    )
    assert split(result.per_unit[world["district"].pk]) == (
        5,
        (1, 2, 0, 1, 1, 0),
        (1, 1, 0, 1, 0, 1, 1),
    )
    assert split(result.total) == (6, (2, 2, 0, 1, 1, 0), (1, 1, 0, 2, 0, 1, 1))


@pytest.mark.parametrize(
    ("born", "band"),
    [
        pytest.param(date(2010, 9, 10), 1, id="14th-birthday-counts-as-14"),
        pytest.param(date(2010, 9, 11), 0, id="day-before-14th-birthday"),
    ],
)
def test_age_is_counted_on_the_local_day_of_the_attempt(round_, took_part, born, band):
    unit = UnitFactory()
    took_part(unit, Occ.STUDENT, born)

    by_age = participants_tally_get(contest=round_.contest).per_unit[unit.pk].by_age

    assert by_age.index(1) == band


def test_age_is_counted_on_the_first_attempt_in_the_contest(round_, took_part):
    """Chosen the later week, a pupil who turned 14 in between still counts as 13."""
    later = RoundFactory(contest=round_.contest)
    unit = UnitFactory()
    pupil = took_part(unit, Occ.STUDENT, date(2010, 9, 15), at=vn(10))
    finished(
        pupil,
        later,
        list(QuestionRevision.objects.order_by("pk")),
        correct=1,
        at=vn(20),
    )

    week = participants_tally_get(contest=round_.contest, round_=later)

    assert split(week.per_unit[unit.pk]) == (
        1,
        (0, 1, 0, 0, 0, 0),
        (1, 0, 0, 0, 0, 0, 0),
    )


def test_a_chosen_week_counts_only_its_participants(round_, world, took_part):
    later = RoundFactory(contest=round_.contest)
    took_part(world["sa_phin"], Occ.WORKER, date(1980, 1, 1), in_round=later)

    week = participants_tally_get(contest=round_.contest, round_=later)

    assert week.total.total == 1
    assert week.per_unit[world["district"].pk].by_occupation == (0, 0, 0, 1, 0, 0)


def test_practice_attempts_do_not_count(round_, revisions):
    user = UserFactory()
    finished(user, round_, revisions, correct=5, is_practice=True)

    assert participants_tally_get(contest=round_.contest).total.total == 0


def test_the_committee_sees_every_unit_and_the_totals(client, round_, world):
    client.force_login(member_of("Ban Giám khảo"))

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<section class="card" id="theo-do-tuoi"><h2>Người dự thi theo độ tuổi' in html
    )
    assert (
        '<tr><th scope="row">UBND xã Lũng Cú</th><td class="num">1</td>'
        '<td class="num">1</td><td class="num">0</td><td class="num">1</td>'
        '<td class="num">0</td><td class="num">0</td><td class="num">0</td>'
        '<td class="num">3</td></tr>' in html
    )
    assert response.context["units"].total.total == 6


def test_a_unit_manager_sees_their_subtree_only(client, round_, world):
    client.force_login(member_of("Quản lý đơn vị", managed_unit=world["district"]))

    response = client.get(URL)

    units = response.context["units"]
    html = response.content.decode()
    assert [row.rate.name for row in units.rows()] == [
        "UBND huyện Đồng Văn",
        "UBND xã Lũng Cú",
        "UBND xã Sà Phìn",
    ]
    assert split(units.total) == (5, (1, 2, 0, 1, 1, 0), (1, 1, 0, 1, 0, 1, 1))
    assert "Sở Y tế" not in html
    assert "Tổng cộng (UBND huyện Đồng Văn)" in html


def test_the_tables_are_focusable_regions_with_scoped_headers(client, round_, world):
    client.force_login(member_of("Ban Giám khảo"))

    html = client.get(URL).content.decode()

    for label in (
        "Tỷ lệ tham gia theo đơn vị",
        "Người dự thi theo đối tượng",
        "Người dự thi theo độ tuổi",
    ):
        region = (
            f'<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">'
        )
        assert region in html
    assert "<th>" not in html


def names_found(client, query: str) -> list[str]:
    units = client.get(URL, {"tim": query}).context["units"]
    return [row.rate.name for row in units.rows()]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        pytest.param("lung cu", ["UBND xã Lũng Cú"], id="without-accents"),
        pytest.param("Lũng Cú", ["UBND xã Lũng Cú"], id="with-accents"),
        pytest.param("  LUNG   cu ", ["UBND xã Lũng Cú"], id="case-and-spaces"),
        pytest.param("cu lung", ["UBND xã Lũng Cú"], id="words-in-any-order"),
        pytest.param("luong cu", ["UBND xã Lũng Cú"], id="one-letter-off"),
        pytest.param("dong van", ["UBND huyện Đồng Văn"], id="d-with-stroke"),
        pytest.param(
            "ubnd xa",
            ["UBND xã Lũng Cú", "UBND xã Sà Phìn"],
            id="several-in-tree-order",
        ),
    ],
)
def test_the_search_finds_units_by_accent_free_name(
    client, round_, world, query, found
):
    client.force_login(member_of("Ban Giám khảo"))

    assert names_found(client, query) == found


def test_a_search_that_finds_nothing_says_so(client, round_, world):
    client.force_login(member_of("Ban Giám khảo"))

    response = client.get(URL, {"tim": "Hà Giang xyz"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Không tìm thấy đơn vị nào có tên khớp với “Hà Giang xyz”" in html
    assert "Người dự thi theo độ tuổi" not in html


def test_a_near_match_is_announced_as_such(client, round_, world):
    client.force_login(member_of("Ban Giám khảo"))

    html = client.get(URL, {"tim": "luong cu"}).content.decode()

    assert "Không có đơn vị nào có tên chứa “luong cu”" in html
    assert "có tên gần giống" in html


@pytest.fixture
def thirty_units(round_):
    return [UnitFactory(name=f"UBND phường Số {n:02d}") for n in range(1, 31)]


def test_the_units_come_in_pages(client, round_, thirty_units):
    client.force_login(member_of("Ban Giám khảo"))

    second = client.get(URL, {"trang": "2"}).context["units"]

    assert second.page.paginator.count == 30
    assert [row.rate.name for row in second.rows()] == [
        f"UBND phường Số {n:02d}" for n in range(26, 31)
    ]


@pytest.mark.parametrize(
    ("value", "number"),
    [
        pytest.param("abc", 1, id="letters"),
        pytest.param("²", 1, id="superscript"),
        pytest.param("1e5", 1, id="exponent"),
        pytest.param("", 1, id="empty"),
        pytest.param("0", 2, id="zero"),
        pytest.param("-1", 2, id="negative"),
        pytest.param("999", 2, id="past-the-end"),
        pytest.param("9" * 30, 2, id="huge"),
    ],
)
def test_a_bad_page_number_shows_the_nearest_page(
    client, round_, thirty_units, value, number
):
    client.force_login(member_of("Ban Giám khảo"))

    response = client.get(URL, {"trang": value})

    assert response.status_code == 200
    assert response.context["units"].page.number == number


def test_the_page_links_keep_the_contest_week_and_search(client, round_, thirty_units):
    client.force_login(member_of("Ban Giám khảo"))
    params = {"cuoc-thi": round_.contest.slug, "tuan": str(round_.pk), "tim": "so"}

    html = client.get(URL, params).content.decode()

    pager = re.search(r'<nav class="pager.*?</nav>', html, re.S).group(0)
    links = [unescape(href) for href in re.findall(r'href="([^"]+)"', pager)]
    assert links
    for link in links:
        assert f"cuoc-thi={round_.contest.slug}" in link
        assert f"tuan={round_.pk}" in link
        assert "tim=so" in link
        assert "#don-vi" in link
    assert any("trang=2" in link for link in links)


def test_the_search_form_keeps_the_contest_and_week(client, round_, thirty_units):
    client.force_login(member_of("Ban Giám khảo"))

    html = client.get(
        URL, {"cuoc-thi": round_.contest.slug, "tuan": str(round_.pk)}
    ).content.decode()

    form = re.search(r'<form method="get" action="#don-vi".*?</form>', html, re.S)
    assert f'name="cuoc-thi" value="{round_.contest.slug}"' in form.group(0)
    assert f'name="tuan" value="{round_.pk}"' in form.group(0)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"tim": "a" * 5000}, id="long-search"),
        pytest.param({"tim": "%_\\'"}, id="like-wildcards"),
        pytest.param({"tuan": "abc", "trang": "x"}, id="bad-week-and-page"),
    ],
)
def test_odd_parameters_are_never_an_error(client, round_, thirty_units, params):
    client.force_login(member_of("Ban Giám khảo"))

    response = client.get(URL, params)

    assert response.status_code == 200


@pytest.mark.parametrize("slug", ["khong-co", "x" * 500], ids=["unknown", "long"])
def test_an_unknown_contest_is_not_found(client, round_, slug):
    """A NUL byte never gets this far: the request is refused as a 400 before."""
    client.force_login(member_of("Ban Giám khảo"))

    response = client.get(URL, {"cuoc-thi": slug})

    assert response.status_code == 404


# Session and user (2), permissions (2), contests and weeks (2), the board's
# figures (9), then the unit tables: the units and the participants (2), whatever
# the number of units, the page or the search.
MAX_QUERIES = 17


@pytest.fixture
def three_hundred_units(round_, took_part):
    province = UnitFactory(name="UBND tỉnh Hà Giang", level="province")
    units = [UnitFactory(parent=province) for _ in range(299)]
    for unit in units[::30]:
        took_part(unit, Occ.CIVIL_SERVANT, date(1990, 1, 1))
    return units


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, id="first-page"),
        pytest.param({"trang": "7"}, id="a-later-page"),
        pytest.param({"tim": "xa so 1"}, id="a-search"),
    ],
)
def test_the_page_reads_a_bounded_number_of_queries(
    client, round_, three_hundred_units, django_assert_max_num_queries, params
):
    client.force_login(member_of("Ban Giám khảo"))

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(URL, params)

    assert response.status_code == 200
    assert response.context["units"].units == 300


def test_the_unit_figures_are_cached_with_the_board(client, round_, world):
    client.force_login(member_of("Ban Giám khảo"))
    client.get(URL)
    cached = participants_tally_get(contest=round_.contest)
    newcomer = UserFactory(unit=world["lung_cu"])
    finished(newcomer, round_, list(QuestionRevision.objects.all()), correct=1)

    again = participants_tally_get(contest=round_.contest)

    assert again == cached
