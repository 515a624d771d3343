"""Forms of the action plan and observations, and the progress part of the session record
form. Rules are in targets.py; these only collect and tidy input."""

from django import forms

from mentoring.forms_util import CrispyMixin, DateInput

from . import targets as services
from .models import Observation, Target, TargetProgress


class TargetForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Target
        fields = ["what", "measure", "success", "by_when", "outcome_area", "iep_reference"]
        widgets = {"by_when": DateInput()}
        help_texts = {"success": "Achievable and relevant: what the pupil will be doing."}
        error_messages = {
            "measure": {"required": services.NEEDS_MEASURE},
            "by_when": {"required": services.NEEDS_DATE},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()
        self.fields["outcome_area"].label = "Outcome area"


class TargetStatusForm(CrispyMixin, forms.Form):
    status = forms.ChoiceField(
        label="Where the target stands",
        choices=Target.Status.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()


class ObservationForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Observation
        fields = ["observed_on", "setting", "notes"]
        labels = {"observed_on": "Date", "setting": "Where", "notes": "What you saw"}
        widgets = {
            "observed_on": DateInput(),
            "setting": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "notes": "Facts first: what the pupil did and said, with whom, and for how long."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()


# --- Progress on targets, with each session record -------------------------------------------

NOT_RATED = ("", "Not this time")


class TargetProgressForm(forms.Form):
    """One row per target: an optional rating and an optional note."""

    def __init__(self, *args, targets, existing, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        for target in targets:
            noted = existing.get(target.pk)
            self.fields[f"rating_{target.pk}"] = forms.TypedChoiceField(
                label=f"Progress on “{target.what}”",
                choices=[NOT_RATED, *TargetProgress.Rating.choices],
                coerce=int,
                empty_value=None,
                required=False,
                initial=noted.rating if noted else "",
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"note_{target.pk}"] = forms.CharField(
                label="Note (optional)",
                max_length=300,
                required=False,
                initial=noted.note if noted else "",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def rows(self):
        return [
            (target, self[f"rating_{target.pk}"], self[f"note_{target.pk}"])
            for target in self.targets
        ]

    def clean(self):
        data = super().clean()
        for target in self.targets:
            rating = f"rating_{target.pk}"
            if data.get(f"note_{target.pk}") and rating in data and data[rating] is None:
                self.add_error(rating, "Choose how much progress, to go with the note.")
        return data

    def entries(self):
        data = self.cleaned_data
        return {t: (data[f"rating_{t.pk}"], data[f"note_{t.pk}"]) for t in self.targets}


class TargetProgressPart:
    """The record part (see sessions.record_parts): progress on the case's open targets."""

    name = "targets"
    template = "reviews/targets/_progress_part.html"
    order = 10

    def form(self, record, data, prefix):
        targets = services.targets_for_record(record)
        if not targets:
            return None
        existing = services.progress_on(record)
        return TargetProgressForm(data, prefix=prefix, targets=targets, existing=existing)

    def save(self, record, form, user):
        services.progress_save(record=record, user=user, entries=form.entries())
