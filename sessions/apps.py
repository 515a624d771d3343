from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """Mentoring sessions. The label is not "sessions": django.contrib.sessions owns that."""

    name = "sessions"
    label = "mentoring_sessions"
    verbose_name = "Mentoring sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import sections  # noqa: F401  (registers landing-page and case-page sections)
