"""Create the provider's database, its users and the portal's client application.

Run by server.run_provider as `python -m tests.oidc_provider.seed` with the same
environment as the server; reads seed.json from the data directory."""

import json
import os

import django
from django.core.management import call_command


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from oauth2_provider.models import Application

    seed = json.loads((settings.DATA_DIR / "seed.json").read_text())
    call_command("migrate", verbosity=0)
    for username, password in seed["users"].items():
        User.objects.create_user(username=username, password=password)
    Application.objects.create(
        name="Contest portal",
        client_id=seed["client_id"],
        client_secret=seed["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(seed["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


if __name__ == "__main__":
    main()
