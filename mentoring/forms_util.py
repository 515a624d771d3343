"""Small pieces every app's forms and views share."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from . import conflicts


def crispy_helper():
    """Crispy lays out fields and their errors; the page's template owns <form> and its token."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class CrispyMixin:
    """Gives a form ``self.helper`` for ``{% crispy form %}``."""

    def _crispy(self):
        self.helper = crispy_helper()


def apply_service(form, action):
    """Run a service; its refusal lands next to the field it names, or at the top of the form.

    A form that edits an existing record (``conflicts.ConflictCheckMixin``) is first checked,
    in the service's transaction, for a change someone else saved since the form was opened.
    Returns what the service returned, or None when it refused.
    """
    try:
        if getattr(form, "conflict_record", None) is None:
            return action()
        with transaction.atomic():
            conflicts.check(form)
            return action()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


class DateInput(forms.DateInput):
    """The browser's date picker; it sends ISO dates, which the UK input formats accept."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _beyond_any_column(value):
    try:
        return abs(int(str(value))) >= 2**63
    except ValueError:
        return False  # not a number at all: the field's own check refuses it


class RowsChoiceField(forms.ModelMultipleChoiceField):
    """Choose several rows, refusing an id larger than any database column holds.

    Django checks such an id in a lookup of one row, not in a list: SQLite raises
    OverflowError for ``pk IN (...)``, so a tampered form would be a server error.
    """

    def _check_values(self, value):
        for pk in value:
            if _beyond_any_column(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)
