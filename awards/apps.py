from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = "Giải thưởng"

    def ready(self) -> None:
        # django.contrib.admin comes first in INSTALLED_APPS: its ready() has
        # imported every app's admin module by now.
        from awards.admin import audit_every_screen

        audit_every_screen()
