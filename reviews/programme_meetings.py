"""Programme meetings (end of block, termly, annual) and their actions: the rules (services)
and the lists (selectors). Who may do what is asked of ``mentoring.permissions``."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q
from django.utils import timezone

from mentoring import permissions
from mentoring.audit import save_as

from .meetings import school_staff
from .models import ProgrammeAction, ProgrammeMeeting

# --- Selectors -----------------------------------------------------------------------------------


def meetings_for(user):
    """The meetings of the user's schools, latest first, with how many actions are open."""
    return (
        permissions.visible_programme_meetings(user)
        .select_related("school")
        .annotate(
            open_actions=Count("actions", filter=Q(actions__done_on__isnull=True)),
            all_actions=Count("actions"),
        )
        .order_by("-met_on", "-pk")
    )


def meeting_detail(meeting):
    """The meeting's attendees and actions (open ones first), loaded in two queries."""
    actions = (
        ProgrammeAction.objects.select_related("owner")
        .annotate(is_done=ExpressionWrapper(Q(done_on__isnull=False), output_field=BooleanField()))
        .order_by("is_done", "due_on", "pk")
    )
    return (
        ProgrammeMeeting.objects.filter(pk=meeting.pk)
        .select_related("school", "recorded_by")
        .prefetch_related("attendees", Prefetch("actions", queryset=actions))
        .get()
    )


def open_programme_actions_for(user, today=None):
    """The user's open programme actions in their schools, soonest due first, each knowing
    whether it is overdue and whether the user may open its meeting. One query."""
    today = today or timezone.localdate()
    readable = permissions.programme_schools(user)
    actions = list(
        ProgrammeAction.objects.filter(
            owner=user,
            done_on__isnull=True,
            meeting__school_id__in=permissions.user_schools(user),
        )
        .select_related("meeting")
        .order_by("due_on", "pk")
    )
    for action in actions:
        action.overdue = action.due_on < today
        action.meeting_visible = action.meeting.school_id in readable
    return actions


# --- Services ------------------------------------------------------------------------------------


def _check_meeting(meeting, attendees):
    if meeting.met_on and meeting.met_on > timezone.localdate():
        raise ValidationError({"met_on": "The date of the meeting cannot be in the future."})
    staff_ids = set(school_staff(meeting.school_id).values_list("pk", flat=True))
    strangers = [str(u) for u in attendees if u.pk not in staff_ids]
    if strangers:
        raise ValidationError(
            {"attendees": f"Not a member of staff of this school: {', '.join(strangers)}."}
        )
    if not attendees:
        raise ValidationError({"attendees": "Choose who attended."})
    meeting.full_clean()
    return staff_ids


def programme_meeting_record(
    *, school, user, met_on, kind, attendees, notes, decisions="", actions=()
):
    """Record a programme meeting with its actions (dicts of action, owner, due_on).
    Nothing is saved unless everything is valid."""
    if not permissions.can_manage_programme(user, school=school):
        raise PermissionDenied
    with transaction.atomic():
        meeting = ProgrammeMeeting(
            school=school,
            met_on=met_on,
            kind=kind,
            notes=notes,
            decisions=decisions,
            recorded_by=user,
        )
        staff_ids = _check_meeting(meeting, list(attendees))
        save_as(meeting, user)
        meeting._history_user = user
        meeting.attendees.set(attendees)
        for number, fields in enumerate(actions, start=1):
            _save_action(ProgrammeAction(meeting=meeting), user, number, staff_ids, **fields)
    return meeting


def programme_meeting_update(*, meeting, user, attendees, actions=(), new_actions=()):
    """Save the edited meeting (its fields already set on ``meeting``), its edited actions
    (pairs of the action and its ``done`` tick) and any actions added."""
    if not permissions.can_manage_programme(user, school=meeting.school_id):
        raise PermissionDenied
    with transaction.atomic():
        staff_ids = _check_meeting(meeting, list(attendees))
        save_as(meeting, user, reason="Edited")
        if set(meeting.attendees.values_list("pk", flat=True)) != {u.pk for u in attendees}:
            meeting._history_user = user
            meeting.attendees.set(attendees)
        number = 0
        for number, (item, done) in enumerate(actions, start=1):
            if item.meeting_id != meeting.pk:
                raise PermissionDenied
            if done and not item.done_on:
                item.done_on = timezone.localdate()
            elif not done:
                item.done_on = None
            _save_action(item, user, number, staff_ids)
        for extra, fields in enumerate(new_actions, start=number + 1):
            _save_action(ProgrammeAction(meeting=meeting), user, extra, staff_ids, **fields)
    return meeting


def _save_action(item, user, number, staff_ids, **fields):
    for name, value in fields.items():
        setattr(item, name, value)
    try:
        item.full_clean()
    except ValidationError as exc:
        raise ValidationError([f"Action {number}: {m}" for m in exc.messages]) from exc
    if item.owner_id not in staff_ids:
        raise ValidationError(f"Action {number}: {item.owner} is not a member of staff here.")
    if item.due_on < item.meeting.met_on:
        raise ValidationError(f"Action {number}: the due date is before the meeting.")
    save_as(item, user)
    return item


def programme_action_done(*, action, user):
    """Mark a programme action done today: its owner, or the school's coordinator."""
    with transaction.atomic():
        current = (
            ProgrammeAction.objects.select_for_update(of=("self",))
            .select_related("meeting")
            .get(pk=action.pk)
        )
        if not permissions.can_mark_programme_action_done(user, current):
            raise PermissionDenied
        if current.done_on:
            raise ValidationError(
                f"This action was already marked done on {current.done_on:%d/%m/%Y}."
            )
        current.done_on = timezone.localdate()
        save_as(current, user, reason="Marked done")
    return current
