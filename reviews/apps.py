from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews and evaluation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Each area registers its own landing-page and case-page sections.
        from .views import (  # noqa: F401
            casefile,
            closure,
            meetings,
            pack,
            questionnaires,
            targets,
            termly,
        )
