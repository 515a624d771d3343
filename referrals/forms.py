"""Forms of the referral workflow. Rules are in services.py; these only collect and tidy input."""

from django import forms
from django.utils import timezone

from mentoring.conflicts import ConflictCheckedModelForm, ConflictCheckMixin
from mentoring.forms_util import CrispyMixin, DateInput, RowsChoiceField
from mentoring.models import Contact, Role, SupportType, User

from .models import (
    Barrier,
    ConsentLetter,
    ConsentRecord,
    Criterion,
    DiscussionNote,
    LetterTemplate,
    Referral,
)
from .services import NEEDS_CRITERION, PLACEHOLDER, letter_wording

LETTER_PLACEHOLDERS = {
    "child_name": "the child's first name and surname",
    "child_first_name": "the child's first name",
    "support_type": "the support offered, e.g. Drawing & Talking",
    "school_name": "the school's name",
    "head_name": "the head teacher's name",
    "coordinator_name": "the name of the member of staff sending the letter",
}


class ReferralForm(ConflictCheckMixin, CrispyMixin, forms.ModelForm):
    conflict_noun = "this referral"

    class Meta:
        model = Referral
        fields = [
            "pupil",
            "criteria",
            "barriers",
            "needs_and_strengths",
            "already_tried",
            "short_term",
            "short_term_details",
            "pupil_willing",
            "pupil_asked_for_help",
        ]
        field_classes = {"criteria": RowsChoiceField, "barriers": RowsChoiceField}
        widgets = {
            "criteria": forms.CheckboxSelectMultiple,
            "barriers": forms.CheckboxSelectMultiple,
            "pupil_willing": forms.RadioSelect,
            "needs_and_strengths": forms.Textarea(attrs={"rows": 4}),
            "already_tried": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "criteria": "At least one must apply.",
            "needs_and_strengths": (
                "What you see in class and around school, and what the child is good at."
            ),
        }

    def __init__(self, *args, pupils, submitting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()
        # Submitting needs a criterion (a draft does not): said with the other errors at once,
        # not on a second round after the service refuses.
        self.submitting = submitting
        self.fields["pupil"].queryset = pupils.select_related("school_class").order_by(
            "legal_last_name", "legal_first_name"
        )
        self.fields["pupil"].label_from_instance = lambda p: (
            f"{p.legal_last_name}, {p.first_name} ({p.school_class or p.get_year_group_display()})"
        )
        schools = pupils.values("school_id")
        for name, model in (("criteria", Criterion), ("barriers", Barrier)):
            chosen = getattr(self.instance, name).values("pk") if self.instance.pk else []
            # Retired items stay ticked on the referrals that used them.
            self.fields[name].queryset = model.objects.filter(school_id__in=schools).filter(
                active=True
            ) | model.objects.filter(pk__in=chosen)
        if self.instance.pk:
            self.fields["pupil"].disabled = True

    def clean(self):
        cleaned = super().clean()
        pupil = cleaned.get("pupil")
        for name in ("criteria", "barriers"):
            items = cleaned.get(name) or []
            if pupil and any(item.school_id != pupil.school_id for item in items):
                self.add_error(name, "Choose only items of the pupil's school.")
        if cleaned.get("short_term") and not cleaned.get("short_term_details", "").strip():
            self.add_error("short_term_details", "Say what the short-term difficulty is.")
        if self.submitting and "criteria" in cleaned and not cleaned["criteria"]:
            self.add_error("criteria", NEEDS_CRITERION)
        return cleaned


class SchoolListItemForm(ConflictCheckedModelForm):
    """One row of the school's criteria or barriers; checked, while the list is validated,
    for a change to it saved since the page was opened."""

    conflict_noun = "this item"


class DiscussionForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = DiscussionNote
        fields = ["discussed_on", "with_whom", "note"]
        widgets = {"discussed_on": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()

    def clean_discussed_on(self):
        day = self.cleaned_data["discussed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return day


class PrioritiseForm(ConflictCheckMixin, CrispyMixin, forms.Form):
    """``record=`` the referral: two panel members may record its priority at once."""

    conflict_noun = "the priority"
    priority = forms.TypedChoiceField(
        choices=Referral.Priority.choices, coerce=int, widget=forms.RadioSelect
    )
    panel = RowsChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Who sat on the panel",
    )
    prioritised_on = forms.DateField(
        label="Date of the panel", initial=timezone.localdate, widget=DateInput()
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()
        panel_roles = [Role.HEAD, Role.SENDCO, Role.COORDINATOR, Role.MENTOR]
        self.fields["panel"].queryset = (
            User.objects.filter(
                memberships__school=school, memberships__roles__role__in=panel_roles
            )
            .distinct()
            .order_by("last_name", "first_name")
        )

    def clean_prioritised_on(self):
        day = self.cleaned_data["prioritised_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return day


class DecisionForm(CrispyMixin, forms.Form):
    DECISIONS = [
        (Referral.Status.ACCEPTED, "Accept"),
        (Referral.Status.WAITLISTED, "Waitlist"),
        (Referral.Status.DECLINED, "Decline"),
    ]
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect)
    support_type = forms.ChoiceField(
        choices=[("", "Choose the support")] + SupportType.choices,
        required=False,
        label="Support offered (when accepting)",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Reason (when declining)",
        help_text="The referrer will see this.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()


class WithdrawForm(CrispyMixin, forms.Form):
    reason = forms.CharField(max_length=200, label="Why is the referral withdrawn?")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()


class ConsentLetterForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = ConsentLetter
        fields = ["addressed_to", "sent_on"]
        widgets = {"sent_on": DateInput()}
        labels = {"addressed_to": "To", "sent_on": "Date sent"}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()
        self.fields["addressed_to"].queryset = Contact.objects.filter(pupil=case.pupil)
        self.fields["addressed_to"].empty_label = "The parents/carers of the child"
        self.fields["addressed_to"].required = False


class ConsentRecordForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = ConsentRecord
        fields = ["decision", "given_by", "relationship", "method", "decided_on", "note"]
        widgets = {
            "decision": forms.RadioSelect,
            "decided_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()
        # As radios, the model field's blank choice would be a "---------" button, and the
        # one ticked: the coordinator must choose the parents' answer, not be given one.
        self.fields["decision"].choices = ConsentRecord.Decision.choices


class LetterTemplateForm(ConflictCheckMixin, CrispyMixin, forms.Form):
    """The school's wording (``record=`` the school: until it has its own wording there is no
    letter template row to compare)."""

    conflict_noun = "the letter's wording"
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        label="Wording of the letter",
        help_text="Leave a blank line between paragraphs. Placeholders: "
        + "; ".join(f"{{{name}}} for {what}" for name, what in LETTER_PLACEHOLDERS.items())
        + ".",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()

    def conflict_attrs(self):
        return {"body": "body"}

    def conflict_values(self, school):
        return {"body": letter_wording(school)}

    def conflict_history(self, school):
        return LetterTemplate.history.filter(school_id=school.pk)

    def clean_body(self):
        body = self.cleaned_data["body"]
        unknown = sorted(set(PLACEHOLDER.findall(body)) - set(LETTER_PLACEHOLDERS))
        if unknown:
            raise forms.ValidationError(
                "Unknown placeholder(s): "
                + ", ".join(f"{{{name}}}" for name in unknown)
                + ". Use only those listed below."
            )
        return body
