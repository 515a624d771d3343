"""School days: weekdays in term, outside half-term and closure days."""

import datetime as dt

import pytest

from mentoring.calendar import SchoolCalendar, school_days_between
from mentoring.models import ClosureDay

from ..factories import ClosureDayFactory, TermFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def autumn(school):
    """Autumn 2026: 2 Sep to 18 Dec, half-term 26-30 Oct, INSET on Mon 2 Nov."""
    term = TermFactory(academic_year__school=school)
    ClosureDayFactory(school=school, date=dt.date(2026, 11, 2), kind=ClosureDay.Kind.INSET)
    return term


def test_school_days_skip_weekends_half_term_and_closures(school, autumn):
    # Hand count after Mon 19 Oct up to Mon 9 Nov: 20-23 Oct (4), half-term (0),
    # INSET 2 Nov (0), 3-6 Nov (4), 9 Nov (1).
    assert school_days_between(school, dt.date(2026, 10, 19), dt.date(2026, 11, 9)) == 9


def test_no_school_days_outside_term(school, autumn):
    calendar = SchoolCalendar.for_school(school, dt.date(2026, 12, 19), dt.date(2027, 1, 3))
    assert list(calendar.school_days(dt.date(2026, 12, 19), dt.date(2027, 1, 3))) == []


def test_another_schools_closure_does_not_count(school, other_school, autumn):
    ClosureDayFactory(school=other_school, date=dt.date(2026, 11, 3))
    assert school_days_between(school, dt.date(2026, 11, 2), dt.date(2026, 11, 3)) == 1
