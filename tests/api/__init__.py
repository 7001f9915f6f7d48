"""Helpers of the API tests."""

API = "/api/v1"


def bearer(secret: str) -> dict[str, str]:
    """The request header another system sends its token in."""
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
