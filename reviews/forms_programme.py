"""Forms of a programme meeting and its actions. Rules are in programme_meetings.py."""

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone

from mentoring import conflicts
from mentoring.conflicts import ConflictCheckMixin
from mentoring.forms_util import DateInput, RowsChoiceField, crispy_helper

from .forms_meetings import ACTION_ROWS, ActionForm, action_formset
from .meetings import school_staff
from .models import ProgrammeAction, ProgrammeMeeting


class ProgrammeMeetingForm(ConflictCheckMixin, forms.ModelForm):
    conflict_noun = "this meeting"

    attendees = RowsChoiceField(
        queryset=None,
        label="Who attended",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose who attended."},
    )

    class Meta:
        model = ProgrammeMeeting
        fields = ["met_on", "kind", "attendees", "notes", "decisions"]
        widgets = {
            "met_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 6}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "notes": "How the block, term or year went: training, resources shared, what "
            "worked and what did not.",
            "decisions": "What was decided, for example a change to how blocks are planned.",
        }
        error_messages = {
            "met_on": {"required": "Give the date of the meeting."},
            "kind": {"required": "Choose the kind of meeting."},
            "notes": {"required": "Write the notes of the meeting."},
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = school_staff(school)
        if self.instance.pk is None:
            self.fields["met_on"].initial = timezone.localdate()
        self.helper = crispy_helper()
        # Side by side: a school's whole staff in one column runs off a tablet's screen.
        fields = ["met_on", "kind", InlineCheckboxes("attendees"), "notes", "decisions"]
        if conflicts.FIELD in self.fields:
            fields.insert(0, conflicts.FIELD)
        self.helper.layout = Layout(*fields)


class ProgrammeActionEditForm(ConflictCheckMixin, forms.ModelForm):
    """An action already agreed: changed, or ticked done. ``done`` is compared as the
    tick the page showed, so a tick someone else made meanwhile is not undone unseen."""

    conflict_noun = "this action"
    done = forms.BooleanField(label="Done", required=False)

    class Meta:
        model = ProgrammeAction
        fields = ["action", "owner", "due_on"]
        labels = {"action": "Action", "owner": "Who will do it", "due_on": "Due by"}
        widgets = {"due_on": DateInput()}
        error_messages = ActionForm.Meta.error_messages

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff
        self.fields["done"].initial = bool(self.instance.done_on)
        self.helper = crispy_helper()
        self.helper.layout = Layout(
            conflicts.FIELD,
            Row(
                Column("action", css_class="col-lg-6"),
                Column("owner", css_class="col-sm-5 col-lg-3"),
                Column("due_on", css_class="col-sm-4 col-lg-2"),
                Column("done", css_class="col-sm-3 col-lg-1 pt-sm-4"),
            ),
        )

    def conflict_values(self, record):
        return {**super().conflict_values(record), "done": bool(record.done_on)}

    def conflict_yours(self):
        return {**super().conflict_yours(), "done": bool(self.cleaned_data.get("done"))}


def edited_action_forms(data, meeting):
    """One form per action already agreed, in the order shown. The rows come from the
    database, not from what is posted, so a tampered post cannot add or swap a row."""
    staff = school_staff(meeting.school_id)
    actions = meeting.actions.select_related("owner").order_by("due_on", "pk")
    return [
        ProgrammeActionEditForm(data, instance=action, staff=staff, prefix=f"agreed-{action.pk}")
        for action in actions
    ]


class NewActionForm(ActionForm):
    """A case meeting's action row, laid out so the date keeps its width on a tablet."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Row(
                Column("action", css_class="col-lg-6"),
                Column("owner", css_class="col-sm-7 col-lg-3"),
                Column("due_on", css_class="col-sm-5 col-lg-3"),
            )
        )


NewActionFormSet = forms.formset_factory(
    NewActionForm, extra=ACTION_ROWS, max_num=ACTION_ROWS, absolute_max=ACTION_ROWS
)


def new_action_forms(data, school):
    """Blank rows for actions agreed, owners from the school's staff with their roles."""
    rows = action_formset(data, school)
    return NewActionFormSet(data, prefix=rows.prefix, form_kwargs=rows.form_kwargs)
