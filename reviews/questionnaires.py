"""Questionnaires: the school's defaults, versioned editing, entry and exit administrations,
licensed instrument scores, and the entry-versus-exit comparison shown on the case page.

Every rule lives here and raises ValidationError in words a member of staff understands.
A questionnaire is known across its versions by its school, kind and name: the name is
fixed once it has been used, so its versions stay together.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone

from mentoring.audit import save_as
from mentoring.models import Case

from .models import (
    Administration,
    Answer,
    InstrumentScore,
    OutcomeArea,
    Questionnaire,
    QuestionnaireItem,
)
from .services import ensure_open

K = Questionnaire.Kind
A = OutcomeArea

# Written for this product. Every item is worded so that a higher answer is the better one.
DEFAULTS = {
    K.STAFF_RATING: (
        "Staff rating of the pupil",
        "Never; Rarely; Sometimes; Often; Always",
        [
            (A.SELF_ESTEEM, "Speaks about themselves in a positive way"),
            (A.SELF_ESTEEM, "Accepts praise and takes pride in their work"),
            (A.CONFIDENCE, "Has a go at new or difficult tasks"),
            (A.CONFIDENCE, "Speaks up in class or small groups"),
            (A.FRIENDSHIPS, "Plays and works well with other children"),
            (A.FRIENDSHIPS, "Keeps friendships going and repairs falling-outs"),
            (A.BEHAVIOUR, "Follows adults' instructions and class routines"),
            (A.BEHAVIOUR, "Stays calm, or calms down quickly, when upset or frustrated"),
            (A.ATTITUDES, "Settles to work and stays on task"),
            (A.ATTITUDES, "Keeps trying when learning is hard"),
            (A.ASPIRATION, "Talks about things they want to achieve"),
            (A.ATTENDANCE, "Arrives at school on time and ready to learn"),
            (A.SOCIAL_EMOTIONAL, "Names their feelings and asks for help when needed"),
            (A.SOCIAL_EMOTIONAL, "Shows understanding of how others feel"),
        ],
    ),
    K.PUPIL: (
        "All about me",
        "Not really; Sometimes; Yes, a lot",
        [
            (A.SELF_ESTEEM, "I like being me."),
            (A.SELF_ESTEEM, "I am good at some things."),
            (A.CONFIDENCE, "I try new things."),
            (A.CONFIDENCE, "I put my hand up in class."),
            (A.FRIENDSHIPS, "I have friends to play with."),
            (A.FRIENDSHIPS, "I can make up after a falling-out."),
            (A.BEHAVIOUR, "I can calm down when I feel cross."),
            (A.BEHAVIOUR, "I keep to the class rules."),
            (A.ATTITUDES, "I enjoy learning."),
            (A.ATTITUDES, "I keep trying when work is hard."),
            (A.ASPIRATION, "I know what I want to get better at."),
            (A.ATTENDANCE, "I like coming to school."),
            (A.SOCIAL_EMOTIONAL, "I can tell a grown-up how I feel."),
        ],
    ),
    K.PARENT: (
        "Parent/carer questionnaire",
        "Strongly disagree; Disagree; Not sure; Agree; Strongly agree",
        [
            (A.SELF_ESTEEM, "My child feels good about themselves."),
            (A.CONFIDENCE, "My child is confident to try new things."),
            (A.FRIENDSHIPS, "My child has friends and gets on with other children."),
            (A.BEHAVIOUR, "My child manages their behaviour well at home."),
            (A.ATTITUDES, "My child is positive about their learning."),
            (A.ASPIRATION, "My child talks about what they would like to do or achieve."),
            (A.ATTENDANCE, "My child is happy to come to school."),
            (A.SOCIAL_EMOTIONAL, "My child can talk about their feelings."),
        ],
    ),
    K.TEACHER: (
        "Class teacher questionnaire",
        "Never; Rarely; Sometimes; Often; Always",
        [
            (A.SELF_ESTEEM, "Shows pride in their achievements"),
            (A.CONFIDENCE, "Contributes to class discussion"),
            (A.FRIENDSHIPS, "Gets on well with classmates at work and play"),
            (A.BEHAVIOUR, "Behaves appropriately in lessons"),
            (A.ATTITUDES, "Is motivated and engaged in learning"),
            (A.ASPIRATION, "Sets themselves goals and works towards them"),
            (A.ATTENDANCE, "Attends school regularly and on time"),
            (A.SOCIAL_EMOTIONAL, "Manages their feelings in the classroom"),
        ],
    ),
}


# --- The school's questionnaires -------------------------------------------------------------


def questionnaires_ensure_defaults(*, school, user=None):
    """Give the school a default questionnaire of every kind it has none of. Idempotent.
    Returns the questionnaires created."""
    created = []
    with transaction.atomic():
        have = set(Questionnaire.objects.filter(school=school).values_list("kind", flat=True))
        for kind, (name, scale, items) in DEFAULTS.items():
            if kind in have:
                continue
            questionnaire = Questionnaire(school=school, kind=kind, name=name, scale=scale)
            save_as(questionnaire, user, "Loaded the default questionnaire")
            _add_items(questionnaire, [{"outcome_area": a, "text": t} for a, t in items], user)
            created.append(questionnaire)
    return created


def school_questionnaires(school):
    """The current version of each of the school's questionnaires, with its item count and
    whether it has been used."""
    return (
        Questionnaire.objects.filter(school=school, current=True)
        .annotate(item_count=Count("items", distinct=True))
        .annotate(used=Count("administrations", distinct=True))
        .order_by("kind", "name")
    )


def current_questionnaires(school):
    return Questionnaire.objects.filter(school=school, current=True).order_by("kind", "name")


def current_version(questionnaire):
    """The version of ``questionnaire`` in use now: itself, unless a newer one was saved
    since (a questionnaire with answers is saved as a new version)."""
    if questionnaire.current:
        return questionnaire
    newer = same_questionnaire(questionnaire).filter(current=True).select_related("school")
    return newer.first() or questionnaire


def name_locked(questionnaire):
    """The name keeps a questionnaire's versions together, so it is fixed once used."""
    return bool(questionnaire.pk) and (
        questionnaire.version > 1 or questionnaire.administrations.exists()
    )


