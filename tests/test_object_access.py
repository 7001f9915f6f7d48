"""Another person's attempt, result, certificate or export is a 404 for everyone
else, whatever their role; public ids of attempts cannot be guessed or counted."""

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from awards.services import result_compute
from reports.models import ExportLog
from rounds.models import Attempt, new_public_id
from tests.factories import RoundFactory
from tests.websec import World, build_world, staff_in

pytestmark = pytest.mark.django_db

OTHERS = ["bob", "organizer", "author", "judge", "unit_manager", "superuser"]


def person(world: World, who: str):
    if who in {"alice", "bob", "superuser"}:
        return getattr(world, who)
    return world.staff[who]


def request(world: World, who: str, endpoint: str):
    client = Client()
    client.force_login(person(world, who))
    attempt, finished = world.open_attempt, world.finished
    if endpoint == "attempt":
        return client.get(reverse("rounds:attempt", args=[attempt.public_id]))
    if endpoint == "save":
        return client.post(
            reverse("rounds:attempt-save", args=[attempt.public_id]),
            {"seq": 1, "position": 0, "choice": 1},
        )
    if endpoint == "submit":
        return client.post(
            reverse("rounds:attempt-submit", args=[attempt.public_id]), {"q0": "1"}
        )
    if endpoint == "result":
        return client.get(reverse("rounds:attempt-result", args=[finished.public_id]))
    if endpoint == "certificate":
        return client.get(
            reverse("certificates:download", args=[world.certificate.grouped_code])
        )
    raise LookupError(endpoint)


ENDPOINTS = ["attempt", "save", "submit", "result", "certificate"]


def attempt_state(world: World) -> tuple:
    stored = Attempt.objects.get(pk=world.open_attempt.pk)
    return stored.status, stored.answers, stored.prediction


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", OTHERS)
def test_alices_things_are_not_found_for_anyone_else(who, endpoint):
    world = build_world()
    before = attempt_state(world)

    response = request(world, who, endpoint)

    assert response.status_code == 404
    assert attempt_state(world) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_alice_herself_reaches_each_of_them(endpoint):
    """The control: the same requests work for the owner."""
    world = build_world()

    response = request(world, "alice", endpoint)

    assert response.status_code in {200, 302}
    if endpoint == "certificate":
        assert response["Content-Type"] == "application/pdf"


EXPORT_ENDPOINTS = ["reports:export-job", "reports:export-job-download"]


@pytest.mark.parametrize("name", EXPORT_ENDPOINTS)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("organizer", 404, id="organizer"),
        pytest.param("other-judge", 404, id="other-judge"),
        pytest.param("superuser", 404, id="superuser"),
        # Without the export right the answer is the same for every id.
        pytest.param("author", 403, id="author"),
        pytest.param("unit_manager", 403, id="unit-manager"),
        pytest.param("alice", 403, id="contestant"),
    ],
)
def test_another_users_export_job_is_refused(who, status, name):
    world = build_world()
    user = staff_in("Ban Giám khảo") if who == "other-judge" else person(world, who)
    client = Client()
    client.force_login(user)

    response = client.get(reverse(name, args=[world.job.pk]))

    assert response.status_code == status
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("name", EXPORT_ENDPOINTS)
def test_the_owner_of_the_job_gets_it(name):
    world = build_world()
    client = Client()
    client.force_login(world.staff["judge"])

    response = client.get(reverse(name, args=[world.job.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("bob", 302, id="contestant-to-admin-login"),
        pytest.param("alice", 302, id="the-ranked-contestant-too"),
        pytest.param("author", 403, id="author"),
        pytest.param("unit_manager", 403, id="unit-manager"),
        pytest.param("organizer", 200, id="organizer-reads"),
        pytest.param("judge", 200, id="judge-reads"),
    ],
)
def test_the_provisional_result_review_page_is_for_the_committee(who, status):
    world = build_world()
    closed = RoundFactory(
        contest=world.contest,
        opens_at=world.past.opens_at,
        closes_at=world.past.closes_at,
    )
    result = result_compute(round_=closed, actor=world.staff["judge"])
    client = Client()
    client.force_login(person(world, who))

    response = client.get(reverse("admin:awards_roundresult_change", args=[result.pk]))

    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("admin:login"))


def test_a_provisional_result_is_not_on_the_public_page(client):
    world = build_world()
    closed = RoundFactory(
        contest=world.contest,
        opens_at=world.past.opens_at,
        closes_at=world.past.closes_at,
    )
    Attempt.objects.filter(pk=world.finished.pk).update(round=closed)
    result_compute(round_=closed, actor=world.staff["judge"])

    response = client.get(reverse("awards:round-results", args=[closed.pk]))

    assert response.status_code == 200
    assert world.alice.full_name not in response.content.decode()


def test_the_public_certificate_check_shows_nothing_private(client):
    world = build_world()
    alice = world.alice

    response = client.get(
        reverse("certificates:verify") + f"?ma={world.certificate.grouped_code}"
    )

    html = response.content.decode()
    assert alice.full_name in html  # the point of the check
    for private in (alice.phone, f"{alice.date_of_birth:%d/%m/%Y}"):
        assert private not in html


# --- Public identifiers ---------------------------------------------------------------

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def test_public_ids_carry_at_least_96_random_bits():
    ids = [new_public_id() for _ in range(2000)]

    assert len(set(ids)) == len(ids)
    assert all(URL_SAFE.match(public_id) for public_id in ids)
    # base64 text: 6 bits per character.
    assert min(len(public_id) for public_id in ids) * 6 >= 96
    # Every position varies: no counter or timestamp hides in a prefix.
    assert all(len({i[pos] for i in ids}) > 30 for pos in range(len(ids[0])))


def test_attempts_get_their_public_id_from_the_random_generator():
    world = build_world()
    attempt = world.open_attempt

    assert Attempt._meta.get_field("public_id").default is new_public_id
    assert attempt.public_id != str(attempt.pk)
    assert len(attempt.public_id) == 16


@pytest.mark.parametrize(
    "guess",
    [
        pytest.param(lambda a: str(a.pk), id="database-id"),
        pytest.param(lambda a: str(a.pk + 1), id="next-database-id"),
        pytest.param(lambda a: a.public_id[:-1], id="truncated"),
        pytest.param(lambda a: a.public_id.upper(), id="case-changed"),
    ],
)
def test_guessed_ids_do_not_resolve_even_for_the_owner(guess: Callable):
    world = build_world()
    client = Client()
    client.force_login(world.alice)

    response = client.get(reverse("rounds:attempt", args=[guess(world.open_attempt)]))

    assert response.status_code == 404
