import re
from datetime import date, timedelta

import factory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Unit, User
from accounts.proof_of_work import solve
from accounts.services import unit_save, user_name_set
from quizzes.models import Topic
from quizzes.services import question_create
from rounds.models import Contest, Round


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"UBND xã Số {n}")
    code = factory.Sequence(lambda n: f"U-{n}")
    level = Unit.Level.COMMUNE
    headcount = 25

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return unit_save(unit=model_class(*args, **kwargs))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"091{n:07d}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    date_of_birth = date(1990, 1, 15)
    gender = User.Gender.MALE
    occupation = User.Occupation.CIVIL_SERVANT
    unit = factory.SubFactory(UnitFactory)
    password = factory.django.Password("MatKhau@2024")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        user = model_class(*args, **kwargs)
        given = user.full_name
        user_name_set(user=user, full_name=given)
        # Kept as given: bad-input tests store names the forms would have cleaned.
        user.full_name = given
        user.save()
        return user


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Chủ đề {n}")


def make_question(*, topic: Topic, n: int, choices: int = 4, correct: int = 0):
    """A published question whose correct choice is `correct`."""
    return question_create(
        topic_id=topic.pk,
        text=f"Câu hỏi số {n} thuộc {topic.name}?",
        choices=[f"Phương án {n}-{i}" for i in range(choices)],
        correct=correct,
        explanation=f"Giải thích {n}",
    )


def make_bank(*, topics: int = 2, per_topic: int = 10) -> list[Topic]:
    made = []
    counter = 0
    for _ in range(topics):
        topic = TopicFactory()
        for _ in range(per_topic):
            counter += 1
            make_question(topic=topic, n=counter, correct=counter % 4)
        made.append(topic)
    return made


class ContestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contest
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Cuộc thi số {n}")
    slug = factory.Sequence(lambda n: f"cuoc-thi-{n}")
    rules = "Thể lệ cuộc thi."


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    contest = factory.SubFactory(ContestFactory)
    name = factory.Sequence(lambda n: f"Tuần thi {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=6))
    question_count = 5
    time_limit_seconds = 600
    max_attempts = 0
    prediction_question = ""
    grace_seconds = 10


def make_finished_attempt(
    user,
    round_,
    revisions,
    *,
    correct: int,
    at,
    duration_ms: int = 60_000,
    prediction: int | None = None,
    is_practice: bool = False,
    answered: int | None = None,
):
    """A finished attempt drawing `revisions` in order: the first `correct` answered
    right, then wrong ones up to `answered` (all by default), the rest unanswered."""
    from rounds.models import Attempt
    from rounds.scoring import answers_fingerprint

    drawn = list(revisions)
    answered = len(drawn) if answered is None else answered
    answers = [
        None
        if i >= answered
        else [
            r.correct_index
            if i < correct
            else (r.correct_index + 1) % len(r.choice_texts),
            i + 1,
        ]
        for i, r in enumerate(drawn)
    ]
    return Attempt.objects.create(
        user=user,
        round=round_,
        number=Attempt.objects.filter(user=user, round=round_).count() + 1,
        status=Attempt.Status.FINISHED,
        is_practice=is_practice,
        started_at=at - timedelta(milliseconds=duration_ms),
        deadline=at + timedelta(minutes=10),
        draw=[[r.pk, list(range(len(r.choice_texts)))] for r in drawn],
        answers=answers,
        prediction=prediction,
        submitted_at=at,
        duration_ms=duration_ms,
        correct_count=correct,
        question_count=len(drawn),
        finished_by=Attempt.FinishedBy.CONTESTANT,
        # As rounds.services.finishing._finish stores it.
        answers_fingerprint=answers_fingerprint(
            revision_ids=[r.pk for r in drawn],
            chosen=[entry[0] if entry else None for entry in answers],
        ),
    )


CHALLENGE_FIELDS = re.compile(
    r'name="challenge_token" value="(?P<token>[^"]+)".*?'
    r'data-challenge-prefix="(?P<prefix>[^"]+)" '
    r'data-challenge-difficulty="(?P<difficulty>\d+)"',
    re.S,
)


def solved_challenge(client, url: str | None = None, **extra) -> dict[str, str]:
    """The registration form's hidden fields as its script fills them: the challenge
    the page gave this client's session, solved."""
    page = client.get(url or reverse("accounts:register"), **extra).content.decode()
    found = CHALLENGE_FIELDS.search(page)
    assert found, "the registration page carries no challenge"
    return {
        "challenge_token": found["token"],
        "challenge_nonce": solve(found["prefix"], int(found["difficulty"])),
    }
