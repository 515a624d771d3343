"""Meeting records and their actions: the rules (services) and the lists (selectors).

Services raise ValidationError with a message a member of staff understands, so a page,
the admin or a command all get the same refusal. Who may see a case is decided in
``mentoring.permissions``; the two action rules below are built only from its helpers.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q
from django.utils import timezone

from mentoring import permissions
from mentoring.audit import save_as
from mentoring.models import Case, User

from .models import MeetingAction, MeetingRecord
from .services import ensure_open

# --- Who may do what with an action --------------------------------------------------------------


# --- Selectors -----------------------------------------------------------------------------------


def school_staff(school):
    """The people who may own an action: staff holding any role in the school."""
    return (
        User.objects.filter(memberships__school=school, memberships__roles__isnull=False)
        .distinct()
        .order_by("last_name", "first_name")
    )


def case_meetings(case):
    """The case's meetings, latest first, each with its actions (open ones first)."""
    actions = (
        MeetingAction.objects.select_related("owner")
        .annotate(is_done=ExpressionWrapper(Q(done_on__isnull=False), output_field=BooleanField()))
        .order_by("is_done", "due_on", "pk")
    )
    return (
        MeetingRecord.objects.filter(case=case)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("-met_on", "-pk")
    )


def open_actions_for(user, today=None):
    """The user's open actions on open cases of their schools, soonest due first; each
    knows whether it is overdue and whether the user may open its case. Two queries."""
    today = today or timezone.localdate()
    actions = list(
        MeetingAction.objects.filter(
            owner=user,
            done_on__isnull=True,
            meeting__case__school_id__in=permissions.user_schools(user),
            meeting__case__status=Case.Status.OPEN,
        )
        .select_related("meeting__case__pupil")
        .order_by("due_on", "pk")
    )
    case_ids = {a.meeting.case_id for a in actions}
    visible = set(
        permissions.visible_cases(user).filter(pk__in=case_ids).values_list("pk", flat=True)
    )
    for action in actions:
        action.overdue = action.due_on < today
        action.case_visible = action.meeting.case_id in visible
    return actions


# --- Services ------------------------------------------------------------------------------------


def meeting_record(*, case, user, met_on, kind, attendees, notes, actions):
    """Record a meeting on an open case with its actions (dicts of action, owner, due_on).
    Nothing is saved unless everything is valid."""
    if not permissions.can_work_on_case(user, case):
        raise PermissionDenied
    with transaction.atomic():
        # Locking the case serialises this with its closure.
        ensure_open(Case.objects.select_for_update().get(pk=case.pk))
        if met_on and met_on > timezone.localdate():
            raise ValidationError({"met_on": "The date of the meeting cannot be in the future."})
        meeting = MeetingRecord(
            case=case, met_on=met_on, kind=kind, attendees=attendees, notes=notes, recorded_by=user
        )
        meeting.full_clean()
        save_as(meeting, user)
        staff_ids = set(school_staff(case.school_id).values_list("pk", flat=True))
        for number, fields in enumerate(actions, start=1):
            _add_action(meeting, user, number, staff_ids, **fields)
    return meeting


def _add_action(meeting, user, number, staff_ids, *, action, owner, due_on):
    if owner.pk not in staff_ids:
        raise ValidationError(
            f"Action {number}: {owner} is not a member of staff of the pupil's school."
        )
    if due_on < meeting.met_on:
        raise ValidationError(f"Action {number}: the due date is before the meeting.")
    item = MeetingAction(meeting=meeting, action=action, owner=owner, due_on=due_on)
    try:
        item.full_clean()
    except ValidationError as exc:
        raise ValidationError([f"Action {number}: {m}" for m in exc.messages]) from exc
    save_as(item, user)
    return item


def action_done(*, action, user):
    """Mark an action done today: its owner, or the coordinator of the case's school."""
    with transaction.atomic():
        current = (
            MeetingAction.objects.select_for_update(of=("self",))
            .select_related("meeting__case")
            .get(pk=action.pk)
        )
        if not permissions.can_mark_action_done(user, current):
            raise PermissionDenied
        ensure_open(current.meeting.case)
        if current.done_on:
            raise ValidationError(
                f"This action was already marked done on {current.done_on:%d/%m/%Y}."
            )
        current.done_on = timezone.localdate()
        current.full_clean()
        save_as(current, user, reason="Marked done")
    return current
