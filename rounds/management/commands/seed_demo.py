"""Load the demo contest modelled on plan 185/KH-UBND (Hà Giang, 2024): once only."""

import json
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Unit, User
from accounts.services import unit_save, user_name_set
from awards import collective
from awards.models import PrizeTier, RankingRules, UnitGroup
from awards.services import (
    result_approve,
    result_compute,
    unit_result_approve,
    unit_result_compute,
)
from quizzes.models import Question, Topic
from quizzes.services import question_create
from rounds.models import (
    Attempt,
    Contest,
    ContestCommitteeMember,
    Round,
    RoundTopicQuota,
)
from rounds.selectors import revisions_get
from rounds.services import (
    attempt_save,
    attempt_start,
    attempt_submit,
    attempts_finish_expired,
)

SLUG = "de-an-06-ha-giang-2024"
ORGANIZER = ("0900000001", "BanToChuc@2024")
CONTESTANT = ("0900000002", "ThiSinh@2024")
CONTESTANT_COUNT = 320
# About one try in twelve is left open, so the deadline path has its share too.
ABANDONED_SHARE = 1 / 12
# A user's tries follow one another (15 minutes, the grace, a break of up to 10):
# the last of three must still fit before the round closes.
TRIES_ROOM_S = 3 * (15 * 60 + 10 + 600)
# Clicks saved one by one before a submit that carries every answer, as the page does.
SAVED_CLICKS = 4
UNITS_FILE = Path(settings.BASE_DIR) / "accounts" / "demo" / "units.json"
QUESTIONS_FILE = Path(settings.BASE_DIR) / "rounds" / "demo" / "questions.json"

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Giàng",
    "Sùng",
    "Vàng",
    "Lò",
    "Hà",
    "Nông",
    "Triệu",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Đức",
    "Minh",
    "Thu",
    "Quang",
    "Ngọc",
    "Hữu",
    "Thanh",
    "Mạnh",
    "Thị Hồng",
    "A",
]
GIVEN = [
    "An",
    "Bình",
    "Chiến",
    "Dũng",
    "Dung",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Tuấn",
    "Vân",
    "Xuân",
    "Chư",
    "Mỷ",
    "Pó",
]

RULES = """1. Đối tượng dự thi: cán bộ, đảng viên, công chức, viên chức, người lao động, học sinh, sinh viên, cán bộ chiến sĩ lực lượng vũ trang và Nhân dân đang sinh sống, làm việc trên địa bàn tỉnh Hà Giang. Thành viên Ban Tổ chức, Tổ soạn thảo câu hỏi - đáp án, Tổ thư ký, giúp việc Cuộc thi không được tham gia dự thi.
2. Hình thức: thi trắc nghiệm trực tuyến hằng tuần (03 tuần) trên máy tính hoặc điện thoại thông minh. Thí sinh đăng ký tài khoản với thông tin chính xác để thuận tiện cho công tác thống kê kết quả và trao giải.
3. Mỗi bài thi gồm 20 câu hỏi trắc nghiệm rút ngẫu nhiên từ bộ câu hỏi và 01 câu hỏi dự đoán; thời gian làm bài tối đa 15 phút. Số lượt thi của mỗi tài khoản không giới hạn; kết quả cao nhất trong tuần được tính.
4. Xếp giải: thí sinh có số câu trả lời đúng nhiều nhất; nếu bằng nhau, xét người dự đoán gần đúng nhất; nếu vẫn bằng nhau, xét người có thời gian làm bài ngắn nhất, rồi người nộp bài sớm hơn.
5. Mỗi cơ quan, đơn vị các cấp tối thiểu có 70% số CBCCVC tham gia có bài thi."""

MATERIALS = """- Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ phê duyệt Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử phục vụ chuyển đổi số quốc gia giai đoạn 2022 - 2025, tầm nhìn đến năm 2030.
- Luật Căn cước số 26/2023/QH15.
- Kế hoạch số 31/KH-UBND ngày 23/01/2024 của UBND tỉnh Hà Giang về triển khai thực hiện nhiệm vụ Đề án 06 năm 2024.
- Hướng dẫn sử dụng ứng dụng VNeID và Cổng Dịch vụ công quốc gia."""

