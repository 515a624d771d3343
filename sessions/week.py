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


def my_week(allocations, today):
    """(this week's sessions, earlier sessions without a record), each with a status."""
    monday, friday = week_bounds(today)
    book = SessionBook(allocations, until=friday)
    this_week, earlier = [], []
    for allocation in book.allocations:
        school = allocation.slot.school
        calendar = book.calendar(school.pk)
        for session in book.sessions(allocation):
            waited = sum(1 for _ in calendar.school_days(session.date + timedelta(days=1), today))
            if session.record is not None:
                session.status = "logged"
            elif session.date > today:
                session.status = "upcoming"
            elif waited > school.session_overdue_after:
                session.status = "overdue"
            else:
                session.status = "due"
            if session.date >= monday:
                this_week.append(session)
            elif session.record is None:
                earlier.append(session)
    key = lambda s: (s.date, s.slot.starts_at, s.case.pupil.legal_last_name)  # noqa: E731
    return sorted(this_week, key=key), sorted(earlier, key=key)
