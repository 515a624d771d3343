"""Allocation, the fixed slot, and session records: the rules, for every entry point.

The refusals name the clash in words a coordinator understands ("Room 4 is booked
Tuesdays 10:30-11:00 for another pupil") without naming a pupil the user may not see.
Allocation locks the mentor's and the room's rows (PostgreSQL) or takes SQLite's write
lock (IMMEDIATE transactions) before it checks for clashes, so two coordinators booking the
same time at once cannot both succeed.
"""

from datetime import datetime, time, timedelta
from typing import NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from mentoring import permissions
from mentoring.audit import save_as
from mentoring.calendar import SchoolCalendar
from mentoring.models import Case, ClassStaff, Role, Room, StaffMember, User
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

# The School model records no hours, so every school gets the same day. Wide enough for a
# session before registration or after the last lesson (breakfast and after-school clubs);
# a slot or a moved session outside it is a typing slip, such as 23:30 for 11:30.
SCHOOL_DAY_STARTS = time(8, 0)
SCHOOL_DAY_ENDS = time(18, 0)


def _minutes(t):
    return t.hour * 60 + t.minute


def _overlaps(a_start, a_minutes, b_start, b_minutes):
    a, b = _minutes(a_start), _minutes(b_start)
    return a < b + b_minutes and b < a + a_minutes


def _ends(starts_at, duration):
    return (datetime.combine(datetime.min, starts_at) + timedelta(minutes=duration)).time()


def outside_school_day(starts_at, duration):
    """Why a session of ``duration`` minutes from ``starts_at`` does not fit the school day,
    or None. Counted in minutes from midnight, so an end past midnight is late, not early."""
    start = _minutes(starts_at)
    if start >= _minutes(SCHOOL_DAY_STARTS) and start + duration <= _minutes(SCHOOL_DAY_ENDS):
        return None
    return (
        f"Sessions must fall within the school day, {SCHOOL_DAY_STARTS:%H:%M} to "
        f"{SCHOOL_DAY_ENDS:%H:%M}: {duration} minutes from {starts_at:%H:%M} do not."
    )


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


def _running_between(qs, first, last=None):
    """Slots whose dates overlap [first, last]; without ``last``, from ``first`` on."""
    if last is not None:
        qs = qs.filter(block_starts_on__lte=last)
    return qs.filter(block_ends_on__gte=first).exclude(ended_on__lt=first)


class Booking(NamedTuple):
    """A slot's session at ``starts_at``: ``when`` it is held in words ("Tuesdays",
    "on Tuesday 3 March"), and an ``aside`` said after whom it is for."""

    slot: Slot
    starts_at: time
    when: str
    aside: str = ""


def _clashes(bookings, *, mentor, room, starts_at, duration, user):
    """What the mentor and the room are already booked for at that time, in words.

    ``bookings``: the weekly slots and the moved sessions to check against. Whom a slot is
    for is looked up once per slot, however many of its sessions clash.
    """
    errors, whom = [], {}
    for other, other_start, when, aside in bookings:
        if not _overlaps(starts_at, duration, other_start, other.duration):
            continue
        if other.pk not in whom:
            whom[other.pk] = _for_whom(other, user)
        who = whom[other.pk] + (f" {aside}" if aside else "")
        span = f"{other_start:%H:%M}-{_ends(other_start, other.duration):%H:%M}"
        if other.mentor_id == mentor.pk:
            # A mentor may work at two schools: the coordinator here cannot find the other's slot.
            where = " at another school" if other.school_id != room.school_id else ""
            errors.append(f"{mentor} is booked {when} {span} for {who}{where}.")
        if other.room_id == room.pk:
            errors.append(f"{room} is booked {when} {span} for {who}.")
    return errors


def _on_day(day):
    return f"on {day:%A} {day.day} {day:%B}"


def _weekly_bookings(slots, dates):
    """The weekly ``slots`` that hold a session at their own time on one of ``dates``: a
    slot whose every such session was moved (to another day, or another time) is free."""
    slots = list(slots.select_related("mentor", "room"))
    away = set(
        SessionMove.objects.filter(slot__in=slots, original_date__in=dates).values_list(
            "slot_id", "original_date"
        )
    )
    return [
        Booking(slot, slot.starts_at, f"{slot.get_weekday_display()}s")
        for slot in slots
        if any(
            slot.block_starts_on <= day <= slot.last_day and (slot.pk, day) not in away
            for day in dates
        )
    ]


