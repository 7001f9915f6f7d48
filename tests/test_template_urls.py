"""{% url %} keeps the addresses it reversed and renders exactly as Django's tag."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import NoReverseMatch, reverse, set_script_prefix

from contest_portal import template_urls
from contest_portal.template_urls import KeptURLNode


def _render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_the_url_tag_is_the_kept_one_on_every_page():
    template = Template("{% url 'rounds:home' %}")

    assert isinstance(template.nodelist[0], KeptURLNode)


@pytest.mark.parametrize(
    ("source", "context", "expected"),
    [
        ("{% url 'rounds:home' %}", {}, reverse("rounds:home")),
        (
            "{% url 'rounds:attempt-save' pid %}",
            {"pid": "AbC123xyz"},
            reverse("rounds:attempt-save", args=["AbC123xyz"]),
        ),
        (
            "{% url 'rounds:contest-detail' slug=s %}",
            {"s": "tim-hieu-phap-luat"},
            reverse("rounds:contest-detail", kwargs={"slug": "tim-hieu-phap-luat"}),
        ),
        (
            "{% url 'rounds:attempt-start' rid %}",
            {"rid": 7},
            reverse("rounds:attempt-start", args=[7]),
        ),
    ],
)
def test_it_renders_what_reverse_gives_twice_over(source, context, expected):
    assert _render(source, **context) == expected
    assert _render(source, **context) == expected  # the kept one


def test_each_argument_keeps_its_own_address():
    source = "{% url 'rounds:attempt' pid %}"

    first = _render(source, pid="first00000")
    second = _render(source, pid="second0000")

    assert first.endswith("/first00000/")
    assert second.endswith("/second0000/")


def test_a_deployment_under_a_prefix_gets_its_prefixed_links():
    source = "{% url 'rounds:attempt-list' %}"
    plain = _render(source)
    try:
        set_script_prefix("/thi/")
        prefixed = _render(source)
    finally:
        set_script_prefix("/")

    assert prefixed == "/thi" + plain
    assert _render(source) == plain


def test_an_object_argument_is_reversed_every_time():
    class Named:
        text = "one"

        def __str__(self):
            return self.text

    named = Named()
    source = "{% url 'rounds:attempt' obj %}"
    assert _render(source, obj=named).endswith("/one/")

    named.text = "two"

    assert _render(source, obj=named).endswith("/two/")


def test_as_var_and_a_missing_address_behave_as_djangos():
    assert _render("{% url 'no-such-view' as link %}[{{ link }}]") == "[]"
    assert _render("{% url 'rounds:home' as link %}[{{ link }}]") == (
        f"[{reverse('rounds:home')}]"
    )
    with pytest.raises(NoReverseMatch):
        _render("{% url 'no-such-view' %}")
    with pytest.raises(TemplateSyntaxError):
        Template("{% url %}")


def test_the_address_is_escaped_where_the_page_escapes():
    source = "{% url 'rounds:attempt' pid %}"

    escaped = _render(source, pid="a&b")
    raw = _render("{% autoescape off %}" + source + "{% endautoescape %}", pid="a&b")

    assert "&amp;" in escaped
    assert "&amp;" not in raw
    assert "/a&b/" in raw


def test_a_page_s_addresses_are_reversed_once_then_kept(monkeypatch):
    reversed_ = []

    def counting_reverse(*args, **kwargs):
        reversed_.append(args[0])
        return reverse(*args, **kwargs)

    monkeypatch.setattr(template_urls, "reverse", counting_reverse)
    monkeypatch.setattr(template_urls, "_URLS", {})  # what other tests kept
    # As on a page: quoted view names, a literal argument and a contestant's own.
    source = (
        "{% url 'rounds:attempt-list' %}{% url 'rounds:attempt-start' 7 %}"
        "{% url 'rounds:attempt-save' pid %}"
    )
    first = _render(source, pid="KeptOnce01")

    assert _render(source, pid="KeptOnce01") == first
    assert reversed_ == [
        "rounds:attempt-list",
        "rounds:attempt-start",
        "rounds:attempt-save",
    ]
