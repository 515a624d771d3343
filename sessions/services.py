"""Allocation, the fixed slot, and session records: the rules, for every entry point.

The refusals name the clash in words a coordinator understands ("Room 4 is booked
Tuesdays 10:30-11:00 for another pupil") without naming a pupil the user may not see.
Allocation locks the mentor's and the room's rows (PostgreSQL) or takes SQLite's write
lock (IMMEDIATE transactions) before it checks for clashes, so two coordinators booking the
same time at once cannot both succeed.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mentoring import permissions
from mentoring.audit import save_as
from mentoring.models import Case, ClassStaff, Role, Room, StaffMember
from referrals.models import ConsentRecord
from referrals.services import consent_in_force, consent_in_force_from

from . import notifications
from .models import Allocation, SessionMove, SessionRecord, Slot
from .schedule import (
    block_session_dates,
    calendar_for_block,
    expected_for_allocation,
    slot_dates,
)


def _minutes(t):
    return t.hour * 60 + t.minute


def _overlaps(a_start, a_minutes, b_start, b_minutes):
    a, b = _minutes(a_start), _minutes(b_start)
    return a < b + b_minutes and b < a + a_minutes


def _for_whom(slot, user):
    """Who a clashing slot is for, named only if the user may see every case in it."""
    cases = [
        a.case for a in slot.allocations.filter(ended_on__isnull=True).select_related("case__pupil")
    ]
    visible = set(
        permissions.visible_cases(user)
        .filter(pk__in=[c.pk for c in cases])
        .values_list("pk", flat=True)
    )
    if cases and all(c.pk in visible for c in cases):
        return " and ".join(c.pupil.full_name for c in cases)
    return "another pupil" if len(cases) <= 1 else "a small group"


def _running_between(qs, first, last):
    """Slots whose dates overlap [first, last]."""
    return qs.filter(block_starts_on__lte=last, block_ends_on__gte=first).exclude(
        ended_on__lt=first
    )


def check_slot(
    *, school, mentor, room, weekday, starts_at, duration, first, last, user, exclude=None
):
    """Every rule a slot must keep, apart from the pupil's own: raises ValidationError."""
    errors = []
    member = StaffMember.objects.filter(user=mentor, school=school).first()
    if member is None or not member.roles.filter(role=Role.MENTOR).exists():
        errors.append(f"{mentor} is not a mentor at {school}.")
    if room.school_id != school.pk:
        errors.append(f"{room} is not a room of {school}.")
    elif not room.suitable_for_one_to_one:
        errors.append(f"{room} is not suitable for one-to-one work; choose a quiet, private room.")
    others = _running_between(Slot.objects.filter(weekday=weekday), first, last)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    day = Slot(weekday=weekday).get_weekday_display()
    for other in others.filter(Q(mentor=mentor) | Q(room=room)).select_related("room", "mentor"):
        if not _overlaps(starts_at, duration, other.starts_at, other.duration):
            continue
        who = _for_whom(other, user)
        if other.mentor_id == mentor.pk:
            errors.append(f"{mentor} is booked {day}s {other.time_range} for {who}.")
        if other.room_id == room.pk:
            errors.append(f"{room} is booked {day}s {other.time_range} for {who}.")
    if member is not None:
        booked = sum(
            s.duration
            for s in _running_between(
                Slot.objects.filter(mentor=mentor, school=school), first, last
            )
            if exclude is None or s.pk != exclude.pk
        )
        allowed = member.mentoring_hours * 60
        if booked + duration > allowed:
            errors.append(
                f"{mentor} has {member.mentoring_hours} hours a week for mentoring and "
                f"{_hours(allowed - booked)} left; this slot needs {_hours(duration)}."
            )
    if errors:
        raise ValidationError(errors)


def _hours(minutes):
    return f"{Decimal(max(minutes, 0)) / 60:.1f} hours"


def check_pupil(*, case, mentor, on_date):
    """The rules about the pupil: an open case, consent in force, a mentor who does not
    teach the pupil every day."""
    pupil = case.pupil
    if case.status != Case.Status.OPEN:
        raise ValidationError("This case is closed.")
    if not consent_in_force(case, on_date):
        raise ValidationError(
            f"Parental consent is not in force for {pupil.first_name} on {on_date:%d/%m/%Y}: "
            "record the parents' consent first."
        )
    daily = ClassStaff.objects.filter(school_class_id=pupil.school_class_id, user=mentor).first()
    if daily is not None:
        raise ValidationError(
            f"{mentor} is {pupil.first_name}'s {daily.get_kind_display().lower()}: "
            "a mentor must not be someone who teaches the pupil every day."
        )


