from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Warning as CheckWarning


def site_url_set(**kwargs) -> list[CheckWarning]:
    """Printed lists and certificates carry the full address where they are
    checked: without the site's address they would carry a bare path."""
    if settings.SITE_URL.startswith(("https://", "http://")):
        return []
    return [
        CheckWarning(
            "DJANGO_SITE_URL is not set: printed lists and certificates would "
            "carry no full address to check them at.",
            hint="Set DJANGO_SITE_URL=https://<the portal's public host>.",
            id="awards.W001",
        )
    ]


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = "Giải thưởng"

    def ready(self) -> None:
        # django.contrib.admin comes first in INSTALLED_APPS: its ready() has
        # imported every app's admin module by now.
        from django.core import checks

        from awards.admin import audit_every_screen

        audit_every_screen()
        checks.register(site_url_set, checks.Tags.compatibility, deploy=True)