def questionnaire_save(*, user, name, scale, items, questionnaire=None, school=None, kind=None):
    """Create a questionnaire, or change one: in place while it has no answers, otherwise as
    a new version, so that old answers keep the questions they answered.

    ``items`` are dicts of ``text``, ``outcome_area`` and, to keep an item, its ``id``.
    Returns the questionnaire now current.
    """
    name, scale = name.strip(), scale.strip()
    items = [i for i in items if i.get("text", "").strip()]
    if not items:
        raise ValidationError("A questionnaire needs at least one question.")
    if len([s for s in scale.split(";") if s.strip()]) < 2:
        raise ValidationError({"scale": "Give at least two answers, separated by semicolons."})
    with transaction.atomic():
        if questionnaire is None:
            return _create(school, kind, name, scale, items, user)
        q = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if not q.current:
            raise ValidationError("A newer version of this questionnaire exists: edit that one.")
        if name != q.name and name_locked(q):
            raise ValidationError(
                {"name": "The name cannot change once the questionnaire has been used."}
            )
        if q.administrations.exists():
            return _new_version(q, scale, items, user)
        if name != q.name:
            _check_name_free(q.school_id, q.kind, name)
        q.name, q.scale = name, scale
        save_as(q, user, "Edited the questionnaire")
        _replace_items(q, items, user)
        return q


def _check_name_free(school_id, kind, name):
    if Questionnaire.objects.filter(school_id=school_id, kind=kind, name=name).exists():
        raise ValidationError(
            {"name": "The school already has a questionnaire of this kind with that name."}
        )


def _create(school, kind, name, scale, items, user):
    _check_name_free(school.pk, kind, name)
    q = Questionnaire(school=school, kind=kind, name=name, scale=scale)
    save_as(q, user, "Created the questionnaire")
    _add_items(q, items, user)
    return q


def _new_version(old, scale, items, user):
    old.current = False
    save_as(old, user, f"Replaced by version {old.version + 1}")
    new = Questionnaire(
        school_id=old.school_id,
        kind=old.kind,
        name=old.name,
        scale=scale,
        version=old.version + 1,
        current=True,
    )
    save_as(new, user, f"Version {new.version}: edited after it had answers")
    _add_items(new, items, user)
    return new


def _add_items(questionnaire, items, user):
    for position, item in enumerate(items, start=1):
        save_as(
            QuestionnaireItem(
                questionnaire=questionnaire,
                position=position,
                text=item["text"].strip(),
                outcome_area=item["outcome_area"],
            ),
            user,
        )


def _replace_items(questionnaire, items, user):
    """Edit in place (the questionnaire has no answers): keep, change, add and remove items."""
    existing = {i.pk: i for i in questionnaire.items.all()}
    for position, data in enumerate(items, start=1):
        item = existing.pop(data.get("id"), None) or QuestionnaireItem(questionnaire=questionnaire)
        text, area = data["text"].strip(), data["outcome_area"]
        if item.pk and (item.position, item.text, item.outcome_area) == (position, text, area):
            continue
        item.position, item.text, item.outcome_area = position, text, area
        save_as(item, user)
    for item in existing.values():
        item._history_user = user
        item.delete()


# --- Administrations -------------------------------------------------------------------------


def same_questionnaire(questionnaire):
    """Every version of ``questionnaire``."""
    return Questionnaire.objects.filter(
        school_id=questionnaire.school_id, kind=questionnaire.kind, name=questionnaire.name
    )


def recorded_stages(case, questionnaire):
    """{stage: administration} already recorded for the case, over every version."""
    found = Administration.objects.filter(
        case=case, questionnaire__in=same_questionnaire(questionnaire)
    )
    return {a.stage: a for a in found}


