"""Sending an SMS through the gateway the deployment configures (settings.SMS_*).

A backend is a class with `send(*, to: str, text: str) -> None` that raises SmsError
when the message was not accepted. Two ship here: the console, for development, and
a plain HTTP adapter for a provider's JSON API. Another provider's API is one more
small class named in DJANGO_SMS_BACKEND.
"""

import json
import sys
import urllib.error
import urllib.request
from typing import Protocol

import phonenumbers
from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The gateway did not accept the message."""


class Backend(Protocol):
    def send(self, *, to: str, text: str) -> None: ...


def international(phone: str) -> str:
    """A stored number (national form for Vietnam, else E.164) as E.164."""
    if phone.startswith("+"):
        return phone
    return phonenumbers.format_number(
        phonenumbers.parse(phone, "VN"), phonenumbers.PhoneNumberFormat.E164
    )


class ConsoleBackend:
    """Prints each message, as Django's console email backend does."""

    def send(self, *, to: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {to}] {text}\n")
        sys.stdout.flush()


class HttpBackend:
    """POSTs {"to", "text", "sender"} as JSON; any 2xx answer means accepted."""

    def __init__(self) -> None:
        if not settings.SMS_HTTP_URL:
            raise SmsError("DJANGO_SMS_HTTP_URL is not set.")
        self.url = settings.SMS_HTTP_URL
        self.token = settings.SMS_HTTP_TOKEN
        self.sender = settings.SMS_HTTP_SENDER
        self.timeout = settings.SMS_HTTP_TIMEOUT

    def send(self, *, to: str, text: str) -> None:
        body = json.dumps({"to": to, "text": text, "sender": self.sender}).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.url, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise SmsError(f"The gateway answered {error.code}.") from error
        except (OSError, ValueError) as error:
            raise SmsError(f"The gateway could not be reached: {error}") from error


def sms_enabled() -> bool:
    return bool(settings.SMS_BACKEND)


def sms_send(*, phone: str, text: str) -> None:
    """Send one message to a stored phone number; SmsError when it did not go."""
    if not sms_enabled():
        raise SmsError("SMS is turned off (DJANGO_SMS_BACKEND is empty).")
    backend: Backend = import_string(settings.SMS_BACKEND)()
    backend.send(to=international(phone), text=text)
