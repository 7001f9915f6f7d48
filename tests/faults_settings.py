"""Production settings for the fault-injection servers, with uncollected static files.

tests/test_faults.py runs gunicorn with DEBUG off against a private PostgreSQL; the
only difference from contest_portal.settings is that `{% static %}` needs no manifest,
so the tests never write collected files into the working tree.
"""

from contest_portal.settings import *  # noqa: F403

STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
