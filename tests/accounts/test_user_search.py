"""People are found in the admin without accents: every writer of User.full_name
keeps the folded copy User.search_name, and the admin folds what is typed."""

import ast
import importlib
import random
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts import manager_importer, services
from accounts.models import User
from accounts.normalize import fold
from accounts.spreadsheet import SheetRow
from rounds.management.commands.seed_demo import Command as SeedDemo
from tests.factories import UnitFactory, UserFactory
from tests.plans.organizer import admin_change, committee_client

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")


def organizer():
    return committee_client("Ban Tổ chức", full_name="Lò Quản Trị")


NAME = "Đặng Thị Ánh Nguyệt"
FOLDED = "dang thi anh nguyet"


# --- every writer keeps the copy ------------------------------------------------


def by_register() -> User:
    return services.user_register(
        phone="0912111222",
        password="Mat-khau-2024!",
        full_name=f"  {NAME} ",
        date_of_birth=date(1990, 1, 1),
        gender=User.Gender.FEMALE,
        occupation=User.Occupation.CIVIL_SERVANT,
        unit=UnitFactory(),
        privacy_consent=True,
    )


def by_update_profile() -> User:
    user = UserFactory(full_name="Tên Cũ")
    return services.user_update_profile(
        user=user,
        changed_by=user,
        full_name=NAME,
        date_of_birth=date(1990, 1, 1),
        gender=User.Gender.FEMALE,
        occupation=User.Occupation.CIVIL_SERVANT,
        unit=user.unit,
    )


def by_admin_add() -> User:
    client = organizer()
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "0912111222",
            "full_name": NAME,
            "usable_password": "true",
            "password1": "Mat-khau-2024!",
            "password2": "Mat-khau-2024!",
        },
    )
    assert response.status_code == 302
    return User.objects.get(phone="0912111222")


def by_admin_change() -> User:
    return admin_change(
        organizer(), UserFactory(full_name="Tên Cũ"), {"full_name": NAME}
    )


def by_create_user() -> User:
    return User.objects.create_user("0912111222", "Mat-khau-2024!", full_name=NAME)


def by_create_superuser() -> User:
    return User.objects.create_superuser("0912111222", "Mat-khau-2024!", full_name=NAME)


def by_manager_import() -> User:
    unit = UnitFactory(code="X-1")
    row = SheetRow(
        number=2,
        values={
            manager_importer.UNIT: "X-1",
            manager_importer.NAME: NAME,
            manager_importer.PHONE: "0912111222",
        },
    )
    manager_importer.apply(rows=[row])
    return User.objects.get(managed_unit=unit)


def by_factory() -> User:
    return UserFactory(full_name=NAME)


def by_seed_demo() -> User:
    units = [UnitFactory(level="district")]
    users = SeedDemo()._contestants(units, random.Random(1), timezone.now())
    return User.objects.get(pk=users[0].pk)


@pytest.mark.parametrize(
    "write",
    [
        by_register,
        by_update_profile,
        by_admin_add,
        by_admin_change,
        by_create_user,
        by_create_superuser,
        by_manager_import,
        by_factory,
        by_seed_demo,
    ],
    ids=lambda write: write.__name__.removeprefix("by_"),
)
def test_every_writer_of_the_full_name_stores_its_folded_copy(write):
    user = write()

    stored = User.objects.get(pk=user.pk)
    assert stored.search_name
    assert stored.search_name == fold(stored.full_name)


WRITE_METHODS = frozenset({"create", "update", "get_or_create", "update_or_create"})
# (file, function) that build a User they never save.
NOT_SAVED = frozenset(
    {
        ("accounts/forms.py", "clean"),  # a probe for the password similarity check
        # The anonymised name copied onto result rows and certificates, not a User.
        ("awards/services/anonymisation.py", "_result_rows_rename"),
        ("awards/services/anonymisation.py", "_certificates_rename"),
    }
)


def full_name_writes(tree: ast.AST) -> list[ast.AST]:
    """Where code sets a User's full_name without the manager's create_user."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [
                t
                for t in targets
                if isinstance(t, ast.Attribute) and t.attr == "full_name"
            ]
        elif isinstance(node, ast.Call) and any(
            k.arg == "full_name" for k in node.keywords
        ):
            func = node.func
            if (isinstance(func, ast.Name) and func.id == "User") or (
                isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS
            ):
                found.append(node)
    return found


def calls_user_name_set(function: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) == "user_name_set"
        for node in ast.walk(function)
    )


def test_no_code_writes_a_users_full_name_without_its_search_copy():
    """A new writer of User.full_name must go through accounts.services.user_name_set
    (and be added to the writers above)."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for app in ("accounts", "awards", "quizzes", "reports", "rounds", "contest_portal"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            if app != "accounts" and "User" not in source:
                continue
            tree = ast.parse(source)
            functions = [
                node
                for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef)
                and node.name != "user_name_set"
                and not calls_user_name_set(node)
            ]
            for function in functions:
                where = (str(path.relative_to(root)), function.name)
                if where in NOT_SAVED:
                    continue
                offenders += [
                    f"{where[0]}:{write.lineno}" for write in full_name_writes(function)
                ]

    assert sorted(set(offenders)) == []


def test_the_migration_fills_the_copy_of_existing_accounts():
    migration = importlib.import_module(
        "accounts.migrations.0007_user_search_name_filled_from_full_name"
    )
    user = UserFactory(full_name=NAME)
    User.objects.filter(pk=user.pk).update(search_name="")

    migration.fill_search_names(apps, None)

    assert User.objects.get(pk=user.pk).search_name == FOLDED
    assert all(op.reversible for op in migration.Migration.operations)


# --- the admin's search ---------------------------------------------------------


def found(client, query: str) -> list[str]:
    response = client.get(CHANGELIST, {"q": query})
    assert response.status_code == 200
    return sorted(user.full_name for user in response.context["cl"].result_list)


@pytest.fixture
def people():
    UserFactory(
        full_name="Nguyễn Văn A",
        phone="0912345678",
        email="van.a@tinh.gov.vn",
        citizen_id="002090001234",
    )
    UserFactory(full_name="Đặng Thị Bình", unit=UnitFactory(name="UBND xã Đồng Văn"))
    UserFactory(full_name="Nguyễn Văn Bảy")


@pytest.mark.parametrize(
    ("query", "names"),
    [
        pytest.param("nguyen van a", ["Nguyễn Văn A"], id="unaccented-words"),
        pytest.param("Nguyễn Văn A", ["Nguyễn Văn A"], id="accented-words"),
        pytest.param("NGUYEN", ["Nguyễn Văn A", "Nguyễn Văn Bảy"], id="upper-case"),
        pytest.param("dang", ["Đặng Thị Bình"], id="d-without-stroke"),
        pytest.param("Đặng", ["Đặng Thị Bình"], id="d-with-stroke"),
        pytest.param('"van bay"', ["Nguyễn Văn Bảy"], id="quoted-phrase"),
        pytest.param("dong van", ["Đặng Thị Bình"], id="unit-name"),
        pytest.param("0912345678", ["Nguyễn Văn A"], id="phone"),
        pytest.param("+84 912 345 678", ["Nguyễn Văn A"], id="phone-any-form"),
        pytest.param("002090001234", ["Nguyễn Văn A"], id="citizen-id"),
        pytest.param("VAN.A@tinh", ["Nguyễn Văn A"], id="email"),
        pytest.param("tran", [], id="nobody"),
    ],
)
def test_the_user_admin_finds_people_with_or_without_accents(people, query, names):
    assert found(organizer(), query) == names
