"""Adherence counts every expected session of a case's whole slot history, however long."""

import datetime as dt

import pytest
from django.urls import reverse

from mentoring.models import Term
from referrals.models import ConsentRecord
from sessions import services
from sessions.book import AttendanceBook, SessionBook, adherence
from sessions.models import Allocation, SessionRecord

from ..clock import freeze_today
from ..factories import CaseFactory, TermFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2028, 2, 8)


@pytest.fixture
def two_years(school, autumn):
    """Autumn 2026 (the shared fixture) and spring 2028: Tue 4 Jan to Fri 24 Mar, half-term
    14-18 Feb."""
    return TermFactory(
        academic_year__school=school,
        academic_year__name="2027/28",
        academic_year__starts_on=dt.date(2027, 9, 1),
        academic_year__ends_on=dt.date(2028, 7, 21),
        name=Term.Name.SPRING,
        starts_on=dt.date(2028, 1, 4),
        half_term_starts_on=dt.date(2028, 2, 14),
        half_term_ends_on=dt.date(2028, 2, 18),
        ends_on=dt.date(2028, 3, 24),
    )


@pytest.fixture
def case_over_two_years(school, two_years, consent, coordinator, mentor, room, monkeypatch):
    """A case with a six-week block in autumn 2026 and, more than 400 days after it began, a
    four-week block in spring 2028; one session of the second block was held."""
    mentor.memberships.update(mentoring_hours=40)
    case = CaseFactory(pupil__school=school)
    consent(case)
    block = {"user": coordinator, "mentor": mentor, "room": room, "duration": 30}
    first = services.allocate(
        case=case,
        weekday=1,
        starts_at=dt.time(10, 30),
        block_starts_on=dt.date(2026, 9, 7),
        block_weeks=6,
        **block,
    )
    Allocation.objects.filter(pk=first.pk).update(ended_on=first.slot.block_ends_on)
    second = services.allocate(
        case=case,
        weekday=1,
        starts_at=dt.time(11, 0),
        block_starts_on=dt.date(2028, 1, 10),
        block_weeks=4,
        **block,
    )
    freeze_today(monkeypatch, TODAY)
    services.session_record_save(
        record=SessionRecord(
            case=case, slot=second.slot, date=dt.date(2028, 1, 18), what_was_done="Games"
        ),
        user=mentor,
        today=TODAY,
    )
    return case


def test_sessions_more_than_400_days_after_the_first_block_are_expected(case_over_two_years):
    # Tuesdays 8 Sep to 13 Oct 2026 (six), then 11, 18, 25 Jan and 1 Feb 2028 (four).
    book = SessionBook(Allocation.objects.filter(case=case_over_two_years), until=TODAY)
    figures = adherence(book, TODAY)[case_over_two_years.pk]
    assert (figures.held, figures.expected) == (1, 10)
    assert figures.reasons == {"Not recorded yet": 9}


def test_the_adherence_page_counts_both_years(case_over_two_years, client_for, coordinator):
    page = client_for(coordinator).get(reverse("adherence"), {"year": "all"}).content.decode()
    assert "Sessions held against expected, every year" in page
    assert "<strong>1 of 10</strong> expected sessions held (10%)" in page
    assert "Not recorded yet: 9" in page


def test_the_adherence_page_shows_this_school_year_unless_asked(
    case_over_two_years, client_for, coordinator
):
    client = client_for(coordinator)
    # 8 Feb 2028 is in 2027/28: its four Tuesdays, one held.
    page = client.get(reverse("adherence")).content.decode()
    assert "Sessions held against expected, 2027/28" in page
    assert "From 1 September 2027 up to 8 February 2028: <strong>1 of 4</strong>" in page
    assert 'aria-current="page" href="?year=2027/28"' in page
    # The year before: the autumn block's six, none recorded.
    page = client.get(reverse("adherence"), {"year": "2026/27"}).content.decode()
    assert "From 1 September 2026 up to 23 July 2027: <strong>0 of 6</strong>" in page
    assert "Not recorded yet: 6" in page
    # A year that does not exist shows this one rather than an error.
    page = client.get(reverse("adherence"), {"year": "1999/00"}).content.decode()
    assert "Sessions held against expected, 2027/28" in page


def test_the_coordinators_home_counts_this_school_year_like_the_page_it_links_to(
    case_over_two_years, client_for, coordinator
):
    home = client_for(coordinator).get(reverse("home")).content.decode()
    # Not the 1 of 10 of every year: 2027/28's four Tuesdays, as on the adherence page.
    assert "25%</span> of expected sessions held this school year (1 of 4)" in home
    assert f'href="{reverse("adherence")}"' in home


def test_the_adherence_page_and_the_case_page_count_alike(case_over_two_years, coordinator, mentor):
    # A pupil absent in 2026, and consent withdrawn after 25 Jan 2028: 1 Feb is not expected.
    services.session_record_save(
        record=SessionRecord(
            case=case_over_two_years,
            slot=Allocation.objects.get(case=case_over_two_years, ended_on__isnull=False).slot,
            date=dt.date(2026, 9, 15),
            attendance=SessionRecord.Attendance.PUPIL_ABSENT,
        ),
        user=mentor,
        today=TODAY,
    )
    ConsentRecord.objects.create(
        case=case_over_two_years,
        decision=ConsentRecord.Decision.WITHDRAWN,
        given_by="Pat Testparent",
        relationship="Mother",
        method=ConsentRecord.Method.SLIP,
        decided_on=dt.date(2028, 1, 26),
        recorded_by=coordinator,
    )
    allocations = Allocation.objects.filter(case=case_over_two_years)
    full = adherence(SessionBook(allocations, until=TODAY), TODAY)[case_over_two_years.pk]
    light = adherence(AttendanceBook(allocations, until=TODAY), TODAY)[case_over_two_years.pk]
    assert (light.held, light.expected, light.reason_list) == (
        full.held,
        full.expected,
        full.reason_list,
    )
    assert (light.held, light.expected) == (1, 9)
    assert light.reason_list == [("Not recorded yet", 7), ("Pupil absent", 1)]
