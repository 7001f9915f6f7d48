"""{% url %} with the addresses it has reversed kept for the process.

Every page reverses the same handful of addresses (the header's links, the forms'
actions), and Django's reverse() costs about as much as rendering a dozen other
nodes: on the attempt page, its 7 {% url %} tags were a tenth of the request. The
URL configuration does not change while a process runs, so the same view name,
arguments, application namespace, script prefix and URL configuration always give
the same address. This library, a template builtin (settings.TEMPLATES), replaces
Django's {% url %} tag with one that keeps what it reversed, and otherwise renders
exactly as Django's does. Arguments other than strings and integers are reversed
every time: their text could change while they stay equal. The Jinja2 templates'
url() keeps its addresses in the same place (contest_portal/jinja.py).
"""

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()

# Reversed addresses by everything reverse() reads; bounded, as the arguments are
# often a contestant's own (an attempt's public id).
_URLS: dict[tuple, str] = {}
URLS_MAX = 20_000
# What a view name or an argument may be for its address to be kept: text that
# cannot change (a quoted literal in a template is a SafeString) and integers.
_KEPT_TYPES = frozenset({str, SafeString, int})


def _current_app(context) -> str | None:
    # As Django's URLNode finds it.
    try:
        return context.request.current_app
    except AttributeError:
        try:
            return context.request.resolver_match.namespace
        except AttributeError:
            return None


def kept_reverse(
    view_name: str, args: tuple = (), kwargs: tuple = (), current_app: str | None = None
) -> str:
    """reverse() of the view name, its arguments and its keyword arguments (as
    sorted (name, value) pairs), kept for the process where they are kept types;
    NoReverseMatch as reverse() raises it."""
    key = None
    if type(view_name) in _KEPT_TYPES and all(
        type(value) in _KEPT_TYPES for value in (*args, *(v for _k, v in kwargs))
    ):
        key = (
            view_name,
            args,
            kwargs,
            current_app,
            get_script_prefix(),
            get_urlconf(),
            settings.ROOT_URLCONF,
        )
        url = _URLS.get(key)
        if url is not None:
            return url
    url = reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)
    if key is not None:
        if len(_URLS) >= URLS_MAX:
            _URLS.clear()
        _URLS[key] = url
    return url


class KeptURLNode(URLNode):
    def render(self, context) -> str:
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(
            sorted(
                (name, value.resolve(context)) for name, value in self.kwargs.items()
            )
        )
        view_name = self.view_name.resolve(context)
        try:
            url = kept_reverse(view_name, args, kwargs, _current_app(context))
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token) -> KeptURLNode:
    """Django's {% url %} (its own parsing and errors), its addresses kept."""
    node = django_url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