INDIVIDUAL_PRIZES = [
    ("Giải nhất", 1, 4_000_000),
    ("Giải nhì", 2, 3_000_000),
    ("Giải ba", 3, 2_000_000),
]
UNIT_PRIZES = {
    ("Cấp huyện", ("district",)): [
        ("Giải nhất", 1, 8_000_000),
        ("Giải nhì", 1, 6_000_000),
        ("Giải ba", 1, 4_000_000),
        ("Giải khuyến khích", 2, 3_000_000),
    ],
    ("Cấp xã", ("commune",)): [
        ("Giải nhất", 1, 7_000_000),
        ("Giải nhì", 2, 5_500_000),
        ("Giải ba", 3, 3_500_000),
        ("Giải khuyến khích", 5, 2_500_000),
    ],
}


class Command(BaseCommand):
    help = "Tải cuộc thi mẫu (Đề án 06, Hà Giang) với đơn vị, câu hỏi, thí sinh và bài thi."

    def handle(self, *args: Any, **options: Any) -> None:
        if Contest.objects.filter(slug=SLUG).exists():
            self.stdout.write("Dữ liệu mẫu đã có sẵn, không tải lại.")
        else:
            self._load(now=timezone.now(), rng=random.Random(2024))
            self.stdout.write(self.style.SUCCESS("Đã tải dữ liệu mẫu."))
        self.stdout.write(
            "Tài khoản mẫu:\n"
            f"  Ban Tổ chức (trang quản trị /quan-tri/): {ORGANIZER[0]} / {ORGANIZER[1]}\n"
            f"  Thí sinh: {CONTESTANT[0]} / {CONTESTANT[1]}"
        )

    @transaction.atomic
    def _load(self, *, now: datetime, rng: random.Random) -> None:
        units = self._units()
        topics = self._questions()
        contest = Contest.objects.create(
            title="Tìm hiểu Đề án 06, lợi ích cho người dân",
            slug=SLUG,
            organizer_name="Ủy ban nhân dân tỉnh Hà Giang – Công an tỉnh (cơ quan thường trực)",
            summary=(
                "Cuộc thi trắc nghiệm trực tuyến tìm hiểu Đề án 06 trên địa bàn tỉnh "
                "Hà Giang: 03 tuần thi, giải cá nhân hằng tuần và giải tập thể."
            ),
            rules=RULES,
            materials=MATERIALS,
            min_age=12,
        )
        contest.topics.set(topics)
        self._prizes(contest)
        rounds = self._rounds(contest, topics, now)
        organizer = User.objects.create_superuser(
            ORGANIZER[0],
            ORGANIZER[1],
            full_name="Ban Tổ chức Cuộc thi",
            unit=Unit.objects.get(code="HG-CA"),
        )
        ContestCommitteeMember.objects.create(
            contest=contest, user=organizer, role=ContestCommitteeMember.Role.ORGANIZER
        )
        contestants = self._contestants(units, rng, now)
        demo = User.objects.create_user(
            CONTESTANT[0],
            CONTESTANT[1],
            full_name="Nguyễn Thị Mai",
            date_of_birth=date(1992, 5, 17),
            gender=User.Gender.FEMALE,
            occupation=User.Occupation.CIVIL_SERVANT,
            unit=Unit.objects.filter(level=Unit.Level.COMMUNE).order_by("path").first(),
        )
        self._attempts(rounds, contestants, rng, now)
        self._results(contest, rounds, organizer, now)
        self.stdout.write(
            f"Đơn vị: {len(units)}, câu hỏi: {Question.objects.count()}, "
            f"thí sinh: {len(contestants) + 1}, bài thi: {Attempt.objects.count()}, "
            f"quản trị: {organizer.phone}, thí sinh mẫu: {demo.phone}"
        )

    def _prizes(self, contest: Contest) -> None:
        RankingRules.objects.create(
            contest=contest,
            unit_metric=collective.RATE,
            certificates_enabled=True,
            certificate_min_correct_percent=80,
        )
        order = 0
        for name, count, amount in INDIVIDUAL_PRIZES:
            order += 1
            PrizeTier.objects.create(
                contest=contest,
                kind=PrizeTier.Kind.INDIVIDUAL,
                name=name,
                count=count,
                amount_vnd=amount,
                order=order,
            )
        for (group_name, levels), tiers in UNIT_PRIZES.items():
            group = UnitGroup.objects.create(
                contest=contest, name=group_name, levels=list(levels)
            )
            for name, count, amount in tiers:
                order += 1
                PrizeTier.objects.create(
                    contest=contest,
                    kind=PrizeTier.Kind.COLLECTIVE,
                    unit_group=group,
                    name=name,
                    count=count,
                    amount_vnd=amount,
                    order=order,
                )

    def _results(
        self, contest: Contest, rounds: list[Round], organizer: User, now: datetime
    ) -> None:
        """The closed week's winners and the unit prizes, computed and approved."""
        for round_ in rounds:
            if round_.closes_at <= now:
                result = result_compute(round_=round_, actor=organizer, now=now)
                result_approve(result=result, actor=organizer, now=now)
        unit_result = unit_result_compute(contest=contest, actor=organizer, now=now)
        unit_result_approve(result=unit_result, actor=organizer, now=now)

    def _units(self) -> list[Unit]:
        rows = json.loads(UNITS_FILE.read_text(encoding="utf-8"))
        by_code: dict[str, Unit] = {}
        for row in rows:
            unit = Unit(
                code=row["code"],
                name=row["name"],
                level=row["level"],
                headcount=row["headcount"],
                parent=by_code[row["parent"]] if row["parent"] else None,
            )
            by_code[row["code"]] = unit_save(unit=unit)
        return list(by_code.values())

    def _questions(self) -> list[Topic]:
        data = json.loads(QUESTIONS_FILE.read_text(encoding="utf-8"))
        topics = {
            name: Topic.objects.get_or_create(name=name, defaults={"order": i + 1})[0]
            for i, name in enumerate(data["topics"])
        }
        for row in data["questions"]:
            question_create(
                topic_id=topics[row["topic"]].pk,
                text=row["text"],
                choices=row["choices"],
                correct=row["correct"],
                explanation=row.get("explanation", ""),
            )
        return list(topics.values())

    def _rounds(
        self, contest: Contest, topics: list[Topic], now: datetime
    ) -> list[Round]:
        tz = timezone.get_current_timezone()
        start_day = timezone.localdate(now) - timedelta(days=2)
        rounds = []
        for week in range(3):
            first = start_day + timedelta(days=7 * (week - 1))
            round_ = Round.objects.create(
                contest=contest,
                name=f"Tuần thi thứ {week + 1}",
                opens_at=datetime.combine(first, time(7, 30), tzinfo=tz),
                closes_at=datetime.combine(
                    first + timedelta(days=6), time(23, 50), tzinfo=tz
                ),
                question_count=20,
                time_limit_seconds=15 * 60,
                max_attempts=0,
                prediction_question=(
                    "Theo bạn, tuần thi này có bao nhiêu người trả lời đúng tất cả "
                    "các câu hỏi?"
                ),
            )
            RoundTopicQuota.objects.bulk_create(
                RoundTopicQuota(round=round_, topic=topic, count=2) for topic in topics
            )
            rounds.append(round_)
        return rounds

    def _contestants(
        self, units: list[Unit], rng: random.Random, now: datetime
    ) -> list[User]:
        password = make_password(CONTESTANT[1])
        pickable = [u for u in units if u.level != Unit.Level.PROVINCE]
        weights = [max(u.headcount, 1) for u in pickable]
        users = []
        for i in range(CONTESTANT_COUNT):
            gender = rng.choice([User.Gender.MALE, User.Gender.FEMALE])
            middle = rng.choice(MIDDLE)
            if gender == User.Gender.MALE and "Thị" in middle:
                middle = "Văn"
            user = User(
                phone=f"09{rng.choice('1345689')}{i:07d}",
                password=password,
                full_name=f"{rng.choice(SURNAMES)} {middle} {rng.choice(GIVEN)}",
                date_of_birth=date(
                    rng.randint(1965, 2008), rng.randint(1, 12), rng.randint(1, 28)
                ),
                gender=gender,
                occupation=rng.choice(User.Occupation.values),
                unit=rng.choices(pickable, weights=weights)[0],
                citizen_id=f"002{rng.randint(0, 1)}{rng.randint(0, 99):02d}{i:06d}",
                date_joined=now - timedelta(days=rng.randint(3, 12)),
            )
            # bulk_create skips the services: the search copy is set here.
            users.append(user_name_set(user=user, full_name=user.full_name))
        return User.objects.bulk_create(users)

    def _attempts(
        self, rounds: list[Round], users: list[User], rng: random.Random, now: datetime
    ) -> None:
        """Every attempt as a contestant makes one: start, click answers, submit."""
        for round_ in rounds:
            if round_.opens_at > now:
                continue
            window_end = min(round_.closes_at, now - timedelta(minutes=30))
            # Room at the end for a user's last tries, each after the one before.
            span = (window_end - round_.opens_at).total_seconds() - TRIES_ROOM_S
            takers = (
                users if round_.closes_at <= now else rng.sample(users, len(users) // 2)
            )
            for user in takers:
                skill = rng.uniform(0.55, 0.99)
                starts = sorted(
                    round_.opens_at + timedelta(seconds=rng.uniform(0, span))
                    for _ in range(rng.choice([1, 1, 2, 3]))
                )
                free_at = round_.opens_at
                for started in starts:
                    free_at = self._attempt(
                        round_, user, skill, rng, max(started, free_at)
                    )
        # The sweep finish_expired_attempts runs: abandoned tries end at their deadline.
        attempts_finish_expired(now=now)

    def _attempt(
        self,
        round_: Round,
        user: User,
        skill: float,
        rng: random.Random,
        started: datetime,
    ) -> datetime:
        """One try through the services; return when the user may start another."""
        attempt = attempt_start(user=user, round_=round_, now=started, rng=rng).attempt
        revisions = revisions_get(item[0] for item in attempt.draw)
        shown: dict[int, int] = {}
        for position, (revision_id, permutation) in enumerate(attempt.draw):
            revision = revisions[revision_id]
            if rng.random() < skill:
                chosen = revision.correct_index
            else:
                chosen = rng.randrange(len(permutation))
            shown[position] = permutation.index(chosen)
        prediction = rng.randint(20, 160)
        abandoned = rng.random() < ABANDONED_SHARE
        if abandoned:
            # Left the page part-way: what was clicked stays and counts at the deadline.
            clicked = rng.randint(len(shown) // 2, len(shown) - 1)
            duration_ms = int((attempt.deadline - started).total_seconds() * 1000)
        else:
            # The page saves all twenty clicks, but so many saves would make the load
            # ~21 s instead of ~9 s; the submit carries every answer anyway.
            clicked = rng.randint(1, SAVED_CLICKS)
            duration_ms = rng.randint(95_000, 840_000)
        step = timedelta(milliseconds=duration_ms) / (len(shown) + 1)
        for position in range(clicked):
            attempt_save(
                attempt=attempt,
                seq=position + 1,
                position=position,
                shown_choice=shown[position],
                prediction=prediction if position == 0 else None,
                now=started + step * (position + 1),
            )
        if abandoned:
            return attempt.deadline + timedelta(seconds=round_.grace_seconds + 60)
        submitted = started + timedelta(milliseconds=duration_ms)
        attempt_submit(
            attempt=attempt, answers=shown, prediction=prediction, now=submitted
        )
        return submitted + timedelta(seconds=rng.randint(30, 600))
