"""Allocation: every rule refuses with a message that names the clash."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from mentoring.models import ClassStaff, Role
from sessions import services
from sessions.models import Allocation, Slot

from ..factories import CaseFactory, PupilFactory, assign, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(pupil, autumn, consent):
    case = CaseFactory(pupil=pupil)
    consent(case)
    return case


def refused(**kwargs):
    with pytest.raises(ValidationError) as caught:
        services.allocate(**kwargs)
    return " ".join(caught.value.messages)


def test_a_good_allocation_gives_the_case_its_mentor_and_slot(case, coordinator, mentor, slot_args):
    allocation = services.allocate(case=case, user=coordinator, **slot_args)
    case.refresh_from_db()
    assert case.mentor == mentor
    slot = allocation.slot
    # Six school weeks of Tuesdays from 8 Sep: 8, 15, 22, 29 Sep, 6, 13 Oct.
    assert slot.block_ends_on == dt.date(2026, 10, 13)
    assert slot.history.first().history_user == coordinator


def test_refused_for_the_class_teacher(case, coordinator, class_teacher, slot_args, school):
    class_teacher.memberships.get().roles.create(role=Role.MENTOR)
    class_teacher.memberships.update(mentoring_hours=5)
    message = refused(case=case, user=coordinator, **{**slot_args, "mentor": class_teacher})
    assert "Tess Staffperson is Robin's class teacher" in message
    assert not Slot.objects.exists()


def test_refused_for_the_class_ta(case, coordinator, school_class, slot_args, school):
    ta = staff(school, Role.MENTOR, Role.TEACHING_ASSISTANT, username="tamentor", hours=5)
    assign(ta, school_class, ClassStaff.Kind.ASSISTANT)
    message = refused(case=case, user=coordinator, **{**slot_args, "mentor": ta})
    assert "is Robin's teaching assistant" in message


def test_refused_beyond_the_mentors_hours(
    case, coordinator, other_mentor, slot_args, school, consent
):
    # other_mentor has 3 hours a week, all of them already booked on Thursdays.
    other = CaseFactory(pupil=PupilFactory(school=school))
    consent(other)
    services.allocate(
        case=other,
        user=coordinator,
        **{**slot_args, "mentor": other_mentor, "weekday": 3, "duration": 180},
    )
    message = refused(case=case, user=coordinator, **{**slot_args, "mentor": other_mentor})
    assert (
        "Milo Staffperson has 3 hours a week for mentoring and no time left; "
        "this slot needs 30 minutes." in message
    )


def test_the_hours_left_are_exact_not_rounded(
    case, coordinator, mentor, slot_args, school, consent
):
    # Mina has 6 hours a week; 5 hours 15 minutes are booked on Mondays and Wednesdays.
    for weekday, minutes in [(0, 180), (2, 135)]:
        other = CaseFactory(pupil=PupilFactory(school=school))
        consent(other)
        services.allocate(
            case=other, user=coordinator, **{**slot_args, "weekday": weekday, "duration": minutes}
        )
    message = refused(case=case, user=coordinator, **{**slot_args, "duration": 60})
    assert (
        "Mina Staffperson has 6 hours a week for mentoring and 45 minutes left; "
        "this slot needs 1 hour." in message
    )
    assert "0.8" not in message


@pytest.mark.parametrize(
    "starts_at, duration, said",
    [
        (dt.time(23, 30), 45, "45 minutes from 23:30 do not."),  # would end past midnight
        (dt.time(7, 30), 30, "30 minutes from 07:30 do not."),
        (dt.time(17, 45), 30, "30 minutes from 17:45 do not."),
    ],
)
def test_a_slot_must_fall_within_the_school_day(
    case, coordinator, slot_args, starts_at, duration, said
):
    with pytest.raises(ValidationError) as caught:
        services.allocate(
            case=case,
            user=coordinator,
            **{**slot_args, "starts_at": starts_at, "duration": duration},
        )
    assert caught.value.message_dict["starts_at"] == [
        f"Sessions must fall within the school day, 08:00 to 18:00: {said}"
    ]
    assert not Slot.objects.exists()


def test_a_slot_may_fill_the_school_day_to_its_last_minute(case, coordinator, slot_args):
    slot = services.allocate(
        case=case, user=coordinator, **{**slot_args, "starts_at": dt.time(17, 0), "duration": 60}
    ).slot
    assert slot.time_range == "17:00-18:00"


def test_refused_in_a_corridor(case, coordinator, corridor, slot_args):
    message = refused(case=case, user=coordinator, **{**slot_args, "room": corridor})
    assert "Corridor by the hall is not suitable for one-to-one work" in message


def test_refused_for_a_double_booked_mentor(
    case, coordinator, school, slot_args, consent, school_class
):
    other = CaseFactory(
        pupil=PupilFactory(school=school, school_class=school_class, legal_first_name="Kai")
    )
    consent(other)
    from ..factories import RoomFactory

    services.allocate(
        case=other,
        user=coordinator,
        **{**slot_args, "room": RoomFactory(school=school, name="Nurture Room")},
    )
    message = refused(case=case, user=coordinator, **{**slot_args, "starts_at": dt.time(10, 45)})
    assert "Mina Staffperson is booked Tuesdays 10:30-11:00 for Kai Testchild." in message


def test_refused_for_a_double_booked_room(
    case, coordinator, other_mentor, school, slot_args, consent
):
    other = CaseFactory(pupil=PupilFactory(school=school))
    consent(other)
    services.allocate(case=other, user=coordinator, **{**slot_args, "mentor": other_mentor})
    message = refused(case=case, user=coordinator, **slot_args)
    assert "Learning Mentor Room is booked Tuesdays 10:30-11:00 for" in message


def test_a_clash_does_not_name_a_pupil_the_user_cannot_see(
    case, mentor, other_mentor, school, slot_args, consent, coordinator
):
    other = CaseFactory(pupil=PupilFactory(school=school, legal_first_name="Hidden"))
    consent(other)
    services.allocate(case=other, user=coordinator, **{**slot_args, "mentor": other_mentor})
    with pytest.raises(ValidationError) as caught:
        services.check_slot(
            school=school,
            mentor=mentor,
            room=slot_args["room"],
            weekday=1,
            starts_at=dt.time(10, 30),
            duration=30,
            first=dt.date(2026, 9, 8),
            last=dt.date(2026, 10, 13),
            user=mentor,
        )
    message = " ".join(caught.value.messages)
    assert "booked Tuesdays 10:30-11:00 for another pupil" in message
    assert "Hidden" not in message


def test_refused_without_consent(pupil, autumn, coordinator, slot_args):
    case = CaseFactory(pupil=pupil)
    message = refused(case=case, user=coordinator, **slot_args)
    assert "Parental consent is not in force for Robin" in message
    assert not Allocation.objects.exists()


def test_a_small_group_shares_a_slot_up_to_the_limit(case, coordinator, school, slot_args, consent):
    first = services.allocate(case=case, user=coordinator, **slot_args)
    school.group_size_limit = 2
    school.save()
    second = CaseFactory(pupil=PupilFactory(school=school))
    consent(second)
    services.join_group(
        case=second, slot=first.slot, user=coordinator, starts_on=dt.date(2026, 9, 8)
    )
    third = CaseFactory(pupil=PupilFactory(school=school))
    consent(third)
    with pytest.raises(ValidationError, match="The group is full"):
        services.join_group(
            case=third, slot=first.slot, user=coordinator, starts_on=dt.date(2026, 9, 8)
        )


def test_changing_the_slot_keeps_the_reason_in_its_history(case, coordinator, slot_args):
    slot = services.allocate(case=case, user=coordinator, **slot_args).slot
    services.slot_change(
        slot=slot, user=coordinator, reason="Swimming moved to Tuesdays", weekday=3
    )
    latest = slot.history.first()
    assert latest.weekday == 3 and latest.history_change_reason == "Swimming moved to Tuesdays"
    assert latest.history_user == coordinator
