"""Two coordinators booking the same mentor at the same moment, at one school or at two
schools the mentor works in: exactly one succeeds."""

import threading
import time
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections, transaction

from mentoring.models import Role, Room, School, StaffMember, StaffRole, User
from sessions import services
from sessions.models import Slot

from ..factories import (
    CaseFactory,
    PupilFactory,
    RoomFactory,
    SchoolFactory,
    StaffMemberFactory,
    TermFactory,
    staff,
)
from ..together import at_the_same_moment

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: this test holds two real connections open at once; the "
        "SQLite run of the suite uses an in-memory database shared between threads",
    ),
]


def book_at_once(slot_args, *bookings):
    """Each (case, user, room) booked at the same moment: "booked", or the refusal."""
    results = at_the_same_moment(
        *(
            partial(services.allocate, case=case, user=user, **{**slot_args, "room": room})
            for case, user, room in bookings
        ),
        expected=ValidationError,
    )
    return [r.messages[0] if isinstance(r, ValidationError) else "booked" for r in results]


def test_overlapping_allocations_at_the_same_moment(
    school, autumn, consent, coordinator, head, mentor, slot_args
):
    cases = []
    for name in ("First", "Second"):
        case = CaseFactory(pupil=PupilFactory(school=school, legal_first_name=name))
        consent(case)
        cases.append(case)
    rooms = [slot_args["room"], RoomFactory(school=school, name="Nurture Room")]
    outcome = book_at_once(slot_args, (cases[0], coordinator, rooms[0]), (cases[1], head, rooms[1]))

    assert outcome.count("booked") == 1, outcome
    refusal = next(v for v in outcome if v != "booked")
    assert "Mina Staffperson is booked Tuesdays 10:30-11:00" in refusal
    assert Slot.objects.count() == 1


def test_a_mentor_of_two_schools_booked_at_both_at_the_same_moment(
    school, autumn, consent, coordinator, mentor, slot_args, monkeypatch
):
    # Mina mentors at a second school too, whose coordinator books her for the same time.
    other = SchoolFactory(name="Testfield Academy")
    TermFactory(academic_year__school=other)
    member = StaffMemberFactory(user=mentor, school=other, mentoring_hours=6)
    StaffRole.objects.create(staff_member=member, role=Role.MENTOR)
    other_coordinator = staff(other, Role.COORDINATOR, username="coordinator2")
    cases = []
    for where in (school, other):
        case = CaseFactory(school=where, pupil=PupilFactory(school=where))
        consent(case)
        cases.append(case)
    rooms = [slot_args["room"], RoomFactory(school=other, name="Library")]
    # Each booking pauses after its checks, so that without a lock both would pass them.
    checked = services.check_slot

    def slow_check(**kwargs):
        checked(**kwargs)
        time.sleep(1)

    monkeypatch.setattr(services, "check_slot", slow_check)
    outcome = book_at_once(
        slot_args, (cases[0], coordinator, rooms[0]), (cases[1], other_coordinator, rooms[1])
    )

    assert outcome.count("booked") == 1, outcome
    assert Slot.objects.count() == 1
    # The refusal says where, and names no child of the other school.
    refusal = next(v for v in outcome if v != "booked")
    assert refusal == (
        "Mina Staffperson is booked Tuesdays 10:30-11:00 for another pupil at another school."
    )


def test_a_booking_locks_the_mentor_and_the_room_and_nothing_else(school, mentor, room):
    # While one booking holds its locks, another connection finds the mentor and the room
    # locked, but not the school, nor the mentor's place on its staff.
    held, release = threading.Event(), threading.Event()

    def book():
        try:
            with transaction.atomic():
                services._lock(mentor, room)
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=book)
    thread.start()
    try:
        assert held.wait(10)
        for model, pk in ((User, mentor.pk), (Room, room.pk)):
            with pytest.raises(OperationalError), transaction.atomic():
                model.objects.select_for_update(nowait=True).filter(pk=pk).order_by().exists()
        with transaction.atomic():
            assert School.objects.select_for_update(nowait=True).filter(pk=school.pk).exists()
            member = StaffMember.objects.filter(user=mentor, school=school).order_by()
            assert member.select_for_update(nowait=True).exists()
    finally:
        release.set()
        thread.join(timeout=30)
