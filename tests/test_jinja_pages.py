"""The attempt page and the result are Jinja2 templates (contest_portal/jinja.py) in
the frame every other page has: their layout gives what templates/base.html gives
for the same request, whoever asks, and their addresses are kept as the template
language's tags keep them."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Unit, User
from contest_portal import template_urls
from contest_portal.jinja import date_filter, url
from rounds import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _both(request) -> tuple[str, str]:
    """The template language's base.html and the Jinja2 one, for one request, each
    with the messages queued for it (a page shows them once)."""
    queued = [(m.level, m.message) for m in get_messages(request)]
    pages = []
    for render in (
        lambda: render_to_string("base.html", {}, request),
        lambda: engines["jinja2"].get_template("base.html").render({}, request),
    ):
        request._messages = FallbackStorage(request)
        for level, message in queued:
            request._messages.add(level, message)
        pages.append(TOKEN.sub("TOKEN", render()))
    return pages[0], pages[1]


def _staff(*permissions: str) -> User:
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=permissions, content_type__app_label="reports"
        )
    )
    return User.objects.get(pk=user.pk)  # permissions read afresh


@pytest.mark.parametrize(
    "who", ["anonymous", "contestant", "manager", "staff", "staff with reports"]
)
def test_the_jinja2_layout_gives_the_frame_of_base_html(who):
    user = {
        "anonymous": lambda: AnonymousUser(),
        "contestant": lambda: UserFactory(full_name="Nguyễn Thị <Mai>"),
        "manager": lambda: UserFactory(managed_unit=Unit.objects.create(name="Xã A")),
        "staff": lambda: _staff(),
        "staff with reports": lambda: _staff("view_dashboard", "export_lists"),
    }[who]()
    request = _request(user)
    request._messages.add(constants.WARNING, "Tuần thi sắp đóng & <b>hết giờ</b>")

    dtl, jinja = _both(request)

    assert jinja == dtl
    assert "Tuần thi sắp đóng &amp; &lt;b&gt;hết giờ&lt;/b&gt;" in jinja
    if who != "anonymous":
        assert 'action="/tai-khoan/dang-xuat/"' in jinja
        assert "TOKEN" in jinja  # the logout form's CSRF field
    if who == "staff with reports":
        assert reverse("reports:export-list") in jinja


def test_the_attempt_page_and_result_render_in_that_frame(round_, contestant, client):
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    client.force_login(contestant)
    page = client.get(
        reverse("rounds:attempt", kwargs={"public_id": attempt.public_id})
    )
    services.attempt_submit(attempt=attempt, answers={}, prediction=1)
    result = client.get(
        reverse("rounds:attempt-result", kwargs={"public_id": attempt.public_id})
    )

    for response in (page, result):
        assert response.status_code == 200
        assert response.text.startswith("<!doctype html>")
        assert contestant.get_short_name() in response.text
        assert reverse("rounds:attempt-list") in response.text
    assert 'id="attempt-form"' in page.text
    # A comment of the template stays in the template.
    assert "Opened by attempt.js" not in page.text
    assert 'id="score"' in result.text


def test_the_jinja2_url_keeps_what_it_reversed(monkeypatch):
    reversed_ = []

    def counting_reverse(*args, **kwargs):
        reversed_.append(args[0])
        return reverse(*args, **kwargs)

    monkeypatch.setattr(template_urls, "reverse", counting_reverse)
    monkeypatch.setattr(template_urls, "_URLS", {})

    first = [url("rounds:attempt-list"), url("rounds:attempt-save", "KeptOnce01")]
    again = [url("rounds:attempt-list"), url("rounds:attempt-save", "KeptOnce01")]

    assert (
        again
        == first
        == [
            reverse("rounds:attempt-list"),
            reverse("rounds:attempt-save", args=["KeptOnce01"]),
        ]
    )
    assert reversed_ == ["rounds:attempt-list", "rounds:attempt-save"]


@pytest.mark.parametrize("format_string", ["H:i:s d/m/Y", "H:i d/m/Y", "j F Y, l"])
def test_the_jinja2_date_is_vietnam_time_as_the_date_filter_gives_it(format_string):
    from datetime import UTC, datetime

    from django.template import Context, Template

    moment = datetime(2026, 3, 1, 17, 30, 5, tzinfo=UTC)
    expected = Template(f'{{{{ moment|date:"{format_string}" }}}}').render(
        Context({"moment": moment})
    )

    assert date_filter(moment, format_string) == expected
    if format_string == "H:i:s d/m/Y":
        assert expected == "00:30:05 02/03/2026"


def test_a_jinja2_page_masks_its_csrf_token_once_and_it_is_accepted(round_, contestant):
    from django.test import Client

    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    client = Client(enforce_csrf_checks=True)
    client.force_login(contestant)
    page = client.get(
        reverse("rounds:attempt", kwargs={"public_id": attempt.public_id})
    )

    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert len(tokens) == 2  # the logout form and the attempt's
    assert tokens[0] == tokens[1]
    submitted = client.post(
        reverse("rounds:attempt-submit", kwargs={"public_id": attempt.public_id}),
        {"csrfmiddlewaretoken": tokens[1], "prediction": "12"},
    )
    assert submitted.status_code == 302
    assert submitted["Location"].endswith("/ket-qua/")
