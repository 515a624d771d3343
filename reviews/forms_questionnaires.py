"""Forms of the questionnaires area. Rules are in reviews/questionnaires.py; these only
collect and tidy input."""

from django import forms
from django.utils import timezone

from mentoring.conflicts import ConflictCheckMixin
from mentoring.forms_util import CrispyMixin, DateInput

from .models import Administration, InstrumentScore, OutcomeArea, Questionnaire


def _not_future(day):
    if day and day > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future.")
    return day


class QuestionnaireForm(ConflictCheckMixin, CrispyMixin, forms.Form):
    """Name and scale; ``items`` is the formset of its questions, compared with them when
    someone else saved the questionnaire meanwhile (``record=`` the questionnaire)."""

    conflict_noun = "this questionnaire"
    kind = forms.ChoiceField(choices=Questionnaire.Kind.choices, label="Kind of questionnaire")
    name = forms.CharField(max_length=200)
    scale = forms.CharField(
        max_length=300,
        label="Answer scale",
        help_text="The answer labels from lowest to highest, separated by semicolons, e.g. "
        "Never; Rarely; Sometimes; Often; Always. Word questions so that a higher answer is "
        "the better one.",
    )

    def __init__(self, *args, creating, name_locked=False, items=None, **kwargs):
        self.items_formset = items
        super().__init__(*args, **kwargs)
        self._crispy()
        if not creating:
            del self.fields["kind"]
        if name_locked:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = (
                "The name keeps the questionnaire's versions together, so it cannot change "
                "once the questionnaire has been used."
            )

    def conflict_values(self, questionnaire):
        values = super().conflict_values(questionnaire)
        values["questions"] = _questions(questionnaire.items.values("text", "outcome_area"))
        return values

    def conflict_yours(self):
        yours = super().conflict_yours()
        yours["questions"] = _questions(self.items_formset.items() if self.items_formset else [])
        return yours

    def conflict_label(self, name):
        return "Questions" if name == "questions" else super().conflict_label(name)

    def conflict_shown(self, name, value):
        if name == "questions":
            return value or "(none)"
        return super().conflict_shown(name, value)

    def clean_scale(self):
        labels = [s.strip() for s in self.cleaned_data["scale"].split(";") if s.strip()]
        if len(labels) < 2:
            raise forms.ValidationError("Give at least two answers, separated by semicolons.")
        return "; ".join(labels)


def _questions(items):
    """The questions in order, one a line, as the conflict panel shows them."""
    areas = dict(OutcomeArea.choices)
    return "\n".join(
        f"{n}. {item['text'].strip()} ({areas.get(item['outcome_area'], item['outcome_area'])})"
        for n, item in enumerate(items, start=1)
    )


class ItemForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(max_length=300, label="Question", required=False)
    outcome_area = forms.ChoiceField(
        choices=[("", "Choose the outcome area")] + OutcomeArea.choices,
        label="Outcome area",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("text", "").strip() and not cleaned.get("outcome_area"):
            self.add_error("outcome_area", "Choose the outcome area this question measures.")
        if cleaned.get("outcome_area") and not cleaned.get("text", "").strip():
            self.add_error("text", "Write the question, or leave the row blank.")
        return cleaned


class BaseItemFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            f
            for f in self.forms
            if f.cleaned_data.get("text", "").strip() and not f.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise forms.ValidationError("A questionnaire needs at least one question.")

    def items(self):
        """The questions to keep, in the order of the rows."""
        return [
            {
                "id": f.cleaned_data.get("id"),
                "text": f.cleaned_data["text"],
                "outcome_area": f.cleaned_data["outcome_area"],
            }
            for f in self.forms
            if f.cleaned_data.get("text", "").strip() and not f.cleaned_data.get("DELETE")
        ]


# At most 100 questions: a tampered row count must not make the page build thousands of rows.
ItemFormSet = forms.formset_factory(
    ItemForm, formset=BaseItemFormSet, extra=3, can_delete=True, max_num=100, absolute_max=100
)


class AdministrationForm(CrispyMixin, forms.Form):
    """Entry or exit: who answered, when, and one answer per item on the scale's labels."""

    stage = forms.ChoiceField(choices=Administration.Stage.choices, widget=forms.RadioSelect)
    completed_on = forms.DateField(
        label="Completed on", initial=timezone.localdate, widget=DateInput()
    )
    completed_by = forms.CharField(
        max_length=200,
        label="Completed by",
        help_text="Who answered: the pupil, a parent or carer, the class teacher...",
    )

    def __init__(self, *args, questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()
        choices = list(enumerate(questionnaire.scale_labels, start=1))
        self.items = list(questionnaire.items.all())
        for number, item in enumerate(self.items, start=1):
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=f"{number}. {item.text}",
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose an answer to this question."},
            )

    def clean_completed_on(self):
        return _not_future(self.cleaned_data["completed_on"])

    def answers(self):
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}

    def item_fields(self):
        return [self[f"item_{item.pk}"] for item in self.items]


class InstrumentScoreForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = InstrumentScore
        fields = ["instrument", "score", "scored_on", "note"]
        widgets = {"scored_on": DateInput()}
        labels = {"instrument": "Instrument and score name", "scored_on": "Date of the score"}
        help_texts = {
            "note": "Optional: for example who completed it. Do not copy the instrument's "
            "questions here."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()

    def clean_scored_on(self):
        return _not_future(self.cleaned_data["scored_on"])
