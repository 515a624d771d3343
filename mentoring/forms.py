from crispy_forms.helper import FormHelper
from django import forms

from .models import School


class RosterImportForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), empty_label=None)
    file = forms.FileField(
        label="Roster file (CSV)",
        help_text="Columns as in the template below; dates as DD/MM/YYYY.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        if len(schools) == 1:
            self.fields["school"].widget = forms.HiddenInput()
            self.fields["school"].initial = schools[0]
        self.helper = FormHelper()
        self.helper.form_tag = False
