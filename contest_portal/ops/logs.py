"""The LOGGING setting: one console handler, every line with its time (UTC, ISO 8601
with milliseconds), level, logger and request id; JSON lines when asked.

Django's own loggers ("django", "django.server") are sent through the same handler
instead of the ones Django installs, so no line escapes the format or shows twice.
"""

import logging
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
JSON_NAMES = {"asctime": "time", "levelname": "level", "name": "logger"}


def _utc_time(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """`2026-12-05T16:34:19.123Z INFO rounds.views [3f2a…] message`."""

    def formatTime(  # noqa: N802 (logging's name)
        self, record: logging.LogRecord, datefmt: str | None = None
    ) -> str:
        return _utc_time(record)


class JsonLinesFormatter(JsonFormatter):
    """One JSON object a line: time, level, logger, request_id, message, extras."""

    def formatTime(  # noqa: N802 (logging's name)
        self, record: logging.LogRecord, datefmt: str | None = None
    ) -> str:
        return _utc_time(record)


def logging_config(*, json: bool, level: str) -> dict[str, Any]:
    """LOGGING for the settings: text or JSON lines at `level` on standard error."""
    level = level.upper()
    through_root = {"handlers": [], "level": level, "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "contest_portal.ops.requestid.RequestIdFilter"}
        },
        "formatters": {
            "text": {"()": "contest_portal.ops.logs.TextFormatter", "fmt": TEXT_FORMAT},
            "json": {
                "()": "contest_portal.ops.logs.JsonLinesFormatter",
                "fmt": JSON_FIELDS,
                "rename_fields": JSON_NAMES,
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "json" if json else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django": through_root, "django.server": dict(through_root)},
    }
