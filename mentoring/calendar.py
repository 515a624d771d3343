"""The school calendar: which days are school days (term time, weekdays, not closed).

Used to count waiting in school days and, later, to work out expected sessions.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from .models import ClosureDay, Term


@dataclass(frozen=True)
class SchoolCalendar:
    """A school's terms and closure days between two dates, loaded in two queries."""

    terms: tuple
    closures: frozenset

    @classmethod
    def for_school(cls, school, start: date, end: date):
        terms = Term.objects.filter(
            academic_year__school=school, starts_on__lte=end, ends_on__gte=start
        )
        closures = ClosureDay.objects.filter(school=school, date__range=(start, end))
        return cls(tuple(terms), frozenset(closures.values_list("date", flat=True)))

    def is_term_time(self, day: date) -> bool:
        """A weekday inside a term and outside its half-term, closure days included."""
        return day.weekday() < 5 and any(term.is_term_time(day) for term in self.terms)

    def is_school_day(self, day: date) -> bool:
        return self.is_term_time(day) and day not in self.closures

    def school_days(self, start: date, end: date):
        """Every school day from ``start`` to ``end``, both included."""
        day = start
        while day <= end:
            if self.is_school_day(day):
                yield day
            day += timedelta(days=1)


def school_days_between(school, start: date, end: date) -> int:
    """School days after ``start`` up to and including ``end`` (0 if end is not later)."""
    if end <= start:
        return 0
    first = start + timedelta(days=1)
    return sum(1 for _ in SchoolCalendar.for_school(school, first, end).school_days(first, end))
