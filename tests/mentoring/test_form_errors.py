"""A form's whole-form errors are printed once, announced, wherever {% crispy form %} is used."""

from django import forms
from django.template import Context, Template

from mentoring.forms_util import crispy_helper


class SlotForm(forms.Form):
    start = forms.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = crispy_helper()

    def clean(self):
        raise forms.ValidationError("The room is booked then.")


def test_a_whole_form_error_is_printed_once_and_announced():
    form = SlotForm({"start": "10:30"})
    assert not form.is_valid()
    page = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))
    assert page.count("The room is booked then.") == 1
    alert = page.split("The room is booked then.")[0].rsplit("<div", 1)[1]
    assert 'role="alert"' in alert
