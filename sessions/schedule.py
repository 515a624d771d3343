"""Which sessions a slot should hold: each school week of its block, on the slot's weekday.

A block is counted in school weeks: a week whose slot day falls in half-term or the
holidays does not count towards its length. A week whose slot day is a closure day (INSET,
bank holiday) does count, but holds no session. Everything here works on data already
fetched (a SchoolCalendar, consent records), so lists cost no query per row.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from mentoring.calendar import SchoolCalendar
from referrals.services import consent_in_force_from

# How far ahead to look for term weeks when working out where a block ends.
LOOKAHEAD = timedelta(days=400)


def first_weekday_on_or_after(day, weekday):
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def block_session_dates(weekday, starts_on, weeks, calendar):
    """(session dates, last week's slot date) for a block of ``weeks`` school weeks."""
    day = first_weekday_on_or_after(starts_on, weekday)
    dates, counted, last = [], 0, None
    horizon = starts_on + LOOKAHEAD
    while counted < weeks and day <= horizon:
        if calendar.is_term_time(day):
            counted += 1
            last = day
            if day not in calendar.closures:
                dates.append(day)
        day += timedelta(weeks=1)
    return dates, last


def calendar_for_block(school, starts_on):
    return SchoolCalendar.for_school(school, starts_on, starts_on + LOOKAHEAD)


def slot_dates(slot, calendar):
    """The dates the slot holds a session, up to its last day."""
    dates, _ = block_session_dates(slot.weekday, slot.block_starts_on, slot.block_weeks, calendar)
    last_day = slot.last_day
    return [d for d in dates if d <= last_day]


@dataclass(frozen=True)
class Expected:
    """One week's session expected for one case."""

    case: object
    slot: object
    date: date


def expected_dates(allocation, dates, consent_records, until=None):
    """Of the slot's ``dates``, those expected for the allocation's case: while the
    case is in the slot and parental consent is in force (a withdrawal removes the sessions
    after it)."""
    end = allocation.ended_on or allocation.slot.last_day
    if until is not None:
        end = min(end, until)
    # Consent changes only on a decision's date: ask again only when one has passed.
    decided = sorted(r.decided_on for r in consent_records)
    expected, answers, in_force = [], -1, False
    for d in dates:
        if allocation.starts_on <= d <= end:
            passed = bisect_right(decided, d)
            if passed != answers:
                answers, in_force = passed, consent_in_force_from(consent_records, d)
            if in_force:
                expected.append(d)
    return expected


def expected_for_allocation(allocation, calendar, consent_records, until=None):
    """The sessions expected for the allocation's case (see ``expected_dates``)."""
    slot = allocation.slot
    dates = expected_dates(allocation, slot_dates(slot, calendar), consent_records, until)
    return [Expected(allocation.case, slot, d) for d in dates]
