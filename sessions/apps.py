from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """Mentoring sessions. The label is not "sessions": django.contrib.sessions owns that."""

    name = "sessions"
    label = "mentoring_sessions"
    verbose_name = "Mentoring sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers landing-page and case-page sections, and what a closed case gives up.
        from . import closing, sections  # noqa: F401
