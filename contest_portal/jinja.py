"""The Jinja2 environment of the deadline rush's own pages.

The attempt page and the result are asked for by every contestant at once, and the
template language was a third of their CPU: each of its nodes resolves its
variables, escapes and localizes at render time. Jinja2 compiles a template to
Python once per process; the same markup costs about a third (measured on the
attempt page: 430 µs against 120 µs per render, in one process). Those pages are
in templates/jinja2/ (settings.TEMPLATES, the engine named "jinja2"), with a layout
of their own that gives the same frame as templates/base.html for the same request
(tests/test_jinja_pages.py renders both); every other page keeps the template
language.

What the templates use, as the template language gives it:

- ``url(view_name, *args)``: {% url %}, its addresses kept as the portal's tag keeps
  them (contest_portal.template_urls);
- ``attempt_url(view_name, public_id)``: an attempt's address, as
  {% url view_name public_id %} gives it (rounds.addresses.attempt_url);
- ``static(path)``: {% static %}, kept the same way (contest_portal.template_static);
- ``|date(format)``: Django's date filter, in Vietnam's time as a template shows it;
- ``|intcomma``: django.contrib.humanize's, with Vietnam's thousand separator;
- ``csrf_input``: Django's, masked once per page (``csrf_once``, a context
  processor of this engine): Django's Jinja2 backend masks the token anew at every
  use, where the template language's {% csrf_token %} masks it once per render;
- ``request``, ``user``, ``perms`` and ``messages``: Django's Jinja2 backend and the
  context processors of settings.TEMPLATES.
"""

from datetime import date, datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest
from django.template import defaultfilters
from django.template.backends.utils import csrf_input
from django.utils.functional import SimpleLazyObject
from django.utils.timezone import template_localtime
from jinja2 import Environment

from contest_portal.template_static import kept_static
from contest_portal.template_urls import kept_reverse
from rounds.addresses import attempt_url


def url(view_name: str, *args: Any) -> str:
    return kept_reverse(view_name, args)


# The date format characters strftime gives alike (zero-padded numbers): a format
# made of them and separators is formatted by strftime, else by Django.
_STRFTIME = {"H": "%H", "i": "%M", "s": "%S", "d": "%d", "m": "%m", "Y": "%Y"}
_SEPARATORS = frozenset(" :/-.,")
_formats: dict[str, str | None] = {}


def _strftime_format(format_string: str) -> str | None:
    if format_string not in _formats:
        simple = all(c in _STRFTIME or c in _SEPARATORS for c in format_string)
        _formats[format_string] = (
            "".join(_STRFTIME.get(c, c) for c in format_string) if simple else None
        )
    return _formats[format_string]


def date_filter(value: date | datetime | None, format_string: str) -> str:
    """Django's |date in Vietnam's time (as a template shows a datetime)."""
    value = template_localtime(value)
    strftime = _strftime_format(format_string)
    if strftime is not None and isinstance(value, datetime):
        return value.strftime(strftime)
    return defaultfilters.date(value, format_string)


def csrf_once(request: HttpRequest) -> dict[str, Any]:
    """Django's csrf_input for the page, its token masked at its first use only."""
    return {"csrf_input": SimpleLazyObject(lambda: csrf_input(request))}


def environment(**options: Any) -> Environment:
    # A page ends with the newline its file ends with, as in the template language.
    env = Environment(keep_trailing_newline=True, **options)
    env.globals.update(url=url, attempt_url=attempt_url, static=kept_static)
    env.filters.update(date=date_filter, intcomma=intcomma)
    return env