def _moved_bookings(moves, dates):
    """The sessions of ``moves`` moved onto one of ``dates``, for that week only."""
    days = set(dates)
    if not days:
        return []
    moves = moves.filter(
        moved_to__date__gte=min(days), moved_to__date__lte=max(days)
    ).select_related("slot__mentor", "slot__room")
    bookings = []
    for move in moves.order_by("moved_to"):
        local = timezone.localtime(move.moved_to)
        if local.date() in days and move.holds_session:
            aside = "(a session moved for that week)"
            bookings.append(Booking(move.slot, local.time(), _on_day(local.date()), aside))
    return bookings


def check_slot(
    *,
    school,
    mentor,
    room,
    weekday,
    starts_at,
    duration,
    first,
    last,
    user,
    exclude=None,
    dates=None,
):
    """Every rule a slot must keep, apart from the pupil's own: raises ValidationError.

    ``dates``: the slot's session dates (by default every week's ``weekday`` from ``first``
    to ``last``). On them the mentor and the room must be free of the other weekly slots'
    sessions, bar those moved away that week, and of the sessions moved onto that day.
    """
    if dates is None:
        start = first + timedelta(days=(weekday - first.weekday()) % 7)
        dates = [start + timedelta(weeks=n) for n in range((last - start).days // 7 + 1)]
    errors = []
    member = StaffMember.objects.filter(user=mentor, school=school).first()
    if member is None or not member.roles.filter(role=Role.MENTOR).exists():
        errors.append(f"{mentor} is not a mentor at {school}.")
    if room.school_id != school.pk:
        errors.append(f"{room} is not a room of {school}.")
    elif not room.suitable_for_one_to_one:
        errors.append(f"{room} is not suitable for one-to-one work; choose a quiet, private room.")
    mine = Q(mentor=mentor) | Q(room=room)
    others = _running_between(Slot.objects.filter(mine, weekday=weekday), first, last)
    moves = SessionMove.objects.filter(slot__in=Slot.objects.filter(mine))
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
        moves = moves.exclude(slot=exclude)
    errors += _clashes(
        _weekly_bookings(others, dates) + _moved_bookings(moves, dates),
        mentor=mentor,
        room=room,
        starts_at=starts_at,
        duration=duration,
        user=user,
    )
    if member is not None:
        booked = sum(
            s.duration
            for s in _running_between(
                Slot.objects.filter(mentor=mentor, school=school), first, last
            )
            if exclude is None or s.pk != exclude.pk
        )
        allowed = int(member.mentoring_hours * 60)
        if booked + duration > allowed:
            errors.append(
                f"{mentor} has {_time_in_words(allowed)} a week for mentoring and "
                f"{_time_in_words(allowed - booked)} left; this slot needs "
                f"{_time_in_words(duration)}."
            )
    refusals = {NON_FIELD_ERRORS: errors} if errors else {}
    late = outside_school_day(starts_at, duration)
    if late:
        refusals["starts_at"] = late
    if refusals:
        raise ValidationError(refusals)


def _time_in_words(minutes):
    """Exact: "45 minutes", "1 hour", "2 hours 30 minutes" (rounded hours mislead)."""
    if minutes <= 0:
        return "no time"
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


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


def _lock(mentor, room):
    """Serialise bookings of this mentor, at every school they work in, and of this room, so
    that the clash checks that follow see every slot booked before them. Without the default
    orderings (order_by()): they join other tables, whose rows FOR UPDATE would lock too."""
    for model, pk in ((User, mentor.pk), (Room, room.pk)):
        # FOR NO KEY UPDATE: bookings wait for each other; rows that point at the mentor or
        # the room (a history entry, a log entry) can still be written meanwhile.
        list(
            model.objects.select_for_update(no_key=True).filter(pk=pk).order_by().values_list("pk")
        )


@transaction.atomic
def allocate(
    *, case, user, mentor, room, weekday, starts_at, duration, block_starts_on, block_weeks
):
    """Give the case a mentor and a new fixed weekly slot for a block."""
    calendar = calendar_for_block(case.school, block_starts_on)
    dates, last_week = block_session_dates(weekday, block_starts_on, block_weeks, calendar)
    if not dates:
        raise ValidationError("No school day falls on that weekday in the block: check the dates.")
    _lock(mentor, room)
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
        dates=dates,
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


def group_refusal(slot, *, school, on, pupils):
    """Why a case of ``school`` may not join ``slot`` as a small group from ``on``, or None.

    ``pupils``: how many open cases the slot holds now. The one rule for both the slots the
    allocation page offers and the check when one is chosen.
    """
    if slot.school_id != school.pk:
        return "That slot belongs to another school."
    if max(on, slot.block_starts_on) > slot.last_day:
        return "That slot's block has ended."
    if not pupils:
        # Its pupils' cases have closed: there is no group left to join.
        return "That slot has no pupil now: allocate a new slot instead."
    if pupils >= school.group_size_limit:
        return f"The group is full: {school} allows {school.group_size_limit} pupils a slot."
    return None


def _with_pupils(slots):
    """``pupils`` on each slot: the open cases it holds now."""
    current = Q(allocations__ended_on__isnull=True, allocations__case__status=Case.Status.OPEN)
    return slots.annotate(pupils=Count("allocations", filter=current))


def booked_slots(school, on=None):
    """The school's weekly slots still running on or after ``on`` (default today), by day and
    time: what the coordinator books around."""
    on = on or timezone.localdate()
    return (
        _running_between(Slot.objects.filter(school=school), on)
        .select_related("mentor", "room")
        .order_by("weekday", "starts_at", "pk")
    )


def joinable_slots(school, on=None):
    """The slots of ``school`` a case may join as a small group from ``on`` (default today)."""
    on = on or timezone.localdate()
    # A slot whose block ended before ``on`` never qualifies: not read at all, as those
    # pile up year after year.
    candidates = _with_pupils(Slot.objects.filter(school=school, block_ends_on__gte=on))
    return [
        slot
        for slot in candidates
        if group_refusal(slot, school=school, on=on, pupils=slot.pupils) is None
    ]


@transaction.atomic
def join_group(*, case, slot, user, starts_on=None):
    """Add the case to an existing slot as a small group."""
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    on = starts_on or timezone.localdate()
    pupils = _with_pupils(Slot.objects.filter(pk=slot.pk)).get().pupils
    refusal = group_refusal(slot, school=case.school, on=on, pupils=pupils)
    if refusal:
        raise ValidationError(refusal)
    starts_on = max(on, slot.block_starts_on)
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_pupil(case=case, mentor=slot.mentor, on_date=starts_on)
    if Allocation.objects.filter(case=case, ended_on__isnull=True).exists():
        raise ValidationError("This case already has a slot.")
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
    _lock(slot.mentor, slot.room)
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
        dates=dates,
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
    # The slot first, as a change of the slot locks it: its mentor and room as they are now.
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    calendar = calendar_for_block(slot.school, slot.block_starts_on)
    if original_date not in slot_dates(slot, calendar):
        raise ValidationError({"original_date": "The slot has no session on that date."})
    local = timezone.localtime(moved_to)
    # Its own Monday-to-Friday week: a week's session stays that week's, for the register.
    if local.date().isocalendar()[:2] != original_date.isocalendar()[:2]:
        monday = original_date - timedelta(days=original_date.weekday())
        raise ValidationError(
            {
                "moved_to": "A session can move within its own week only "
                f"(the week of Monday {monday.day} {monday:%B})."
            }
        )
    _lock(slot.mentor, slot.room)
    refusals = _move_refusals(slot, user, original_date, local)
    if refusals:
        raise ValidationError({"moved_to": refusals})
    # Saved once, by save_as, so that even the first move's history names who moved it.
    move = SessionMove.objects.filter(slot=slot, original_date=original_date).first()
    move = move or SessionMove(slot=slot, original_date=original_date)
    move.moved_to, move.reason, move.moved_by = moved_to, reason.strip(), user
    save_as(move, user, "Session moved")
    return move


def _move_refusals(slot, user, original_date, local):
    """Why the session of ``original_date`` may not move to ``local`` (a local datetime):
    a school day, within its hours, the mentor and the room free, as for a slot."""
    day, starts_at = local.date(), local.time().replace(second=0, microsecond=0)
    # The day's own calendar: the block's may start after the day a first session moves to.
    if not SchoolCalendar.for_school(slot.school, day, day).is_school_day(day):
        return [f"{day:%A} {day.day} {day:%B} is not a school day: choose a day in term time."]
    late = outside_school_day(starts_at, slot.duration)
    if late:
        return [late]
    mine = Q(mentor=slot.mentor) | Q(room=slot.room)
    # The other slots' sessions that day, apart from those moved away from it...
    weekly = (
        _running_between(Slot.objects.filter(mine, weekday=day.weekday()), day, day)
        .exclude(pk=slot.pk)
        .exclude(moves__original_date=day)
        .select_related("mentor", "room")
    )
    # ...and the sessions moved onto it.
    moved = (
        SessionMove.objects.filter(moved_to__date=day, slot__in=Slot.objects.filter(mine))
        .exclude(slot=slot, original_date=original_date)
        .select_related("slot__mentor", "slot__room")
    )
    bookings = [
        Booking(other, other.starts_at, f"{other.get_weekday_display()}s") for other in weekly
    ]
    bookings += [
        Booking(m.slot, timezone.localtime(m.moved_to).time(), _on_day(day))
        for m in moved
        if m.holds_session
    ]
    return _clashes(
        bookings,
        mentor=slot.mentor,
        room=slot.room,
        starts_at=starts_at,
        duration=slot.duration,
        user=user,
    )


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


# Said on the record page too, to the author who can no longer change it.
EDIT_WINDOW_PASSED = (
    "A record can be changed by its author for seven days; after that, ask the mentoring "
    "coordinator."
)
ALREADY_RECORDED = "This session already has a record: open it to change it."
# A flagged note is read by the DSL and its author only: lifting the flag opens it to everyone
# who sees the case, which is the DSL's call to make once they have looked at it.
ONLY_THE_DSL_LIFTS = "Only the designated safeguarding lead can lift a safeguarding flag."


def check_session_date(*, case, slot, day, today, consent=None):
    """Whether a session of ``slot`` on ``day`` can be recorded for ``case``: raises
    ValidationError saying why not. The log page asks before showing its form; saving asks
    again, as the case may have changed meanwhile."""
    consent = consent if consent is not None else list(ConsentRecord.objects.filter(case=case))
    if not consent_in_force_from(consent, day):
        raise ValidationError(
            f"Parental consent is not in force on {day:%d/%m/%Y}, so no session can be "
            "logged for that day."
        )
    if case.status != Case.Status.OPEN:
        raise ValidationError("This case is closed; its records can no longer change.")
    if day > today:
        raise ValidationError({"date": "A session cannot be logged before it happens."})
    if slot is None or day not in expected_dates(case, slot):
        raise ValidationError({"date": "There is no session of this pupil's slot on that date."})


@transaction.atomic
def session_record_save(*, record, user, today=None):
    """Save a session record: only for a session the slot really had, with consent in
    force that day, by its mentor (edits: the author for seven days, then the coordinator)."""
    today = today or timezone.localdate()
    case = Case.objects.select_for_update().get(pk=record.case_id)
    check_session_date(case=case, slot=record.slot, day=record.date, today=today)
    if record.attendance == SessionRecord.Attendance.CANCELLED and not record.cancel_reason.strip():
        raise ValidationError({"cancel_reason": "Say why the session was cancelled."})
    # What belongs to a held session only, and what to one that was not held.
    if record.attendance == SessionRecord.Attendance.HELD:
        record.cancel_reason = ""
    else:
        for name in SessionRecord.FIRST_MEETING_FIELDS:
            setattr(record, name, False)
    is_new = record.pk is None
    reason = "Session logged"
    if not is_new:
        stored = SessionRecord.objects.select_for_update().get(pk=record.pk)
        if not permissions.can_edit_session_record(user, stored, now=timezone.now()):
            raise ValidationError(EDIT_WINDOW_PASSED)
        if stored.safeguarding_concern and not record.safeguarding_concern:
            if not permissions.can_handle_safeguarding(user, case):
                raise ValidationError({"safeguarding_concern": ONLY_THE_DSL_LIFTS})
            reason = "Safeguarding flag lifted by the DSL"
        else:
            reason = "Session record revised"
        record.revised_at = timezone.now()
        newly_flagged = record.safeguarding_concern and not stored.safeguarding_concern
    else:
        if SessionRecord.objects.filter(case=case, date=record.date).exists():
            raise ValidationError(ALREADY_RECORDED)
        record.author = user
        newly_flagged = record.safeguarding_concern
    record.full_clean()
    save_as(record, user, reason)
    if newly_flagged:
        transaction.on_commit(lambda: notifications.safeguarding_concern(record))
    return record


def first_meeting(record):
    """Does ``record`` carry the first meeting's checklist? The case's first held session
    does, so a record offers it while no session of the case was held before its date: when
    it is saved, and every time it is opened again, until the checklist is done."""
    return not SessionRecord.objects.filter(
        case_id=record.case_id, attendance=SessionRecord.Attendance.HELD, date__lt=record.date
    ).exists()


@transaction.atomic
def safeguarding_acknowledge(*, record, user, action, lift=False):
    """The DSL marks a flagged record seen, and what was done; with ``lift``, the DSL also
    lifts the flag (the one who may: ``session_record_save`` refuses it to anyone else)."""
    if not permissions.can_handle_safeguarding(user, record.case):
        raise ValidationError("Only the designated safeguarding lead can do this.")
    record = SessionRecord.objects.select_for_update().get(pk=record.pk)
    record.dsl_seen_at = record.dsl_seen_at or timezone.now()
    record.dsl_seen_by = record.dsl_seen_by or user
    record.dsl_action = action.strip()
    if lift:
        record.safeguarding_concern = False
    save_as(record, user, "Safeguarding flag lifted by the DSL" if lift else "Seen by the DSL")
    return record
