"""The question bank exported to Excel imports back unchanged: one format, both ways."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from quizzes import importer
from quizzes.models import Question, QuestionRevision
from reports import exports
from tests.factories import UserFactory, make_bank

pytestmark = pytest.mark.django_db


def exported_bank() -> SimpleUploadedFile:
    target = io.BytesIO()
    exports.bank_export(target=target, by=UserFactory(full_name="Tổ soạn thảo"))
    return SimpleUploadedFile(
        "ngan-hang.xlsx",
        target.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def test_the_exported_bank_reimports_as_unchanged():
    make_bank(topics=2, per_topic=4)
    Question.objects.filter(pk=Question.objects.first().pk).update(is_active=False)
    revisions = QuestionRevision.objects.count()

    plan = importer.apply(rows=importer.read(exported_bank()))

    assert plan.is_valid
    assert plan.counts["unchanged"] == 8
    assert Question.objects.count() == 8
    assert QuestionRevision.objects.count() == revisions
    assert Question.objects.filter(is_active=False).count() == 1
