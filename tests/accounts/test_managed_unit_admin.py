"""An organizer grants a unit's own dashboard from the user admin: the change is
audited, and the person then sees that unit's figures and nothing else."""

import pytest
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import User
from awards.models import AdminChange
from rounds import services
from tests.factories import UnitFactory, UserFactory
from tests.plans.organizer import admin_change, admin_form_data, organizer
from tests.websec import staff_in

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")


def take(user: User, round_) -> None:
    attempt = services.attempt_start(user=user, round_=round_).attempt
    services.attempt_submit(attempt=attempt, answers={}, prediction=None)


@pytest.fixture
def district(round_):
    """Two communes under it, one participant in each; a participant elsewhere."""
    district = UnitFactory(name="UBND huyện Mèo Vạc", level="district", headcount=0)
    for name in ("UBND xã Pả Vi", "UBND xã Xín Cái"):
        take(UserFactory(unit=UnitFactory(name=name, parent=district)), round_)
    take(
        UserFactory(full_name="Người Tỉnh Khác", unit=UnitFactory(name="Sở Y tế")),
        round_,
    )
    cache.clear()
    return district


def test_the_change_form_picks_the_managed_unit_with_autocomplete():
    page = organizer().get(
        reverse("admin:accounts_user_change", args=[UserFactory().pk])
    )

    field = page.context["adminform"].form.fields["managed_unit"]
    assert isinstance(field.widget.widget, AutocompleteSelect)


def test_the_unit_autocomplete_finds_units_without_accents():
    unit = UnitFactory(name="UBND huyện Mèo Vạc")

    response = organizer().get(
        reverse("admin:autocomplete"),
        {
            "term": "meo vac",
            "app_label": "accounts",
            "model_name": "user",
            "field_name": "managed_unit",
        },
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(unit.pk)]


def test_an_organizer_grants_a_units_dashboard_and_it_is_audited(district):
    person = UserFactory(full_name="Vàng Seo Pao")
    boss = organizer()

    stored = admin_change(boss, person, {"managed_unit": district})

    assert stored.managed_unit == district
    (entry,) = AdminChange.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
    )
    assert entry.changes["fields"] == {"managed_unit": [None, district.pk]}


def test_the_granted_person_sees_only_that_units_dashboard(district):
    person = UserFactory(full_name="Vàng Seo Pao")
    admin_change(organizer(), person, {"managed_unit": district})
    client = Client()
    client.force_login(person)

    response = client.get(DASHBOARD)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="participants">2<' in html
    assert "UBND xã Pả Vi" in html
    assert "Sở Y tế" not in html
    assert "Người Tỉnh Khác" not in html


def test_withdrawing_the_unit_closes_the_dashboard(district):
    person = UserFactory(managed_unit=district)
    admin_change(organizer(), person, {"managed_unit": None})
    client = Client()
    client.force_login(person)

    response = client.get(DASHBOARD)

    assert response.status_code == 403


def test_a_judge_cannot_grant_a_unit():
    person = UserFactory()
    unit = UnitFactory()
    client = Client()
    client.force_login(staff_in("Ban Giám khảo"))
    url = reverse("admin:accounts_user_change", args=[person.pk])
    data = admin_form_data(organizer(), url, {"managed_unit": unit})

    response = client.post(url, data)

    assert response.status_code == 403
    assert User.objects.get(pk=person.pk).managed_unit is None
