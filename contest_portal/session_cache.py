"""Django's cache session store, each update of a session one round trip.

Django's cache store updates a session in two: it reads the whole session back to
learn whether it still exists (a logout elsewhere, or its expiry, deleted it: the
update must not bring it back), then writes it. On the Redis cache
(contest_portal.ops.cache), replace() does both at once: SET ... XX writes only a key
that is still there. Nothing else changes: a session that is gone raises Django's
UpdateError, as Django's store does, and Django ends the request as it always has;
creating a session (a login) and every other cache keep Django's own path.

A request updates its session wherever it adds to it (a message for the next page,
the saves' credential where no login left it, a phone verification): each such
update is one Redis command instead of two, and the session is not decoded again.
"""

from django.contrib.sessions.backends import cache
from django.contrib.sessions.backends.base import UpdateError


class SessionStore(cache.SessionStore):
    def save(self, must_create: bool = False) -> None:
        replace = getattr(self._cache, "replace", None)
        if self.session_key is None or must_create or replace is None:
            return super().save(must_create=must_create)
        if not replace(self.cache_key, self._get_session(), self.get_expiry_age()):
            raise UpdateError
        return None
