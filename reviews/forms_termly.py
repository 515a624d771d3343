"""Forms of the termly review and the closure. Rules are in termly.py and closure.py; these
only collect and tidy input."""

from django import forms
from django.utils import timezone

from mentoring.conflicts import ConflictCheckMixin
from mentoring.forms_util import DateInput, crispy_helper

from .models import CaseClosure, TermlyReview
from .termly import case_terms


class ReviewForm(ConflictCheckMixin, forms.ModelForm):
    """The mentor's part. The term is chosen once, when the review starts."""

    conflict_noun = "this review"

    class Meta:
        model = TermlyReview
        fields = ["term", "progress_summary", "behaviour_evidence", "attendance_evidence"]
        labels = {"term": "Term"}
        widgets = {
            "progress_summary": forms.Textarea(attrs={"rows": 6}),
            "behaviour_evidence": forms.Textarea(attrs={"rows": 4}),
            "attendance_evidence": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "progress_summary": "Target by target: what has changed, and the evidence for it.",
            "behaviour_evidence": "Incidents, rewards, what the class teacher and you have seen.",
            "attendance_evidence": "The pupil's attendance at school and punctuality this term.",
        }
        error_messages = {
            "term": {"required": "Choose the term the review is for."},
            "progress_summary": {"required": "Write the progress made on the targets."},
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["progress_summary"].required = True
        if self.instance.pk:
            del self.fields["term"]
        else:
            self.fields["term"].queryset = case_terms(case, timezone.localdate())
            self.fields["term"].empty_label = "Choose a term"
        self.helper = crispy_helper()


class TeacherViewForm(ConflictCheckMixin, forms.Form):
    """``record=`` the review."""

    conflict_noun = "the class teacher's view"
    teacher_view = forms.CharField(
        label="Your view as the class teacher",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you see in class: learning, behaviour, friendships, confidence.",
        error_messages={"required": "Write your view of how the pupil is doing."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = crispy_helper()


class DecisionForm(ConflictCheckMixin, forms.Form):
    """``record=`` the review."""

    conflict_noun = "the decision"
    decision = forms.ChoiceField(
        label="Decision",
        choices=TermlyReview.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision."},
    )
    refer_on_to = forms.ChoiceField(
        label="Referred on to",
        choices=[("", "Not referring on")] + TermlyReview.ReferOn.choices,
        required=False,
        help_text="Needed when the decision is to refer on.",
    )
    next_review_on = forms.DateField(
        label="Next review",
        widget=DateInput(),
        required=False,
        help_text="Needed unless the case is closing.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = crispy_helper()


class ClosureForm(forms.ModelForm):
    class Meta:
        model = CaseClosure
        fields = ["reason", "closed_on", "background", "what_was_done", "outcomes", "lessons"]
        labels = {
            "reason": "Why the case is closing",
            "closed_on": "Closed on",
            "background": "Background",
            "what_was_done": "What was done",
            "outcomes": "Outcomes",
            "lessons": "What was learned",
        }
        widgets = {
            "closed_on": DateInput(),
            "background": forms.Textarea(attrs={"rows": 3}),
            "what_was_done": forms.Textarea(attrs={"rows": 3}),
            "outcomes": forms.Textarea(attrs={"rows": 3}),
            "lessons": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "background": "Why the pupil was referred, in a few sentences.",
            "what_was_done": "The support given: sessions, targets, work with family and class.",
            "outcomes": "What changed for the pupil: the ratings, the targets, what people saw.",
            "lessons": "What worked, what did not, what you would do differently.",
        }
        error_messages = {"reason": {"required": "Choose why the case is closing."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "Choose a reason")] + CaseClosure.Reason.choices
        self.fields["closed_on"].initial = timezone.localdate()
        self.fields["closed_on"].show_hidden_initial = False
        self.helper = crispy_helper()
