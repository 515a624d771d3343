import datetime as dt

import pytest

from mentoring.models import ClosureDay, Role
from referrals.models import ConsentRecord
from sessions import services

from ..factories import (
    CaseFactory,
    ClosureDayFactory,
    PupilFactory,
    RoomFactory,
    TermFactory,
    staff,
)


@pytest.fixture
def autumn(school):
    """Autumn 2026: Wed 2 Sep to Fri 18 Dec; half-term 26-30 Oct; INSET Mon 2 Nov."""
    term = TermFactory(academic_year__school=school)
    ClosureDayFactory(school=school, date=dt.date(2026, 11, 2), kind=ClosureDay.Kind.INSET)
    return term


@pytest.fixture
def room(school):
    return RoomFactory(school=school, name="Learning Mentor Room")


@pytest.fixture
def corridor(school):
    return RoomFactory(school=school, name="Corridor by the hall", suitable_for_one_to_one=False)


@pytest.fixture
def consent(coordinator):
    def give(case, on=dt.date(2026, 9, 1)):
        return ConsentRecord.objects.create(
            case=case,
            decision=ConsentRecord.Decision.GIVEN,
            given_by="Pat Testparent",
            relationship="Mother",
            method=ConsentRecord.Method.SLIP,
            decided_on=on,
            recorded_by=coordinator,
        )

    return give


@pytest.fixture
def slot_args(mentor, room):
    return {
        "mentor": mentor,
        "room": room,
        "weekday": 1,  # Tuesday
        "starts_at": dt.time(10, 30),
        "duration": 30,
        "block_starts_on": dt.date(2026, 9, 7),
        "block_weeks": 6,
    }


@pytest.fixture
def dsl_user(school):
    return staff(school, Role.DSL, username="dsl", first_name="Desmond")


@pytest.fixture
def allocated(pupil, autumn, consent, coordinator, slot_args):
    """Tuesdays 10:30 from 8 Sep to 13 Oct 2026, with consent from 1 Sep."""
    # Opened before the term, so that consent can be dated in it whatever day the tests run.
    case = CaseFactory(pupil=pupil, opened_on=dt.date(2026, 9, 1))
    consent(case)
    return services.allocate(case=case, user=coordinator, **slot_args)


@pytest.fixture
def kai(school, autumn, consent, coordinator, slot_args):
    """Another pupil's slot: ``kai(weekday=3, ...)``, in a room of its own unless told."""

    def allocate(**changes):
        case = CaseFactory(pupil=PupilFactory(school=school, legal_first_name="Kai"))
        consent(case)
        args = {**slot_args, "room": RoomFactory(school=school, name="Nurture Room"), **changes}
        return services.allocate(case=case, user=coordinator, **args).slot

    return allocate
