"""The benchmark's data set, written in bulk: COPY on PostgreSQL, executemany on SQLite.

Small tables (topics, questions, the contest) go through the ORM's bulk_create; the
large ones (units, contestants, attempts) are streamed as ready tuples straight into
the database (`raw_write`), with JSON already as text.
"""

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Unit, User
from accounts.services import user_name_set
from quizzes.models import Choice, Question, QuestionRevision, Topic
from rounds.models import Attempt, AttemptEvent, Contest, Round
from rounds.scoring import answers_fingerprint

PASSWORD = "ThiSinh@2024"
PHONE_BASE = 900_000_000  # phones 09xxxxxxxx: 0 + 9 digits


@dataclass(frozen=True)
class Size:
    name: str
    questions: int
    units: int
    contestants: int
    big_round_attempts: int  # the closed round the offline timings rank
    export_round_attempts: int  # one attempt per person: a ranking of this many rows


SIZES = {
    "full": Size("full", 2_000, 2_000, 300_000, 1_000_000, 100_000),
    "small": Size("small", 300, 120, 6_000, 20_000, 2_000),
}

TOPICS = (
    "Đề án 06 và dữ liệu dân cư",
    "Chuyển đổi số",
    "Cải cách hành chính",
    "Pháp luật",
    "Lịch sử, truyền thống địa phương",
)
FIRST = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Thu", "Quang")
LAST = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Mai", "Nam")


@dataclass
class Built:
    contest_id: int
    open_round_id: int
    big_round_id: int
    export_round_id: int
    first_user_id: int
    contestants: int
    contest_slug: str
    judge_id: int


def _adapt(value):
    """A Python value as the database's driver takes it in a raw insert or COPY."""
    if connection.vendor == "postgresql":
        return value
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def raw_write(
    model: type[models.Model], columns: list[str], rows: Iterable[tuple]
) -> int:
    """Stream ready tuples (JSON already as text) into the given columns: the fast path."""
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(
        connection.ops.quote_name(model._meta.get_field(c).column) for c in columns
    )
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql":
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = (
            f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' for _ in columns)})"
        )
        batch = []
        for row in rows:
            batch.append(tuple(_adapt(v) for v in row))
            if len(batch) == 5000:
                raw.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            raw.executemany(sql, batch)
            count += len(batch)
    return count


