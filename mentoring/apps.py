from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "School set-up"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the landing-page sections, and the access log's sign-in receivers.
        from . import sections, signals  # noqa: F401


class MentoringAdminConfig(admin_apps.AdminConfig):
    """Django's admin, used by the office for set-up, with access decided by our permissions."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "mentoring.admin_site.SetupAdminSite"
