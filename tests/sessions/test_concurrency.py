"""Two coordinators booking the same mentor at the same moment: exactly one succeeds."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from sessions import services
from sessions.models import Slot

from ..factories import CaseFactory, PupilFactory, RoomFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: this test holds two real connections open at once; the "
        "SQLite run of the suite uses an in-memory database shared between threads",
    ),
]


def test_overlapping_allocations_at_the_same_moment(
    school, autumn, consent, coordinator, head, mentor, slot_args
):
    cases = []
    for name in ("First", "Second"):
        case = CaseFactory(pupil=PupilFactory(school=school, legal_first_name=name))
        consent(case)
        cases.append(case)
    rooms = [slot_args["room"], RoomFactory(school=school, name="Nurture Room")]
    start = threading.Barrier(2)
    outcome = {}

    def book(i):
        try:
            start.wait()
            services.allocate(
                case=cases[i], user=(coordinator, head)[i], **{**slot_args, "room": rooms[i]}
            )
            outcome[i] = "booked"
        except ValidationError as exc:
            outcome[i] = exc.messages[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcome.values(), key=lambda v: v != "booked")[0] == "booked"
    assert list(outcome.values()).count("booked") == 1, outcome
    refusal = next(v for v in outcome.values() if v != "booked")
    assert "Mina Staffperson is booked Tuesdays 10:30-11:00" in refusal
    assert Slot.objects.count() == 1
