"""The two references every bench run measures beside the portal, under the same
gunicorn and workers: what the machine does with no framework at all.

- `hello`: a raw WSGI "hello", the ceiling of gunicorn on this machine;
- `session_update`: a raw WSGI app that reads the request (as a save's body), looks
  up the Django session from the portal's own session store (Redis with REDIS_URL)
  and runs one UPDATE on the bench database in autocommit. That is the least a save
  can do: know who is asking, and write once.

    gunicorn bench.refapps:hello
    gunicorn bench.refapps:session_update   # DJANGO_SETTINGS_MODULE and the bench env
"""

from http.cookies import SimpleCookie

TABLE = "bench_reference"


def hello(environ, start_response):
    body = b"hello"
    start_response(
        "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
    )
    return [body]


_store = None


def _session_store():
    """Django set up once per worker, for its session engine and its connection."""
    global _store
    if _store is None:
        from importlib import import_module

        import django

        django.setup()
        from django.conf import settings

        _store = (
            import_module(settings.SESSION_ENGINE).SessionStore,
            settings.SESSION_COOKIE_NAME,
        )
    return _store


def session_update(environ, start_response):
    store, cookie_name = _session_store()
    from django.contrib.auth import SESSION_KEY
    from django.db import connection

    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    key = cookie[cookie_name].value if cookie_name in cookie else None
    user_id = store(key).get(SESSION_KEY) if key else None
    status, body = "403 Forbidden", b'{"ok": false}'
    if user_id is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET hits = hits + 1 WHERE user_id = %s",
                [int(user_id)],
            )
            if cursor.rowcount == 1:
                status, body = "200 OK", b'{"ok": true}'
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def create_table(user_ids: list[int]) -> None:
    """The reference's own table, one row per simulated contestant."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(
            f"CREATE TABLE {TABLE} (user_id bigint PRIMARY KEY, hits bigint NOT NULL)"
        )
        cursor.executemany(
            f"INSERT INTO {TABLE} (user_id, hits) VALUES (%s, 0)",
            [(user_id,) for user_id in user_ids],
        )
