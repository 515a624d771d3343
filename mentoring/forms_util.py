"""Small pieces every app's forms and views share."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError


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

    Returns what the service returned, or None when it refused.
    """
    try:
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