def _lock(school, mentor, room):
    """Serialise bookings of this mentor and this room."""
    list(StaffMember.objects.select_for_update().filter(user=mentor, school=school))
    list(Room.objects.select_for_update().filter(pk=room.pk))


@transaction.atomic
def allocate(
    *, case, user, mentor, room, weekday, starts_at, duration, block_starts_on, block_weeks
):
    """Give the case a mentor and a new fixed weekly slot for a block."""
    calendar = calendar_for_block(case.school, block_starts_on)
    dates, last_week = block_session_dates(weekday, block_starts_on, block_weeks, calendar)
    if not dates:
        raise ValidationError("No school day falls on that weekday in the block: check the dates.")
    _lock(case.school, mentor, room)
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_pupil(case=case, mentor=mentor, on_date=dates[0])
    if Allocation.objects.filter(case=case, ended_on__isnull=True).exists():
        raise ValidationError("This case already has a slot: change that slot instead.")
    check_slot(
        school=case.school,
        mentor=mentor,
        room=room,
        weekday=weekday,
        starts_at=starts_at,
        duration=duration,
        first=dates[0],
        last=last_week,
        user=user,
    )
    slot = Slot(
        school=case.school,
        mentor=mentor,
        room=room,
        weekday=weekday,
        starts_at=starts_at,
        duration=duration,
        block_starts_on=block_starts_on,
        block_weeks=block_weeks,
        block_ends_on=last_week,
    )
    slot.full_clean()
    save_as(slot, user, "Allocated")
    return _place(case, slot, user, dates[0])


def _place(case, slot, user, starts_on):
    allocation = Allocation(slot=slot, case=case, starts_on=starts_on)
    save_as(allocation, user, "Allocated")
    if case.mentor_id != slot.mentor_id:
        case.mentor = slot.mentor
        save_as(case, user, "Mentor allocated")
    return allocation


@transaction.atomic
def join_group(*, case, slot, user, starts_on=None):
    """Add the case to an existing slot as a small group."""
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    starts_on = max(starts_on or timezone.localdate(), slot.block_starts_on)
    if slot.school_id != case.school_id:
        raise ValidationError("That slot belongs to another school.")
    if starts_on > slot.last_day:
        raise ValidationError("That slot's block has ended.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_pupil(case=case, mentor=slot.mentor, on_date=starts_on)
    if Allocation.objects.filter(case=case, ended_on__isnull=True).exists():
        raise ValidationError("This case already has a slot.")
    size = slot.allocations.filter(ended_on__isnull=True).count()
    if size >= slot.school.group_size_limit:
        raise ValidationError(
            f"The group is full: {slot.school} allows {slot.school.group_size_limit} pupils a slot."
        )
    return _place(case, slot, user, starts_on)


@transaction.atomic
def slot_change(*, slot, user, reason, **changes):
    """The coordinator changes the fixed slot itself; the reason goes into its history."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the fixed slot changes."})
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    for name, value in changes.items():
        setattr(slot, name, value)
    calendar = calendar_for_block(slot.school, slot.block_starts_on)
    dates, last_week = block_session_dates(
        slot.weekday, slot.block_starts_on, slot.block_weeks, calendar
    )
    if not dates:
        raise ValidationError("No school day falls on that weekday in the block: check the dates.")
    _lock(slot.school, slot.mentor, slot.room)
    for allocation in slot.allocations.filter(ended_on__isnull=True).select_related("case__pupil"):
        daily = ClassStaff.objects.filter(
            school_class_id=allocation.case.pupil.school_class_id, user=slot.mentor
        ).exists()
        if daily:
            raise ValidationError(
                f"{slot.mentor} teaches {allocation.case.pupil.first_name} every day."
            )
    check_slot(
        school=slot.school,
        mentor=slot.mentor,
        room=slot.room,
        weekday=slot.weekday,
        starts_at=slot.starts_at,
        duration=slot.duration,
        first=dates[0],
        last=last_week,
        user=user,
        exclude=slot,
    )
    slot.block_ends_on = last_week
    slot.full_clean()
    save_as(slot, user, reason.strip())
    for allocation in slot.allocations.filter(ended_on__isnull=True).select_related("case"):
        if allocation.case.mentor_id != slot.mentor_id:
            allocation.case.mentor = slot.mentor
            save_as(allocation.case, user, "Mentor changed with the slot")
    return slot


@transaction.atomic
def session_move(*, slot, user, original_date, moved_to, reason):
    """Move one week's session; it still counts as that week's session of the fixed slot."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why this week's session moves."})
    calendar = calendar_for_block(slot.school, slot.block_starts_on)
    if original_date not in slot_dates(slot, calendar):
        raise ValidationError({"original_date": "The slot has no session on that date."})
    local = timezone.localtime(moved_to)
    if abs((local.date() - original_date).days) > 6:
        raise ValidationError({"moved_to": "A session can move within its own week only."})
    move, _ = SessionMove.objects.get_or_create(
        slot=slot,
        original_date=original_date,
        defaults={"moved_to": moved_to, "reason": reason.strip(), "moved_by": user},
    )
    move.moved_to, move.reason, move.moved_by = moved_to, reason.strip(), user
    save_as(move, user, "Session moved")
    return move


