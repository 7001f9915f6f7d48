"""{% static %} with the addresses it has given kept for the process.

The manifest storage looks each file up in its manifest, checks and quotes the name
and joins it to STATIC_URL on every tag: on a contestant's page, its three tags cost
more than any other node but {% url %}. Neither the manifest nor the storage changes
while a process runs, so this library keeps each address with the storage instance
that gave it: a new storage (settings changed, as tests do) or a change of DEBUG
(unhashed names) gives it again. Everything else is Django's static library,
unchanged. The portal's templates load it as {% load kept_static %}
(settings.TEMPLATES' "libraries"; under Django's own name "static" the system check
would warn of two libraries of one name); Django's own templates keep Django's. The
Jinja2 templates' static() keeps its addresses here too (contest_portal/jinja.py).
"""

from typing import Any

from django import template
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags import static as django_static

register = template.Library()
register.tags.update(django_static.register.tags)
register.filters.update(django_static.register.filters)

# (path, DEBUG) -> (the storage instance that gave it, the address); bounded, as a
# path can come from a variable.
_URLS: dict[tuple[str, bool], tuple[object, str]] = {}
URLS_MAX = 2_000


def kept_static(path: Any) -> str:
    """The static file's address, as {% static %} gives it, kept for the process."""
    if not isinstance(path, str):  # a literal is a SafeString; lazy text is not
        return django_static.StaticNode.handle_simple(path)
    key = (str(path), settings.DEBUG)
    kept = _URLS.get(key)
    # LazyObject keeps the storage it built in _wrapped: the same instance, the
    # same manifest.
    if kept is not None and kept[0] is staticfiles_storage._wrapped:
        return kept[1]
    url = django_static.StaticNode.handle_simple(path)
    if len(_URLS) >= URLS_MAX:
        _URLS.clear()
    _URLS[key] = (staticfiles_storage._wrapped, url)
    return url


class KeptStaticNode(django_static.StaticNode):
    def url(self, context) -> str:
        return kept_static(self.path.resolve(context))


@register.tag("static")
def do_static(parser, token) -> KeptStaticNode:
    """Django's {% static %} (its own parsing and errors), its addresses kept."""
    return KeptStaticNode.handle_token(parser, token)
