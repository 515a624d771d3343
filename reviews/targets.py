"""The action plan (SMART targets), progress on targets noted with session records, and
observations: the rules for every entry point, and what the pages read."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from mentoring import permissions
from mentoring.audit import save_as
from mentoring.models import Case
from sessions.models import SessionRecord

from .models import Observation, Target, TargetProgress
from .services import ensure_open

NEEDS_MEASURE = "Say how it will be measured: a SMART target needs a measure."
NEEDS_DATE = "Give the date to review it by: a SMART target needs one."
DATE_PASSED = "The date to review it by has passed: give one still to come."
NOT_HELD = (
    "Progress on targets is noted only for a session that was held: "
    "choose Held, or clear the progress below."
)
FINISHED = (Target.Status.ACHIEVED, Target.Status.PARTLY, Target.Status.DROPPED)


def _may_work(user, case):
    if not permissions.can_work_on_case(user, case):
        raise ValidationError("Only the pupil's mentor or the mentoring coordinator can do this.")


def _locked_open_case(case):
    """The case, locked against a closure running at the same time, and still open."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    ensure_open(case)
    return case


# --- Targets ---------------------------------------------------------------------------------


@transaction.atomic
def target_add(
    *, case, user, what, measure, success, by_when, outcome_area, iep_reference="", today=None
):
    """Add a SMART target to the case's action plan (``today``: the day it is set)."""
    _may_work(user, case)
    case = _locked_open_case(case)
    errors = {}
    if not (measure or "").strip():
        errors["measure"] = NEEDS_MEASURE
    if by_when is None:
        errors["by_when"] = NEEDS_DATE
    elif by_when < (today or timezone.localdate()):
        errors["by_when"] = DATE_PASSED
    if errors:
        raise ValidationError(errors)
    target = Target(
        case=case,
        what=what.strip(),
        measure=measure.strip(),
        success=success.strip(),
        by_when=by_when,
        outcome_area=outcome_area,
        iep_reference=(iep_reference or "").strip(),
        set_by=user,
    )
    target.full_clean()
    save_as(target, user, "Target set")
    return target


@transaction.atomic
def target_set_status(*, target, user, status):
    """Mark a target achieved, partly achieved or dropped (or open again)."""
    _may_work(user, target.case)
    _locked_open_case(target.case)
    target = Target.objects.select_for_update().get(pk=target.pk)
    if status not in Target.Status.values:
        raise ValidationError({"status": "Choose one of the statuses offered."})
    if status == target.status:
        return target
    target.status = status
    target.full_clean()
    save_as(target, user, f"Marked {Target.Status(status).label.lower()}")
    return target


# --- Progress noted with a session record ----------------------------------------------------


def targets_for_record(record):
    """The targets a session record asks about: the case's open targets, and any target that
    already has progress on this record."""
    targets = Target.objects.filter(case_id=record.case_id)
    if record.pk is None:
        return list(targets.filter(status=Target.Status.OPEN))
    noted = TargetProgress.objects.filter(record=record).values("target_id")
    return list(targets.filter(status=Target.Status.OPEN) | targets.filter(pk__in=noted))


def progress_on(record):
    """{target_id: TargetProgress} already noted on the record."""
    if record.pk is None:
        return {}
    return {p.target_id: p for p in TargetProgress.objects.filter(record=record)}


@transaction.atomic
def progress_save(*, record, user, entries):
    """Note progress on targets with a saved session record. ``entries`` maps each target
    asked about to (rating, note); a blank rating records nothing (and clears an earlier one
    on this record)."""
    case = record.case
    if not (permissions.can_work_on_case(user, case) or record.author_id == user.pk):
        raise ValidationError("Only the pupil's mentor or the mentoring coordinator can do this.")
    _locked_open_case(case)
    if record.attendance != SessionRecord.Attendance.HELD and any(
        rating is not None for rating, _ in entries.values()
    ):
        # A rating says what the pupil did in the session; a session not held has none.
        raise ValidationError({"attendance": NOT_HELD})
    existing = progress_on(record)
    saved = []
    for target, (rating, note) in entries.items():
        if target.case_id != record.case_id:
            raise ValidationError("That target belongs to another case.")
        current = existing.get(target.pk)
        if rating is None:
            if current is not None:
                current._history_user = user
                current.delete()
            continue
        if current is None and target.status != Target.Status.OPEN:
            raise ValidationError(
                f"“{target}” is {target.get_status_display().lower()}: "
                "progress is noted on open targets only."
            )
        progress = current or TargetProgress(record=record, target=target)
        progress.rating, progress.note = rating, (note or "").strip()
        progress.full_clean()
        save_as(progress, user, "Progress noted" if current is None else "Progress changed")
        saved.append(progress)
    return saved


def action_plan(case):
    """The case's targets, open ones first, each with its latest rating and how many times
    progress was noted."""
    latest = TargetProgress.objects.filter(target=OuterRef("pk")).order_by("-record__date", "-pk")
    targets = list(
        Target.objects.filter(case=case)
        .select_related("set_by")
        .annotate(
            entries=Count("progress"),
            latest_rating=Subquery(latest.values("rating")[:1]),
            latest_on=Subquery(latest.values("record__date")[:1]),
        )
    )
    for target in targets:
        rating = target.latest_rating
        target.latest_label = TargetProgress.Rating(rating).label if rating else ""
    targets.sort(key=lambda t: t.status != Target.Status.OPEN)
    return targets


def progress_history(user, target):
    """Every entry of progress on a target, latest first; a note made with a restricted
    (safeguarding) session record is hidden from those who may not read that record."""
    entries = list(
        target.progress.select_related("record__author", "record__case").order_by(
            "-record__date", "-pk"
        )
    )
    for entry in entries:
        entry.hidden = not permissions.can_read_session_notes(user, entry.record)
        if entry.hidden:
            entry.note = ""
    return entries


# --- Observations ----------------------------------------------------------------------------


@transaction.atomic
def observation_add(*, case, user, observed_on, setting, notes):
    """Record an observation of the pupil in class, in the playground or elsewhere."""
    _may_work(user, case)
    case = _locked_open_case(case)
    if observed_on and observed_on > timezone.localdate():
        raise ValidationError({"observed_on": "An observation cannot be dated in the future."})
    observation = Observation(
        case=case, observed_on=observed_on, setting=setting, observer=user, notes=notes.strip()
    )
    observation.full_clean()
    save_as(observation, user, "Observation recorded")
    return observation


def observations(case):
    return list(
        Observation.objects.filter(case=case)
        .select_related("observer")
        .order_by("-observed_on", "-pk")
    )
