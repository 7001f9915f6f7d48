import pytest
from django.db import connection

from tests.factories import RoundFactory, UserFactory, make_bank


@pytest.fixture
def bank():
    """Two topics of ten published questions each."""
    return make_bank(topics=2, per_topic=10)


@pytest.fixture
def round_(bank):
    """A round open now, drawing 5 questions from the bank, no prediction."""
    round_ = RoundFactory()
    round_.contest.topics.set(bank)
    return round_


@pytest.fixture
def contestant():
    return UserFactory()


def requires_postgres() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks; SQLite serialises every write anyway",
    )
