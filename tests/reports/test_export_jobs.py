"""Long exports as background jobs: queued in the database, run by the real worker."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from reports.models import ExportJob, ExportLog
from tests.factories import UserFactory, make_bank

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def judge():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Ban Giám khảo"))
    return user


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_queued_export_is_built_by_the_worker_and_downloaded_by_its_owner(
    client, judge
):
    make_bank(topics=1, per_topic=3)
    client.force_login(judge)

    start = client.post(reverse("reports:export-job-start"), {"kind": "bank"})
    job = ExportJob.objects.get()
    waiting = client.get(reverse("reports:export-job", args=[job.pk]))
    run_worker()
    done = client.get(reverse("reports:export-job", args=[job.pk]))
    download = client.get(reverse("reports:export-job-download", args=[job.pk]))

    assert start["Location"] == reverse("reports:export-job", args=[job.pk])
    assert 'http-equiv="refresh"' in waiting.content.decode()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.rows == 3
    assert "Tải tệp Excel" in done.content.decode()
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(download.streaming_content))
    ).active
    assert sheet.max_row == 4  # header and three questions
    assert ExportLog.objects.filter(user=judge, kind="bank").count() == 1


def test_another_user_cannot_see_or_download_the_job(client, judge):
    make_bank(topics=1, per_topic=1)
    client.force_login(judge)
    client.post(reverse("reports:export-job-start"), {"kind": "bank"})
    job = ExportJob.objects.get()
    run_worker()
    other = UserFactory(is_staff=True)
    other.groups.add(Group.objects.get(name="Ban Giám khảo"))
    client.force_login(other)

    page = client.get(reverse("reports:export-job", args=[job.pk]))
    download = client.get(reverse("reports:export-job-download", args=[job.pk]))

    assert (page.status_code, download.status_code) == (404, 404)
    assert not ExportLog.objects.exists()


def test_personal_lists_need_the_personal_data_permission(client, round_):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="export_lists"))
    client.force_login(viewer)

    response = client.post(
        reverse("reports:export-job-start"),
        {"kind": "contestants", "key": round_.contest.slug},
    )

    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_an_unknown_kind_is_refused_with_a_message(client, judge):
    client.force_login(judge)

    response = client.post(
        reverse("reports:export-job-start"), {"kind": "everything"}, follow=True
    )

    assert "không hợp lệ" in response.content.decode()
    assert not ExportJob.objects.exists()