def _reset_sequence(model: type[models.Model]) -> None:
    statements = connection.ops.sequence_reset_sql(_NoStyle(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class _NoStyle:
    def __getattr__(self, name: str) -> Callable[[str], str]:
        return lambda text: text


def _units(size: Size, now: datetime) -> list[int]:
    """A province, its districts and departments, and communes under the districts."""
    districts = max(size.units // 20, 2)
    departments = max(size.units // 40, 1)
    communes = size.units - 1 - districts - departments
    start = (Unit.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
    rows = []

    def add(level: str, name: str, parent: int | None, parent_path: str) -> int:
        pk = start + len(rows)
        rows.append(
            {
                "id": pk,
                "name": name,
                "code": f"B{pk:06d}",
                "level": level,
                "parent_id": parent,
                "headcount": 40 if level == "commune" else 120,
                "is_active": True,
                "path": f"{parent_path}{pk}/",
                "search_name": name.lower(),
            }
        )
        return pk

    province = add("province", "UBND tỉnh Thử Nghiệm", None, "/")
    province_path = f"/{province}/"
    district_ids = [
        add("district", f"UBND huyện Số {i + 1}", province, province_path)
        for i in range(districts)
    ]
    for i in range(departments):
        add("provincial_department", f"Sở Ban ngành {i + 1}", province, province_path)
    for i in range(communes):
        district = district_ids[i % districts]
        add("commune", f"UBND xã Số {i + 1}", district, f"/{province}/{district}/")
    columns = list(rows[0])
    raw_write(Unit, columns, (tuple(row[c] for c in columns) for row in rows))
    _reset_sequence(Unit)
    return [r["id"] for r in rows if r["level"] == "commune"]


def _bank(size: Size) -> list[int]:
    topics = [Topic.objects.get_or_create(name=name)[0] for name in TOPICS]
    questions = Question.objects.bulk_create(
        Question(
            topic=topics[i % len(topics)],
            text=f"Câu hỏi thử nghiệm số {i + 1}: theo quy định hiện hành, "
            f"phương án nào dưới đây là đúng về nội dung {i + 1}?",
            explanation="Căn cứ văn bản quy phạm pháp luật hiện hành.",
        )
        for i in range(size.questions)
    )
    Choice.objects.bulk_create(
        Choice(
            question=q,
            text=f"Phương án {letter} của câu {q.pk}",
            is_correct=index == q.pk % 4,
            order=index,
        )
        for q in questions
        for index, letter in enumerate("ABCD")
    )
    revisions = QuestionRevision.objects.bulk_create(
        QuestionRevision(
            question=q,
            number=1,
            topic_id=q.topic_id,
            text=q.text,
            explanation=q.explanation,
            choice_texts=[f"Phương án {letter} của câu {q.pk}" for letter in "ABCD"],
            correct_index=q.pk % 4,
        )
        for q in questions
    )
    for q, rev in zip(questions, revisions, strict=True):
        q.current_revision = rev
    Question.objects.bulk_update(questions, ["current_revision"], batch_size=1000)
    return [r.pk for r in revisions]


def _contestants(size: Size, communes: list[int], now: datetime) -> int:
    password = make_password(
        PASSWORD
    )  # one real hash, shared: logins cost as in production
    start = (User.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
    rng = random.Random(6)

    columns = [
        "id",
        "password",
        "phone",
        "full_name",
        "search_name",
        "date_of_birth",
        "gender",
        "occupation",
        "unit",
        "date_joined",
        "is_superuser",
        "is_staff",
        "is_active",
        "must_change_password",
        "nationality",
    ]
    defaults = [f.get_default() for f in map(User._meta.get_field, columns[10:])]

    def rows() -> Iterator[tuple]:
        for i in range(size.contestants):
            # The name and its accent-free copy, as accounts.services writes them.
            person = user_name_set(
                user=User(),
                full_name=f"{rng.choice(FIRST)} {rng.choice(MIDDLE)} {rng.choice(LAST)}",
            )
            yield (
                start + i,
                password,
                f"0{PHONE_BASE + i:09d}",
                person.full_name,
                person.search_name,
                date(1970 + i % 35, 1 + i % 12, 1 + i % 28),
                "male" if i % 2 else "female",
                ("civil_servant", "student", "worker", "other")[i % 4],
                communes[i % len(communes)],
                now - timedelta(days=30, seconds=i),
                *defaults,
            )

    raw_write(User, columns, rows())
    _reset_sequence(User)
    return start


def _finished_attempts(
    *,
    round_: Round,
    revision_ids: list[int],
    users: Iterable[tuple[int, int]],
    rng: random.Random,
) -> int:
    """Finished attempts of (user id, attempt number) pairs, scored as the service would."""
    correct_of = dict(
        QuestionRevision.objects.filter(pk__in=revision_ids).values_list(
            "pk", "correct_index"
        )
    )
    # A pool of real draws; every attempt answers its draw its own way, so that
    # identical answer sheets are as rare as in a real round.
    draws = []
    for _ in range(500):
        picked = rng.sample(revision_ids, round_.question_count)
        draws.append(
            (
                picked,
                [correct_of[pk] for pk in picked],
                json.dumps([[pk, rng.sample(range(4), 4)] for pk in picked]),
            )
        )
    columns = [
        "public_id", "user", "round", "number", "status", "is_practice", "started_at",
        "deadline", "draw", "answers", "prediction", "submitted_at", "duration_ms",
        "correct_count", "question_count", "finished_by", "answers_fingerprint",
    ]  # fmt: skip
    base = round_.opens_at
    limit = timedelta(seconds=round_.time_limit_seconds)
    count = round_.question_count
    random_ = rng.random

    def rows() -> Iterator[tuple]:
        for serial, (user_id, number) in enumerate(users):
            picked, keys, draw_json = draws[serial % len(draws)]
            skill = random_()
            chosen = [k if random_() < skill else int(random_() * 4) for k in keys]
            correct = sum(1 for c, k in zip(chosen, keys, strict=True) if c == k)
            answers_json = json.dumps([[c, i] for i, c in enumerate(chosen, 1)])
            started = base + timedelta(seconds=serial % 500_000)
            duration = rng.randrange(60_000, 900_000)
            yield (
                f"b{round_.pk}x{serial:010d}", user_id, round_.pk, number, "finished",
                False, started, started + limit, draw_json, answers_json,
                rng.randrange(0, 5000), started + timedelta(milliseconds=duration),
                duration, correct, count, "contestant",
                answers_fingerprint(revision_ids=picked, chosen=chosen),
            )  # fmt: skip

    return raw_write(Attempt, columns, rows())


def build(size: Size, *, log: Callable[[str], None] = print) -> Built:
    now = timezone.now()
    t0 = time.perf_counter()
    with transaction.atomic():
        communes = _units(size, now)
        log(f"  units: {size.units} ({time.perf_counter() - t0:.1f} s)")
        revision_ids = _bank(size)
        log(f"  questions: {len(revision_ids)} ({time.perf_counter() - t0:.1f} s)")
        first_user = _contestants(size, communes, now)
        log(f"  contestants: {size.contestants} ({time.perf_counter() - t0:.1f} s)")
        judge = User.objects.create(
            phone="0899999999",
            full_name="Giám khảo đo tải",
            is_staff=True,
            is_superuser=True,
            password=make_password(PASSWORD),
        )
        contest = Contest.objects.create(
            title="Cuộc thi đo tải: tìm hiểu Đề án 06",
            slug="do-tai",
            organizer_name="Ban Tổ chức (dữ liệu thử tải)",
            summary="Dữ liệu sinh tự động để đo hiệu năng.",
        )
        contest.topics.set(Topic.objects.filter(name__in=TOPICS))
        common = {
            "contest": contest,
            "question_count": 30,
            "time_limit_seconds": 30 * 60,
            "prediction_question": "Có bao nhiêu người trả lời đúng tất cả câu hỏi?",
        }
        big = Round.objects.create(
            name="Tuần 1 (đã đóng)",
            opens_at=now - timedelta(days=21),
            closes_at=now - timedelta(days=14),
            max_attempts=5,
            **common,
        )
        export_round = Round.objects.create(
            name="Tuần 2 (đã đóng)",
            opens_at=now - timedelta(days=14),
            closes_at=now - timedelta(days=7),
            max_attempts=1,
            **common,
        )
        open_round = Round.objects.create(
            name="Tuần 3 (đang mở)",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=6),
            max_attempts=0,  # the load driver's contestants take many attempts
            **common,
        )
    rng = random.Random(2026)
    people = size.contestants

    def big_pairs() -> Iterator[tuple[int, int]]:
        # 1..5 attempts per person until the round holds the target count.
        written, person = 0, 0
        while written < size.big_round_attempts:
            n = min(1 + (person * 7) % 5, size.big_round_attempts - written)
            for number in range(1, n + 1):
                yield first_user + person % people, number + (person // people) * 5
            written += n
            person += 1

    with transaction.atomic():
        n = _finished_attempts(
            round_=big, revision_ids=revision_ids, users=big_pairs(), rng=rng
        )
    log(f"  attempts in the closed round: {n} ({time.perf_counter() - t0:.1f} s)")
    with transaction.atomic():
        n = _finished_attempts(
            round_=export_round,
            revision_ids=revision_ids,
            users=((first_user + i, 1) for i in range(size.export_round_attempts)),
            rng=rng,
        )
    log(f"  attempts in the export round: {n} ({time.perf_counter() - t0:.1f} s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Built(
        contest_id=contest.pk,
        open_round_id=open_round.pk,
        big_round_id=big.pk,
        export_round_id=export_round.pk,
        first_user_id=first_user,
        contestants=size.contestants,
        contest_slug=contest.slug,
        judge_id=judge.pk,
    )


def reset_open_round(built: Built) -> int:
    """Take the round open now back to how build() left it: no attempt.

    A run's load phases start, answer and submit attempts in that round; a reused
    data set would otherwise hand the next run contestants with many attempts there
    and an open one past its deadline (finished first by their next start), so the
    start and the result would measure more work on each reuse. Returns how many
    attempts were removed."""
    with transaction.atomic():
        AttemptEvent.objects.filter(attempt__round_id=built.open_round_id).delete()
        removed, _by_model = Attempt.objects.filter(
            round_id=built.open_round_id
        ).delete()
    if connection.vendor == "postgresql":
        # The deleted rows are dead tuples the next run's index scans would still
        # step over (165,000 of them in rounds_attempt after a dozen reuses, no
        # autovacuum yet): vacuumed, as after the first load, so runs start alike.
        tables = ", ".join(
            connection.ops.quote_name(model._meta.db_table)
            for model in (Attempt, AttemptEvent)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {tables}")
    return removed


def built_to_json(built: Built) -> str:
    return json.dumps(built.__dict__)
