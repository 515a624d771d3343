"""Forms of a meeting record and its actions. Rules are in meetings.py; these collect input."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone

from mentoring.forms_util import DateInput
from mentoring.models import Role, StaffRole

from .meetings import school_staff
from .models import MeetingAction, MeetingRecord

ACTION_ROWS = 4


def _helper(layout=None):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


class MeetingForm(forms.ModelForm):
    class Meta:
        model = MeetingRecord
        fields = ["met_on", "kind", "attendees", "notes"]
        labels = {"met_on": "Date of the meeting", "kind": "Meeting with"}
        widgets = {"met_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "attendees": "Names and roles, e.g. Mrs A Parent (mother), Mr B Teacher (class teacher)"
        }
        error_messages = {
            "notes": {"required": "Write the notes of the meeting."},
            "attendees": {"required": "Say who attended."},
            "kind": {"required": "Choose who the meeting was with."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["met_on"].initial = timezone.localdate()
        self.helper = _helper()


class ActionForm(forms.ModelForm):
    class Meta:
        model = MeetingAction
        fields = ["action", "owner", "due_on"]
        labels = {"action": "Action", "owner": "Who will do it", "due_on": "Due by"}
        widgets = {"due_on": DateInput()}
        error_messages = {
            "action": {"required": "Say what is to be done."},
            "owner": {"required": "Choose who will do it."},
            "due_on": {"required": "Give the action a due date."},
        }

    def __init__(self, *args, staff, role_names, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff
        self.fields["owner"].label_from_instance = lambda u: (
            f"{u.display_name} ({role_names[u.pk]})" if role_names.get(u.pk) else u.display_name
        )
        self.helper = _helper(
            Layout(
                Row(
                    Column("action", css_class="col-md-6"),
                    Column("owner", css_class="col-md-3"),
                    Column("due_on", css_class="col-md-3"),
                )
            )
        )


ActionFormSet = forms.formset_factory(
    ActionForm, extra=ACTION_ROWS, max_num=ACTION_ROWS, absolute_max=ACTION_ROWS
)


def action_formset(data, school):
    """Blank rows for a meeting's actions; owners are the school's staff with their roles."""
    names = {}
    rows = StaffRole.objects.filter(staff_member__school=school).values_list(
        "staff_member__user_id", "role"
    )
    for user_id, role in rows.order_by("role"):
        names.setdefault(user_id, []).append(Role(role).label)
    role_names = {user_id: ", ".join(labels) for user_id, labels in names.items()}
    return ActionFormSet(
        data,
        prefix="actions",
        form_kwargs={"staff": school_staff(school), "role_names": role_names},
    )
