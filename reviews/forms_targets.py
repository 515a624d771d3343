"""Forms of the action plan and observations, and the progress part of the session record
form. Rules are in targets.py; these only collect and tidy input."""

from django import forms

from mentoring.conflicts import ConflictCheckMixin, check
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


class TargetStatusForm(ConflictCheckMixin, CrispyMixin, forms.Form):
    """Where a target stands (``record=`` the target)."""

    conflict_noun = "this target"
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


class TargetProgressForm(ConflictCheckMixin, forms.Form):
    """One row per target: an optional rating and an optional note (``record=`` the session
    record, whose progress two people may change at once)."""

    conflict_noun = "the progress noted with this session"

    def __init__(self, *args, targets, existing, **kwargs):
        self.targets = targets
        super().__init__(*args, **kwargs)
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

    def conflict_attrs(self):
        return {}

    def conflict_values(self, record):
        existing = services.progress_on(record)
        values = {}
        for target in self.targets:
            noted = existing.get(target.pk)
            values[f"rating_{target.pk}"] = noted.rating if noted else None
            values[f"note_{target.pk}"] = noted.note if noted else ""
        return values

    def conflict_yours(self):
        names = [f"{kind}_{t.pk}" for t in self.targets for kind in ("rating", "note")]
        return {name: self.cleaned_data.get(name) for name in names}

    def conflict_history(self, record):
        return TargetProgress.history.filter(record_id=record.pk)

    def conflict_label(self, name):
        kind, pk = name.split("_")
        target = next(t for t in self.targets if str(t.pk) == pk)
        return f"{'Progress' if kind == 'rating' else 'Note'} on “{target.what}”"

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
        return TargetProgressForm(
            data, prefix=prefix, targets=targets, existing=existing, record=record
        )

    def save(self, record, form, user):
        check(form)  # in the record's transaction, after the record's own check
        services.progress_save(record=record, user=user, entries=form.entries())
