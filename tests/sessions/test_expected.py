"""Expected sessions follow the school calendar: term weeks only, none on closure days."""

import datetime as dt

import pytest

from mentoring.calendar import SchoolCalendar
from mentoring.models import ClosureDay, Term
from sessions.schedule import block_session_dates

from ..factories import ClosureDayFactory, TermFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def summer(school):
    """Summer 2027: Mon 12 Apr to Wed 21 Jul, half-term 31 May to 4 Jun. INSET on the first
    day; the Early May bank holiday on Mon 3 May; the Spring bank holiday falls in half-term."""
    TermFactory(
        academic_year__school=school,
        academic_year__name="2026/27",
        name=Term.Name.SUMMER,
        starts_on=dt.date(2027, 4, 12),
        half_term_starts_on=dt.date(2027, 5, 31),
        half_term_ends_on=dt.date(2027, 6, 4),
        ends_on=dt.date(2027, 7, 21),
    )
    ClosureDayFactory(school=school, date=dt.date(2027, 4, 12), kind=ClosureDay.Kind.INSET)
    for day in (dt.date(2027, 5, 3), dt.date(2027, 5, 31)):
        ClosureDayFactory(school=school, date=day, kind=ClosureDay.Kind.BANK_HOLIDAY)
    return SchoolCalendar.for_school(school, dt.date(2027, 4, 1), dt.date(2027, 8, 31))


def test_an_eight_week_monday_block_matches_the_hand_count(summer):
    # Hand count of Mondays from 12 Apr. Weeks of the block: 12 Apr (INSET: counts, no
    # session), 19 Apr, 26 Apr, 3 May (bank holiday: counts, no session), 10, 17, 24 May,
    # then half-term (31 May: not a week of the block), 7 Jun. Six sessions; ends 7 Jun.
    dates, last = block_session_dates(0, dt.date(2027, 4, 12), 8, summer)
    assert dates == [
        dt.date(2027, 4, 19),
        dt.date(2027, 4, 26),
        dt.date(2027, 5, 10),
        dt.date(2027, 5, 17),
        dt.date(2027, 5, 24),
        dt.date(2027, 6, 7),
    ]
    assert last == dt.date(2027, 6, 7)


def test_a_tuesday_block_is_untouched_by_monday_closures(summer):
    dates, last = block_session_dates(1, dt.date(2027, 4, 12), 8, summer)
    assert len(dates) == 8
    assert dt.date(2027, 6, 1) not in dates  # half-term Tuesday
    assert last == dt.date(2027, 6, 8)


def test_a_block_never_runs_past_the_terms_it_knows(summer):
    dates, last = block_session_dates(2, dt.date(2027, 7, 12), 6, summer)
    assert dates == [dt.date(2027, 7, 14), dt.date(2027, 7, 21)]  # the summer holiday follows
