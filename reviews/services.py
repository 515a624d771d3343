"""Rules shared by the reviews app's services: a closed case is read-only."""

from django.core.exceptions import ValidationError

from mentoring.models import Case


def ensure_open(case):
    """Refuse any change to a closed case, whatever the entry point."""
    if case.status == Case.Status.CLOSED:
        raise ValidationError(
            "This case is closed, so it can no longer be changed. Start a new block to "
            "work with the pupil again."
        )
