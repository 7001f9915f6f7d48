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
- ``static(path)``: {% static %}, kept the same way (contest_portal.template_static);
- ``|date(format)``: Django's date filter, in Vietnam's time as a template shows it;
- ``|intcomma``: django.contrib.humanize's, with Vietnam's thousand separator;
- ``csrf_input``, ``request``, ``user``, ``perms`` and ``messages``: Django's Jinja2
  backend and the context processors of settings.TEMPLATES.
"""

from datetime import date, datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import defaultfilters
from django.utils.timezone import template_localtime
from jinja2 import Environment

from contest_portal.template_static import kept_static
from contest_portal.template_urls import kept_reverse


def url(view_name: str, *args: Any) -> str:
    return kept_reverse(view_name, args)


def date_filter(value: date | datetime | None, format_string: str) -> str:
    return defaultfilters.date(template_localtime(value), format_string)


def environment(**options: Any) -> Environment:
    # A page ends with the newline its file ends with, as in the template language.
    env = Environment(keep_trailing_newline=True, **options)
    env.globals.update(url=url, static=kept_static)
    env.filters.update(date=date_filter, intcomma=intcomma)
    return env
