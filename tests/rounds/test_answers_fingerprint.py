"""An attempt's answers are fingerprinted once, when it is finished."""

import pytest

from rounds import services
from rounds.models import Attempt
from rounds.scoring import answers_fingerprint
from tests.factories import UserFactory


def test_the_same_answers_in_another_order_have_the_same_fingerprint():
    one = answers_fingerprint(revision_ids=[7, 3, 9], chosen=[1, 0, None])
    other = answers_fingerprint(revision_ids=[9, 7, 3], chosen=[None, 1, 0])

    assert one == other
    assert len(one) == 32


def test_a_different_answer_changes_the_fingerprint():
    one = answers_fingerprint(revision_ids=[7, 3], chosen=[1, 0])

    assert one != answers_fingerprint(revision_ids=[7, 3], chosen=[1, 2])
    assert one != answers_fingerprint(revision_ids=[7, 4], chosen=[1, 0])


def test_nothing_answered_has_no_fingerprint():
    assert answers_fingerprint(revision_ids=[7, 3], chosen=[None, None]) == ""


@pytest.mark.django_db
def test_submitting_stores_the_fingerprint_of_the_answers_as_finished(round_):
    user = UserFactory()
    attempt = services.attempt_start(user=user, round_=round_).attempt

    finished = services.attempt_submit(
        attempt=attempt, answers={0: 1, 2: 0}, prediction=None
    )

    stored = Attempt.objects.get(pk=finished.pk)
    chosen = [entry[0] if entry else None for entry in stored.answers]
    assert stored.answers_fingerprint == answers_fingerprint(
        revision_ids=[item[0] for item in stored.draw], chosen=chosen
    )
    assert stored.answers_fingerprint != ""
