"""The attempt page on a cheap phone: small to download, readable before any script."""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from quizzes.services import question_create
from tests.factories import RoundFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

LIMIT_BYTES = 60 * 1024


def _long_bank(count: int):
    topic = TopicFactory()
    for n in range(count):
        question_create(
            topic_id=topic.pk,
            text=(
                f"Câu {n}: Theo Quyết định số 06/QĐ-TTg của Thủ tướng Chính phủ phê duyệt "
                "Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử "
                "phục vụ chuyển đổi số quốc gia giai đoạn 2022 – 2025, tầm nhìn đến năm 2030, "
                "nội dung nào sau đây là đúng?"
            ),
            choices=[
                f"Phương án thứ {k} với nội dung trả lời khá dài, đúng như đề thi thật"
                for k in range(4)
            ],
            correct=0,
        )
    return topic


def test_a_30_question_page_with_its_css_and_scripts_is_under_60_kb_gzipped(client):
    round_ = RoundFactory(question_count=30)
    round_.contest.topics.set([_long_bank(40)])
    client.force_login(UserFactory())
    url = client.post(reverse("rounds:attempt-start", kwargs={"round_id": round_.pk}))[
        "Location"
    ]

    html = client.get(url).text
    assets = re.findall(r'(?:src|href)="/static/([^"]+\.(?:css|js))"', html)
    total = len(gzip.compress(html.encode()))
    for asset in assets:
        total += len(
            gzip.compress((Path(settings.BASE_DIR) / "static" / asset).read_bytes())
        )

    assert html.count('<fieldset class="question"') == 30
    assert any(a.endswith(".js") for a in assets)
    assert any(a.endswith(".css") for a in assets)
    assert total < LIMIT_BYTES, f"{total} bytes"


def test_every_question_is_in_the_html_and_scripts_wait_for_it(client):
    round_ = RoundFactory(question_count=30)
    round_.contest.topics.set([_long_bank(30)])
    client.force_login(UserFactory())
    url = client.post(reverse("rounds:attempt-start", kwargs={"round_id": round_.pk}))[
        "Location"
    ]

    html = client.get(url).text

    assert len(re.findall(r'type="radio" name="q\d+"', html)) == 120
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts
    assert all("defer" in tag or "async" in tag for tag in scripts)
