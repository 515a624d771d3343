from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and consent"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import sections  # noqa: F401  (registers landing-page and case-page sections)
