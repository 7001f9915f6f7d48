"""{% static %} keeps the addresses it gave and renders exactly as Django's tag."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.templatetags.static import StaticNode, static
from django.test import override_settings
from django.urls import reverse

from contest_portal import template_static
from contest_portal.template_static import KeptStaticNode
from tests.factories import UserFactory

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
LOAD = re.compile(r"\{%\s*load\s+([^%]*?)\s*%\}")


def _render(source: str, **context) -> str:
    return Template("{% load kept_static %}" + source).render(Context(context))


def test_kept_static_gives_the_kept_tag():
    template = Template("{% load kept_static %}{% static 'css/site.css' %}")

    assert isinstance(template.nodelist[-1], KeptStaticNode)


def test_every_template_of_the_portal_loads_the_kept_tag():
    loads_django_static = [
        str(path.relative_to(TEMPLATES_DIR))
        for path in TEMPLATES_DIR.rglob("*.html")
        for libraries in LOAD.findall(path.read_text())
        if "static" in libraries.split()
    ]

    assert loads_django_static == []


def test_it_renders_what_django_gives_twice_over():
    expected = static("css/site.css")

    assert _render("{% static 'css/site.css' %}") == expected
    assert _render("{% static 'css/site.css' %}") == expected  # the kept one
    assert _render("{% static path %}", path="js/attempt.js") == static("js/attempt.js")


def test_as_var_and_escaping_are_django_s():
    assert _render("{% static 'css/site.css' as u %}[{{ u }}]") == (
        f"[{static('css/site.css')}]"
    )
    assert _render("{% static 'a&b.css' %}") == static("a&b.css").replace("&", "&amp;")
    assert _render(
        "{% autoescape off %}{% static 'a&b.css' %}{% endautoescape %}"
    ) == static("a&b.css")


def test_a_new_static_address_is_given_at_once():
    before = _render("{% static 'css/site.css' %}")

    with override_settings(STATIC_URL="/tinh/"):
        moved = _render("{% static 'css/site.css' %}")
    after = _render("{% static 'css/site.css' %}")

    assert moved == static("css/site.css").replace(
        before.rsplit("css/", 1)[0], "/tinh/"
    )
    assert moved.startswith("/tinh/")
    assert after == before


@pytest.mark.django_db
def test_the_admin_pages_get_their_static_files(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:index"))

    assert page.status_code == 200
    assert static("admin/css/base.css").encode() in page.content


def test_a_page_s_static_addresses_are_looked_up_once_then_kept(monkeypatch):
    looked_up = []
    handle_simple = StaticNode.handle_simple

    def counting(path):
        looked_up.append(path)
        return handle_simple(path)

    monkeypatch.setattr(StaticNode, "handle_simple", staticmethod(counting))
    monkeypatch.setattr(template_static, "_URLS", {})  # what other tests kept
    source = "{% static 'favicon.svg' %}{% static 'css/site.css' %}"
    first = _render(source)

    assert _render(source) == first
    assert looked_up == ["favicon.svg", "css/site.css"]