def expected_dates(case, slot):
    """The dates the case's slot should hold sessions for it (consent and allocation)."""
    calendar = calendar_for_block(slot.school, slot.block_starts_on)
    consent = list(ConsentRecord.objects.filter(case=case))
    dates = set()
    for allocation in Allocation.objects.filter(case=case, slot=slot).select_related(
        "slot", "case"
    ):
        dates.update(e.date for e in expected_for_allocation(allocation, calendar, consent))
    return dates


@transaction.atomic
def session_record_save(*, record, user, today=None):
    """Save a session record: only for a session the slot really had, with consent in
    force that day, by its mentor (edits: the author for seven days, then the coordinator)."""
    today = today or timezone.localdate()
    case = Case.objects.select_for_update().get(pk=record.case_id)
    consent = list(ConsentRecord.objects.filter(case=case))
    if not consent_in_force_from(consent, record.date):
        raise ValidationError(
            f"Parental consent is not in force on {record.date:%d/%m/%Y}, so no session can be "
            "logged for that day."
        )
    if case.status != Case.Status.OPEN:
        raise ValidationError("This case is closed; its records can no longer change.")
    if record.date > today:
        raise ValidationError({"date": "A session cannot be logged before it happens."})
    if record.slot_id is None or record.date not in expected_dates(case, record.slot):
        raise ValidationError({"date": "There is no session of this pupil's slot on that date."})
    if record.attendance == SessionRecord.Attendance.CANCELLED and not record.cancel_reason.strip():
        raise ValidationError({"cancel_reason": "Say why the session was cancelled."})
    if record.attendance != SessionRecord.Attendance.HELD:
        for name in SessionRecord.FIRST_MEETING_FIELDS:
            setattr(record, name, False)
    is_new = record.pk is None
    if not is_new:
        stored = SessionRecord.objects.select_for_update().get(pk=record.pk)
        if not permissions.can_edit_session_record(user, stored, now=timezone.now()):
            raise ValidationError(
                "A record can be changed by its author for seven days; after that, ask the "
                "mentoring coordinator."
            )
        record.revised_at = timezone.now()
        newly_flagged = record.safeguarding_concern and not stored.safeguarding_concern
    else:
        if SessionRecord.objects.filter(case=case, date=record.date).exists():
            raise ValidationError("This session already has a record: open it to change it.")
        record.author = user
        newly_flagged = record.safeguarding_concern
    record.full_clean()
    save_as(record, user, "Session logged" if is_new else "Session record revised")
    if newly_flagged:
        transaction.on_commit(lambda: notifications.safeguarding_concern(record))
    return record


def first_held(case):
    """Is there a held session yet? The first one carries the first-meeting checklist."""
    return SessionRecord.objects.filter(
        case=case, attendance=SessionRecord.Attendance.HELD
    ).exists()


@transaction.atomic
def safeguarding_acknowledge(*, record, user, action):
    """The DSL marks a flagged record seen, and what was done."""
    if not permissions.can_handle_safeguarding(user, record.case):
        raise ValidationError("Only the designated safeguarding lead can do this.")
    record = SessionRecord.objects.select_for_update().get(pk=record.pk)
    record.dsl_seen_at = record.dsl_seen_at or timezone.now()
    record.dsl_seen_by = record.dsl_seen_by or user
    record.dsl_action = action.strip()
    save_as(record, user, "Seen by the DSL")
    return record


def moved_time(moves, slot, day):
    """The moved date and time of a week's session, if it was moved."""
    move = moves.get((slot.pk, day))
    return timezone.localtime(move.moved_to) if move else None


def slot_start(slot, day):
    return timezone.make_aware(datetime.combine(day, slot.starts_at))
