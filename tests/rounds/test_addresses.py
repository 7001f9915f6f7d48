"""A contest's public address made from its Vietnamese title, and an attempt's
addresses as reverse() gives them."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from rounds.addresses import attempt_url, contest_slug_from_title
from rounds.models import Contest
from tests.factories import ContestFactory
from tests.plans.organizer import admin_add, admin_change, organizer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Chuyển đổi số", "chuyen-doi-so"),
        ("Tìm hiểu Đề án 06 năm 2024", "tim-hieu-de-an-06-nam-2024"),
        ("ĐỊNH DANH ĐIỆN TỬ – Thanh Xuân", "dinh-danh-dien-tu-thanh-xuan"),
        ("Cải cách hành chính, chuyển đổi số!", "cai-cach-hanh-chinh-chuyen-doi-so"),
        ("???", "cuoc-thi"),
    ],
)
def test_the_address_reads_the_title_without_accents(title, slug):
    assert contest_slug_from_title(title) == slug


def test_a_taken_address_gets_a_number():
    taken = {"chuyen-doi-so", "chuyen-doi-so-2"}

    assert contest_slug_from_title("Chuyển đổi số", taken=taken) == "chuyen-doi-so-3"


def test_a_long_title_still_fits_with_its_number():
    title = "Cuộc thi " * 30
    first = contest_slug_from_title(title)

    second = contest_slug_from_title(title, taken={first})

    assert len(first) <= 100
    assert len(second) <= 100
    assert second.endswith("-2")


def test_an_organizer_leaves_the_address_blank_and_gets_it_from_the_title():
    client = organizer()
    ContestFactory(slug="chuyen-doi-so")

    contest = admin_add(
        client,
        Contest,
        {"title": "Chuyển đổi số", "slug": "", "rules": "Thể lệ."},
    )

    assert contest.slug == "chuyen-doi-so-2"


def test_renaming_a_contest_keeps_its_address():
    contest = ContestFactory(title="Chuyển đổi số", slug="chuyen-doi-so")

    stored = admin_change(organizer(), contest, {"title": "Chuyển đổi số 2025"})

    assert stored.slug == "chuyen-doi-so"


@pytest.mark.parametrize(
    "view_name",
    [
        "rounds:attempt",
        "rounds:attempt-save",
        "rounds:attempt-submit",
        "rounds:attempt-summary",
        "rounds:attempt-result",
    ],
)
@pytest.mark.parametrize(
    "public_id", ["AbC-12_xyz0987QQ", "a", "x" * 40, "id with/slash%"]
)
def test_an_attempt_url_is_what_reverse_gives(view_name, public_id):
    try:
        expected = reverse(view_name, kwargs={"public_id": public_id})
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            attempt_url(view_name, public_id)
        return
    assert attempt_url(view_name, public_id) == expected
    assert attempt_url(view_name, public_id) == expected  # the kept one


def test_an_attempt_url_under_a_prefix_is_prefixed():
    set_script_prefix("/thi/")
    try:
        assert attempt_url("rounds:attempt", "AbC123") == "/thi/bai-thi/AbC123/"
    finally:
        set_script_prefix("/")
