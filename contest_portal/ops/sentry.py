"""Error reports to Sentry, or a compatible service (GlitchTip), when SENTRY_DSN is set.

Nothing personal leaves the portal: no default PII (cookies, user, client address),
no request bodies (registration forms carry citizen IDs and passwords), no local
variables of the failing frames, and the scrubber's deny list with the portal's own
field names on top, applied recursively. Each event carries the request id, so a
report and the log lines of its request find each other.
"""

from typing import Any

from contest_portal.ops.requestid import NO_REQUEST, current_request_id

# Field names that hold secrets or personal data, besides sentry-sdk's own list.
PORTAL_DENYLIST = [
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",
    "citizen_id",
    "phone",
    "email",
    "full_name",
    "code",
]


def _tag_request_id(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    request_id = current_request_id()
    if request_id != NO_REQUEST:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def init_sentry(
    *, dsn: str, environment: str, release: str | None, traces_sample_rate: float
) -> None:
    """Start sentry-sdk with the Django integration and the portal's privacy rules."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        event_scrubber=EventScrubber(
            denylist=[*DEFAULT_DENYLIST, *PORTAL_DENYLIST], recursive=True
        ),
        traces_sample_rate=traces_sample_rate,
        before_send=_tag_request_id,
    )
