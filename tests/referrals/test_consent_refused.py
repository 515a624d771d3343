"""A refusal of consent closes the case, and frees its slot exactly as closing the case does."""

import datetime as dt

import pytest
from django.urls import reverse

from mentoring.models import Case
from referrals.models import ConsentRecord
from sessions import services as sessions

from ..clock import freeze_today
from ..factories import CaseFactory, PupilFactory, RoomFactory, TermFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)
REFUSED_ON = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    return freeze_today(monkeypatch, TODAY)


@pytest.fixture
def room(school):
    TermFactory(academic_year__school=school)
    return RoomFactory(school=school, name="The nurture room")


def given_and_allocated(pupil, coordinator, mentor, room):
    """A case with consent given in September and a Tuesday 10:30 slot to mid-December."""
    case = CaseFactory(pupil=pupil, opened_on=dt.date(2026, 9, 1))
    ConsentRecord.objects.create(
        case=case,
        decision=ConsentRecord.Decision.GIVEN,
        given_by="Pat Testparent",
        relationship="Mother",
        method=ConsentRecord.Method.SLIP,
        decided_on=dt.date(2026, 9, 1),
        recorded_by=coordinator,
    )
    return sessions.allocate(
        case=case,
        user=coordinator,
        mentor=mentor,
        room=room,
        weekday=1,
        starts_at=dt.time(10, 30),
        duration=30,
        block_starts_on=dt.date(2026, 10, 5),
        block_weeks=10,
    )


def test_a_refusal_frees_the_slot_mentor_and_room(client_for, coordinator, mentor, pupil, room):
    allocation = given_and_allocated(pupil, coordinator, mentor, room)
    case = allocation.case
    client = client_for(coordinator)
    response = client.post(
        reverse("consent_record_create", args=[case.pk]),
        {
            "decision": "refused",
            "given_by": "Pat Testparent",
            "relationship": "Mother",
            "method": "phone",
            "decided_on": REFUSED_ON.isoformat(),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Consent refused" in page
    assert "Change the slot" not in page
    assert "Tuesdays 10:30-11:00, The nurture room" not in page
    case.refresh_from_db()
    allocation.refresh_from_db()
    allocation.slot.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.closed_reason == "Parental consent refused"
    assert allocation.ended_on == REFUSED_ON
    assert allocation.slot.ended_on == REFUSED_ON  # its only pupil: the slot stops
    # Still in the history, saying who and why.
    last = allocation.history.first()
    assert last.history_user == coordinator and last.history_change_reason == "Case closed"
    # The mentor's time and the room are free for another pupil from the next Tuesday.
    other = CaseFactory(pupil=PupilFactory(school=case.school), opened_on=dt.date(2026, 11, 2))
    ConsentRecord.objects.create(
        case=other,
        decision=ConsentRecord.Decision.GIVEN,
        given_by="Sam Testparent",
        relationship="Father",
        method=ConsentRecord.Method.SLIP,
        decided_on=dt.date(2026, 11, 2),
        recorded_by=coordinator,
    )
    placed = sessions.allocate(
        case=other,
        user=coordinator,
        mentor=mentor,
        room=room,
        weekday=1,
        starts_at=dt.time(10, 30),
        duration=30,
        block_starts_on=dt.date(2026, 11, 24),
        block_weeks=3,
    )
    assert placed.slot.room == room and placed.slot.mentor == mentor
