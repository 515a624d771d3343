"""The form of a mentor's training record. Rules are in training.py."""

from django import forms

from .conflicts import ConflictCheckMixin
from .forms_util import DateInput, crispy_helper
from .models import TrainingRecord
from .training import school_mentors


class TrainingRecordForm(ConflictCheckMixin, forms.ModelForm):
    conflict_noun = "this training record"

    class Meta:
        model = TrainingRecord
        fields = ["mentor", "course", "completed_on", "renewal_due_on", "notes"]
        widgets = {"completed_on": DateInput(), "renewal_due_on": DateInput()}
        help_texts = {
            "course": "For example: Safeguarding refresher, Drawing & Talking practitioner.",
            "renewal_due_on": "For a course renewed every year, such as a safeguarding "
            "refresher. Leave empty for one that is never renewed.",
        }
        error_messages = {
            "mentor": {"required": "Choose the mentor who did the course."},
            "course": {"required": "Name the course."},
            "completed_on": {"required": "Give the date the course was completed."},
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = school_mentors(school)
        self.fields["mentor"].empty_label = "Choose a mentor"
        self.helper = crispy_helper()
