"""The mentor's week: this school week's sessions and earlier ones still to log."""

from datetime import timedelta

from mentoring import permissions

from .book import SessionBook
from .models import Allocation


def week_bounds(today):
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=4)


def mentor_allocations(user):
    """The mentor's own pupils in their slots, open cases only. From the cases they may open,
    so that a case still naming a mentor who has moved to another school stays behind."""
    return Allocation.objects.filter(
        slot__mentor=user,
        case__in=permissions.visible_cases(user).filter(mentor=user),
        case__status="open",
    )


def _school_days_since(calendar, day, today):
    """School days after ``day`` up to and including today: counted only for a session not
    yet logged, as a logged one's weeks since would be walked day by day for nothing."""
    return sum(1 for _ in calendar.school_days(day + timedelta(days=1), today))


class _WeekBook(SessionBook):
    """The week shows each session's pupil, time and room: its allocations bring only those
    (and the slot's school, for when a session is overdue), not the slot's mentor, who is the
    user, nor the case's school, the slot's."""

    related = ["slot", "slot__school", "slot__room", "case", "case__pupil"]


def my_week(allocations, today):
    """(this week's sessions, earlier sessions without a record), each with a status."""
    monday, friday = week_bounds(today)
    book = _WeekBook(allocations, until=friday)
    this_week, earlier = [], []
    for allocation in book.allocations:
        school = allocation.slot.school
        calendar = book.calendar(school.pk)
        for session in book.sessions(allocation):
            if session.record is not None:
                session.status = "logged"
            elif session.date > today:
                session.status = "upcoming"
            elif _school_days_since(calendar, session.date, today) > school.session_overdue_after:
                session.status = "overdue"
            else:
                session.status = "due"
            if session.date >= monday:
                this_week.append(session)
            elif session.record is None:
                earlier.append(session)
    key = lambda s: (s.date, s.slot.starts_at, s.case.pupil.legal_last_name)  # noqa: E731
    return sorted(this_week, key=key), sorted(earlier, key=key)
