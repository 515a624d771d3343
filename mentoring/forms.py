from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from .forms_util import crispy_helper
from .models import School


class RosterImportForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), empty_label=None)
    file = forms.FileField(
        label="Roster file (CSV)",
        help_text="Columns as in the template above; dates as DD/MM/YYYY.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        if len(schools) == 1:
            self.fields["school"].widget = forms.HiddenInput()
            self.fields["school"].initial = schools[0]
        self.helper = crispy_helper()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before it is read, so a huge file never fills the server's memory.
        if upload.size > settings.ROSTER_IMPORT_MAX_BYTES:
            limit = filesizeformat(settings.ROSTER_IMPORT_MAX_BYTES)
            raise forms.ValidationError(f"The file is larger than {limit}; split it in two.")
        return upload
