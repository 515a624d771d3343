from django import forms
from django.utils import timezone

from mentoring.conflicts import ConflictCheckMixin
from mentoring.forms_util import CrispyMixin, DateInput, TimeInput
from mentoring.models import Role, Room, StaffMember, User

from .models import WEEKDAYS, SessionMove, SessionRecord, Slot


class SlotFieldsMixin(CrispyMixin):
    def _limit_choices(self, school):
        mentors = StaffMember.objects.filter(school=school, roles__role=Role.MENTOR)
        hours = dict(mentors.values_list("user_id", "mentoring_hours"))
        self.fields["mentor"].queryset = User.objects.filter(pk__in=hours).order_by("last_name")
        self.fields["mentor"].label_from_instance = lambda u: (
            f"{u.display_name} ({hours[u.pk]} hours a week)"
        )
        self.fields["room"].queryset = Room.objects.filter(school=school)
        self.fields["room"].label_from_instance = lambda r: (
            r.name if r.suitable_for_one_to_one else f"{r.name} (not for one-to-one work)"
        )
        # Said in words instead of a row of dashes.
        self.fields["mentor"].empty_label = "Choose a mentor"
        self.fields["room"].empty_label = "Choose a room"
        self.fields["weekday"].choices = [("", "Choose a day"), *WEEKDAYS]


class AllocationForm(SlotFieldsMixin, forms.ModelForm):
    class Meta:
        model = Slot
        fields = [
            "mentor",
            "room",
            "weekday",
            "starts_at",
            "duration",
            "block_starts_on",
            "block_weeks",
        ]
        widgets = {
            "starts_at": TimeInput(),
            "block_starts_on": DateInput(),
            "weekday": forms.Select(choices=WEEKDAYS),
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()
        self._limit_choices(school)
        self.fields["block_weeks"].initial = school.block_weeks
        self.fields["block_starts_on"].initial = timezone.localdate()


class JoinGroupForm(CrispyMixin, forms.Form):
    slot = forms.ModelChoiceField(
        queryset=Slot.objects.none(),
        label="Join this slot as a small group",
        empty_label="Choose a slot",
    )

    def __init__(self, *args, slots, **kwargs):
        """``slots``: the ones the case may join (``services.joinable_slots``)."""
        super().__init__(*args, **kwargs)
        self._crispy()
        self.fields["slot"].queryset = Slot.objects.filter(
            pk__in=[slot.pk for slot in slots]
        ).select_related("mentor", "room")
        self.fields["slot"].label_from_instance = lambda s: f"{s} with {s.mentor}"


class SlotChangeForm(ConflictCheckMixin, SlotFieldsMixin, forms.ModelForm):
    conflict_noun = "this slot"
    reason = forms.CharField(max_length=200, help_text="Kept in the slot's history.")

    class Meta:
        model = Slot
        fields = ["mentor", "room", "weekday", "starts_at", "duration", "block_weeks"]
        widgets = {"starts_at": TimeInput(), "weekday": forms.Select(choices=WEEKDAYS)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()
        self._limit_choices(self.instance.school)


class SessionMoveForm(ConflictCheckMixin, CrispyMixin, forms.Form):
    """Move the session of ``day`` (``record=`` the slot, whose move of that day two people
    may record at once, a first move or a change to one)."""

    conflict_noun = "this week's session"
    moved_to = forms.DateTimeField(
        label="New date and time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(max_length=200)

    def __init__(self, *args, day=None, **kwargs):
        self.day = day
        super().__init__(*args, **kwargs)
        self._crispy()

    def conflict_attrs(self):
        return {"moved_to": "moved_to", "reason": "reason"}

    def conflict_values(self, slot):
        move = SessionMove.objects.filter(slot=slot, original_date=self.day).first()
        return {"moved_to": move and move.moved_to, "reason": move.reason if move else ""}

    def conflict_history(self, slot):
        return SessionMove.history.filter(slot_id=slot.pk, original_date=self.day)


class FeelingSelect(forms.RadioSelect):
    template_name = "sessions/widgets/feelings.html"
    option_template_name = "sessions/widgets/feeling_option.html"


class SessionRecordForm(ConflictCheckMixin, CrispyMixin, forms.ModelForm):
    conflict_noun = "this session record"

    class Meta:
        model = SessionRecord
        fields = [
            "attendance",
            "cancel_reason",
            "what_was_done",
            "pupil_feeling",
            "next_steps",
            "safeguarding_concern",
            *SessionRecord.FIRST_MEETING_FIELDS,
        ]
        widgets = {
            "attendance": forms.RadioSelect,
            "pupil_feeling": FeelingSelect,
            "what_was_done": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"cancel_reason": "Needed when the session was cancelled."}
        error_messages = {"attendance": {"required": "Say whether the session was held."}}

    def __init__(self, *args, first_meeting, may_lift_flag=False, **kwargs):
        """``may_lift_flag``: the user is the DSL of the case's school, the one who may
        untick a safeguarding concern once it is saved (``services.session_record_save``)."""
        super().__init__(*args, **kwargs)
        self._crispy()
        self.fields["pupil_feeling"].required = False
        self.fields["pupil_feeling"].choices = SessionRecord.Feeling.choices
        self.first_meeting = first_meeting
        if not first_meeting:
            for name in SessionRecord.FIRST_MEETING_FIELDS:
                del self.fields[name]
        if self.instance.pk and self.instance.safeguarding_concern and not may_lift_flag:
            # Shown ticked and kept so whatever is posted: the service would refuse it anyway.
            flag = self.fields["safeguarding_concern"]
            flag.disabled = True
            flag.help_text = "Only the designated safeguarding lead (DSL) can lift this flag."

    def checklist(self):
        return [self[name] for name in SessionRecord.FIRST_MEETING_FIELDS if name in self.fields]


class SafeguardingActionForm(ConflictCheckMixin, CrispyMixin, forms.Form):
    """What the DSL has done about a flagged record (``record=`` the session record)."""

    conflict_fields = {"action": "dsl_action"}
    conflict_noun = "what was done about this concern"
    action = forms.CharField(
        label="What you have done", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    lift = forms.BooleanField(
        label="Not a safeguarding concern: lift the flag",
        required=False,
        help_text="The note can then be read by everyone who may see the case.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()
