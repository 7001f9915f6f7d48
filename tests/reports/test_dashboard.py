from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reports.dashboard import dashboard_get
from rounds import services
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("reports:dashboard")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def member_of(group: str, **fields):
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get(name=group))
    return user


def take(user, round_, now=None) -> None:
    attempt = services.attempt_start(user=user, round_=round_, now=now).attempt
    services.attempt_submit(attempt=attempt, answers={}, prediction=None, now=now)


@pytest.fixture
def district(round_):
    """Its 4 staff all work in its two communes (2 each); one takes part in each."""
    district = UnitFactory(name="UBND huyện Đồng Văn", level="district", headcount=0)
    for name in ("UBND xã Lũng Cú", "UBND xã Sà Phìn"):
        commune = UnitFactory(name=name, parent=district, headcount=2)
        take(UserFactory(unit=commune), round_)
    return district


def test_the_committee_sees_the_whole_contest(client, round_, district):
    client.force_login(member_of("Ban Giám khảo"))

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="participants">2<' in html
    assert "UBND huyện Đồng Văn" in html
    assert "50,0%" in html  # 2 of the district's 4 staff, through its communes
    assert "Biên chế (cả đơn vị trực thuộc)" in html


@pytest.mark.parametrize(
    ("target", "marked"),
    [pytest.param(50, False, id="at-target"), pytest.param(60, True, id="below")],
)
def test_units_below_the_target_are_marked(client, round_, district, target, marked):
    round_.contest.participation_target_percent = target
    round_.contest.save()
    client.force_login(member_of("Ban Tổ chức"))

    response = client.get(URL)

    row = '<tr class="below-target"><th scope="row">UBND huyện Đồng Văn</th>'
    assert (row in response.content.decode()) is marked


def test_the_query_count_does_not_grow_with_the_number_of_units(client, round_):
    client.force_login(member_of("Ban Giám khảo"))

    def queries(units: int) -> int:
        for _ in range(units):
            take(UserFactory(unit=UnitFactory()), round_)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(URL)
        return len(captured.captured_queries)

    assert queries(3) == queries(30)


def test_figures_are_cached_for_a_minute(client, round_, district):
    client.force_login(member_of("Ban Giám khảo"))
    client.get(URL)

    with CaptureQueriesContext(connection) as captured:
        client.get(URL)

    assert not any("rounds_attempt" in q["sql"] for q in captured.captured_queries)


def test_a_unit_manager_sees_only_their_unit(client, round_, district):
    outsider = UserFactory(
        full_name="Người Ngoài Đơn Vị", unit=UnitFactory(name="Sở Y tế")
    )
    take(outsider, round_)
    manager = member_of("Quản lý đơn vị", managed_unit=district)
    client.force_login(manager)

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="participants">2<' in html
    assert "Sở Y tế" not in html
    assert "Người Ngoài Đơn Vị" not in html
    assert "UBND xã Lũng Cú" in html


def test_a_contestant_may_not_see_the_dashboard(client, round_):
    client.force_login(UserFactory())

    response = client.get(URL)

    assert response.status_code == 403


def test_an_attempt_in_progress_is_counted(client, round_):
    services.attempt_start(user=UserFactory(), round_=round_, now=timezone.now())
    client.force_login(member_of("Ban Giám khảo"))

    response = client.get(URL)

    assert 'id="in-progress">1<' in response.content.decode()


def test_finished_attempts_are_counted_by_day(client, round_):
    yesterday = timezone.now() - timedelta(hours=20)
    take(UserFactory(), round_, now=yesterday)
    client.force_login(member_of("Ban Giám khảo"))

    response = client.get(URL)

    label = timezone.localtime(yesterday).strftime("%d/%m")
    assert label in response.content.decode()


def test_registrations_are_counted_by_hour(client, round_):
    joined = timezone.now() - timedelta(days=2, hours=3)  # not the judge's hour
    UserFactory(date_joined=joined)
    client.force_login(member_of("Ban Giám khảo"))

    response = client.get(URL)

    board = response.context["board"]
    hour = f"{timezone.localtime(joined).hour:02d}h"
    counts = {bar.label: bar.value for bar in board.registrations_per_hour}
    assert counts[hour] == 1


def rates_of(round_, *units) -> list[tuple]:
    board = dashboard_get(contest=round_.contest)
    by_id = {u.unit_id: u for u in board.unit_rates}
    return [
        (
            by_id[u.pk].own_headcount,
            by_id[u.pk].headcount,
            by_id[u.pk].participants,
            by_id[u.pk].rate_percent,
            by_id[u.pk].below_target,
        )
        for u in units
    ]


def test_the_subtree_headcount_adds_the_own_headcounts_below(round_):
    province = UnitFactory(level="province", headcount=5)
    district = UnitFactory(level="district", parent=province, headcount=3)
    commune = UnitFactory(level="commune", parent=district, headcount=2)
    take(UserFactory(unit=commune), round_)
    take(UserFactory(unit=district), round_)

    rates = rates_of(round_, province, district, commune)

    assert rates == [
        (5, 10, 2, 20.0, True),
        (3, 5, 2, 40.0, True),
        (2, 2, 1, 50.0, True),
    ]


@pytest.fixture
def citizens_make_up_for_cbccvc(round_):
    """10 CBCCVC on the books; 2 of them and 8 citizens take part."""
    commune = UnitFactory(name="UBND xã Phú Linh", level="commune", headcount=10)
    for _ in range(2):
        take(UserFactory(unit=commune), round_)
    for _ in range(8):
        take(UserFactory(unit=commune, occupation=User.Occupation.OTHER), round_)
    return commune


def test_the_rate_counts_only_the_contest_occupations(
    round_, citizens_make_up_for_cbccvc
):
    round_.contest.participation_occupations = [User.Occupation.CIVIL_SERVANT]
    round_.contest.save()

    rates = rates_of(round_, citizens_make_up_for_cbccvc)

    assert rates == [(10, 10, 10, 20.0, True)]  # 2 of 10 CBCCVC, short of 70%


def test_without_occupations_the_rate_counts_everyone(
    round_, citizens_make_up_for_cbccvc
):
    round_.contest.participation_occupations = []
    round_.contest.save()

    rates = rates_of(round_, citizens_make_up_for_cbccvc)

    assert rates == [(10, 10, 10, 100.0, False)]


def test_the_page_names_whom_the_rate_counts(
    client, round_, citizens_make_up_for_cbccvc
):
    round_.contest.participation_occupations = [User.Occupation.CIVIL_SERVANT]
    round_.contest.save()
    client.force_login(member_of("Ban Giám khảo"))

    response = client.get(URL)

    html = response.content.decode()
    assert (
        '<th scope="col" class="num">Trong đó: Cán bộ, công chức, viên chức</th>'
        in html
    )
    assert (
        '<tr class="below-target"><th scope="row">UBND xã Phú Linh</th>'
        '<td class="num">10</td><td class="num">2</td>' in html
    )
