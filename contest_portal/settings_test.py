"""Test settings: the same module, with fast hashing and no outside mail."""

import os

# A developer's copy: the published key, DEBUG on (contest_portal/settings.py).
os.environ.setdefault("DJANGO_DEVELOPMENT", "true")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Tests never report to a real Sentry; tests/test_operations_sentry.py runs its own.
os.environ["SENTRY_DSN"] = ""

from contest_portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Live-server and race-test threads must not keep connections that block the
# test database's teardown.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Registration tests solve the proof of work in Python; the browser test's real
# script solves it too. tests/accounts/test_registration_challenge.py checks the
# production difficulty.
REGISTRATION_CHALLENGE_DIFFICULTY = 4
# The same ramp shape from the test difficulty: +1 bit per 3 registrations after 3.
REGISTRATION_CHALLENGE_RAMP = {**REGISTRATION_CHALLENGE_RAMP, "max": 8}  # noqa: F405
# SMS is off unless a test starts the stand-in gateway (tests/sms_gateway.py).
SMS_BACKEND = ""
