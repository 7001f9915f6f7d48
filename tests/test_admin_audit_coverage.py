"""Every editable admin screen is audited, the user and unit screens included
(issue 12): a test that enumerates the registered admins, and the two cases found."""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import Unit, User
from awards.admin_audit import AdminAuditMixin
from awards.models import AdminChange
from tests.factories import UnitFactory, UserFactory
from tests.websec import admin_form_data

pytestmark = pytest.mark.django_db


def editable(model_admin, superuser) -> bool:
    request = RequestFactory().post("/")
    request.user = superuser
    return (
        model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
        or model_admin.has_delete_permission(request)
    )


def test_every_editable_admin_screen_is_audited():
    superuser = User.objects.create_superuser(
        "0900000001", "MatKhau@2024x", full_name="S"
    )

    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model is not AdminChange
        and editable(model_admin, superuser)
        and not isinstance(model_admin, AdminAuditMixin)
    ]

    assert unaudited == []


def logged(obj) -> list[AdminChange]:
    return list(
        AdminChange.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )
    )


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(
        User.objects.create_superuser("0900000002", "MatKhau@2024x", full_name="S")
    )
    return client


def test_making_a_user_staff_leaves_an_audit_row_without_the_password(
    superuser_client,
):
    person = UserFactory()
    url = reverse("admin:accounts_user_change", args=[person.pk])
    data = admin_form_data(superuser_client.get(url))
    data["is_staff"] = "on"

    response = superuser_client.post(url, data)

    assert response.status_code == 302
    (entry,) = logged(person)
    assert entry.changes["fields"]["is_staff"] == [False, True]
    assert person.password not in str(entry.changes)
    assert "password" not in entry.changes["fields"]


def test_changing_a_units_headcount_leaves_an_audit_row(superuser_client):
    unit = UnitFactory(headcount=25)
    url = reverse("admin:accounts_unit_change", args=[unit.pk])
    data = admin_form_data(superuser_client.get(url))
    data["headcount"] = "40"

    response = superuser_client.post(url, data)

    assert response.status_code == 302
    assert Unit.objects.get(pk=unit.pk).headcount == 40
    (entry,) = logged(unit)
    assert entry.changes["fields"]["headcount"] == [25, 40]