def administration_record(*, case, questionnaire, user, stage, completed_on, completed_by, answers):
    """Record a questionnaire given at entry or exit. ``answers`` maps item id to the value
    chosen, 1 for the first label of the scale. Every item must be answered."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        ensure_open(case)
        q = Questionnaire.objects.get(pk=questionnaire.pk)
        if q.school_id != case.school_id or not q.current:
            raise ValidationError("Choose a current questionnaire of the pupil's school.")
        if stage not in Administration.Stage.values:
            raise ValidationError({"stage": "Choose entry or exit."})
        if completed_on > timezone.localdate():
            raise ValidationError({"completed_on": "The date cannot be in the future."})
        earlier = recorded_stages(case, q).get(stage)
        if earlier is not None:
            raise ValidationError(
                {
                    "stage": f"The {earlier.get_stage_display().lower()} questionnaire "
                    f"“{q.name}” was already recorded for this case on "
                    f"{earlier.completed_on:%d/%m/%Y}."
                }
            )
        items = list(q.items.all())
        top = len(q.scale_labels)
        errors = {
            f"item_{i.pk}": "Choose an answer to this question."
            for i in items
            if answers.get(i.pk) not in range(1, top + 1)
        }
        if errors:
            raise ValidationError(errors)
        administration = Administration(
            case=case,
            questionnaire=q,
            stage=stage,
            completed_on=completed_on,
            completed_by=completed_by.strip(),
            recorded_by=user,
        )
        save_as(administration, user)
        for item in items:
            save_as(Answer(administration=administration, item=item, value=answers[item.pk]), user)
        return administration


def instrument_score_record(*, case, user, instrument, score, scored_on, note=""):
    """A score from a licensed instrument, by name only: the instrument is not reproduced."""
    ensure_open(case)
    if scored_on > timezone.localdate():
        raise ValidationError({"scored_on": "The date cannot be in the future."})
    score = InstrumentScore(
        case=case,
        instrument=instrument.strip(),
        score=score,
        scored_on=scored_on,
        note=note.strip(),
        recorded_by=user,
    )
    save_as(score, user)
    return score


# --- Entry against exit ----------------------------------------------------------------------


def signed(number):
    """A change as the page shows it: +2, -1, 0, +0.5."""
    if number is None:
        return ""
    return f"{number:+}" if number else "0"


@dataclass
class Row:
    outcome_area: str
    text: str
    entry: int | None = None
    exit: int | None = None
    entry_label: str = ""
    exit_label: str = ""

    @property
    def change(self):
        if self.entry is None or self.exit is None:
            return None
        return self.exit - self.entry

    @property
    def change_display(self):
        return signed(self.change)


@dataclass
class Comparison:
    """One questionnaire (over its versions) for one case: entry against exit."""

    name: str
    kind: str
    entry: Administration | None = None
    exit: Administration | None = None
    rows: list = field(default_factory=list)

    @property
    def entry_mean(self):
        return _mean(self.entry)

    @property
    def exit_mean(self):
        return _mean(self.exit)

    @property
    def change(self):
        """From the means as shown, rounded to one decimal place, so the figures add up."""
        if self.entry_mean is None or self.exit_mean is None:
            return None
        return self.exit_mean - self.entry_mean

    @property
    def change_display(self):
        return signed(self.change)


def _mean(administration):
    values = [a.value for a in administration.answers.all()] if administration else []
    if not values:
        return None
    mean = Decimal(sum(values)) / len(values)
    return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _key(item):
    return item.outcome_area, " ".join(item.text.split()).casefold()


def case_comparisons(case):
    """Entry against exit, item by item and overall, for every questionnaire the case has
    answers to. Items are matched across versions by outcome area and text. Three queries,
    whatever the number of items."""
    administrations = (
        Administration.objects.filter(case=case)
        .select_related("questionnaire", "recorded_by")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("item").order_by("item__position", "pk"),
            )
        )
        .order_by("completed_on", "pk")
    )
    comparisons = {}
    for administration in administrations:
        q = administration.questionnaire
        comparison = comparisons.setdefault(
            (q.kind, q.name), Comparison(name=q.name, kind=q.get_kind_display())
        )
        setattr(comparison, administration.stage, administration)
    for comparison in comparisons.values():
        rows = {}
        for stage in ("entry", "exit"):
            administration = getattr(comparison, stage)
            if administration is None:
                continue
            labels = administration.questionnaire.scale_labels
            for answer in administration.answers.all():
                row = rows.setdefault(
                    _key(answer.item),
                    Row(answer.item.get_outcome_area_display(), answer.item.text),
                )
                setattr(row, stage, answer.value)
                label = labels[answer.value - 1] if 0 < answer.value <= len(labels) else ""
                setattr(row, f"{stage}_label", label)
        comparison.rows = list(rows.values())
    return sorted(comparisons.values(), key=lambda c: (c.kind, c.name))


def case_instrument_scores(case):
    return InstrumentScore.objects.filter(case=case).select_related("recorded_by")
