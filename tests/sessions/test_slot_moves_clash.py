"""A new or changed weekly slot against the sessions moved for one week: refused on top of a
session moved onto its day (the mentor's or the room's), and free where another slot's only
shared session was moved away."""

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sessions import services
from sessions.models import Allocation, Slot

from ..factories import CaseFactory, RoomFactory
from .slot_form import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(pupil, autumn, consent):
    case = CaseFactory(pupil=pupil)
    consent(case)
    return case


def move(slot, user, original_date, moved_to):
    return services.session_move(
        slot=slot,
        user=user,
        original_date=original_date,
        moved_to=dt.datetime.fromisoformat(moved_to),
        reason="Class trip",
    )


def alert(page):
    """The messages at the top of the form (the refusals of the whole slot)."""
    found = re.search(r'<div class="alert alert-danger" role="alert">(.*?)</div>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))) if found else ""


def allocate(client, case, data):
    response = client.post(reverse("allocate", args=[case.pk]), data)
    return response.status_code, response.content.decode()


def test_refused_on_top_of_the_mentors_moved_session(client_for, coordinator, case, kai, slot_args):
    thursday = kai(weekday=3)
    move(thursday, coordinator, dt.date(2026, 9, 17), "2026-09-15T10:15+01:00")
    status, page = allocate(client_for(coordinator), case, form_data(slot_args))
    assert status == 200
    message = (
        "Mina Staffperson is booked on Tuesday 15 September 10:15-10:45 for Kai Testchild "
        "(a session moved for that week)."
    )
    assert message in alert(page)
    assert page.count(html.escape(message)) == 1
    assert list(Slot.objects.all()) == [thursday]
    assert not Allocation.objects.filter(case=case).exists()


def test_refused_on_top_of_a_session_moved_into_the_room(
    client_for, coordinator, case, kai, room, other_mentor, slot_args
):
    thursday = kai(weekday=3, mentor=other_mentor, room=room)
    move(thursday, coordinator, dt.date(2026, 10, 8), "2026-10-06T10:45+01:00")
    status, page = allocate(client_for(coordinator), case, form_data(slot_args))
    assert status == 200
    assert (
        "Learning Mentor Room is booked on Tuesday 6 October 10:45-11:15 for Kai Testchild "
        "(a session moved for that week)."
    ) in alert(page)
    assert "Mina Staffperson" not in alert(page)
    assert list(Slot.objects.all()) == [thursday]


def test_changing_a_slot_onto_a_moved_session_is_refused(
    client_for, coordinator, case, kai, slot_args
):
    slot = services.allocate(case=case, user=coordinator, **slot_args).slot
    monday = kai(weekday=0)
    move(monday, coordinator, dt.date(2026, 9, 21), "2026-09-23T13:00+01:00")
    data = {**form_data(slot_args, weekday=2, starts_at=dt.time(13, 15)), "reason": "Swimming"}
    del data["block_starts_on"]
    response = client_for(coordinator).post(reverse("slot_change", args=[slot.pk]), data)
    assert response.status_code == 200
    assert (
        "Mina Staffperson is booked on Wednesday 23 September 13:00-13:30 for Kai Testchild "
        "(a session moved for that week)."
    ) in alert(response.content.decode())
    slot.refresh_from_db()
    assert (slot.weekday, slot.time_range) == (1, "10:30-11:00")
    assert slot.history.count() == 1


def test_a_session_moved_onto_the_day_outside_the_block_does_not_clash(
    client_for, coordinator, case, kai, slot_args
):
    thursday = kai(weekday=3)
    move(thursday, coordinator, dt.date(2026, 9, 10), "2026-09-08T10:30+01:00")
    data = form_data(slot_args, block_starts_on=dt.date(2026, 9, 14))
    status, page = allocate(client_for(coordinator), case, data)
    assert status == 302, alert(page)
    assert Allocation.objects.filter(case=case).exists()


def test_a_slot_whose_only_shared_session_moved_away_leaves_the_time_free(
    client_for, coordinator, case, kai, slot_args
):
    one_week = kai(block_weeks=1)  # Tuesday 8 September only
    status, page = allocate(client_for(coordinator), case, form_data(slot_args))
    assert "Mina Staffperson is booked Tuesdays 10:30-11:00 for Kai Testchild." in alert(page)

    move(one_week, coordinator, dt.date(2026, 9, 8), "2026-09-09T10:30+01:00")
    status, page = allocate(client_for(coordinator), case, form_data(slot_args))
    assert status == 302, alert(page)
    assert Allocation.objects.filter(case=case).exists()


def test_a_slot_moved_away_the_same_day_still_holds_its_new_time(
    client_for, coordinator, case, kai, slot_args
):
    one_week = kai(block_weeks=1)
    move(one_week, coordinator, dt.date(2026, 9, 8), "2026-09-08T14:00+01:00")
    data = form_data(slot_args, starts_at=dt.time(14, 15))
    status, page = allocate(client_for(coordinator), case, data)
    assert (
        "Mina Staffperson is booked on Tuesday 8 September 14:00-14:30 for Kai Testchild "
        "(a session moved for that week)."
    ) in alert(page)
    assert not Allocation.objects.filter(case=case).exists()


def test_a_slots_own_moved_session_does_not_clash_with_its_change(
    client_for, coordinator, case, slot_args
):
    slot = services.allocate(case=case, user=coordinator, **slot_args).slot
    move(slot, coordinator, dt.date(2026, 9, 15), "2026-09-16T13:00+01:00")
    data = {**form_data(slot_args, weekday=2, starts_at=dt.time(13, 0)), "reason": "Swimming"}
    del data["block_starts_on"]
    response = client_for(coordinator).post(reverse("slot_change", args=[slot.pk]), data)
    assert response.status_code == 302, alert(response.content.decode())
    slot.refresh_from_db()
    assert (slot.weekday, slot.time_range) == (2, "13:00-13:30")


def test_the_default_dates_fall_on_the_slots_weekday_whatever_day_the_block_starts(
    school, coordinator, kai, slot_args
):
    """Without ``dates``, check_slot takes the slot's weekday in every week from ``first``: a
    block that starts on a Monday still meets the session moved onto its first Tuesday."""
    thursday = kai(weekday=3)
    move(thursday, coordinator, dt.date(2026, 9, 17), "2026-09-15T10:15+01:00")
    with pytest.raises(ValidationError) as caught:
        services.check_slot(
            school=school,
            mentor=slot_args["mentor"],
            room=RoomFactory(school=school, name="Quiet Room"),
            weekday=1,
            starts_at=dt.time(10, 30),
            duration=30,
            first=dt.date(2026, 9, 14),  # a Monday
            last=dt.date(2026, 9, 21),
            user=coordinator,
        )
    assert "is booked on Tuesday 15 September 10:15-10:45" in " ".join(caught.value.messages)


def test_a_move_of_a_stopped_slots_week_does_not_block_another_move(
    school, coordinator, kai, case, slot_args
):
    """A slot stopped before the week it moved holds no session then: the time is free, as
    it is for a new slot."""
    thursday = kai(weekday=3)
    move(thursday, coordinator, dt.date(2026, 9, 17), "2026-09-15T14:00+01:00")
    Slot.objects.filter(pk=thursday.pk).update(ended_on=dt.date(2026, 9, 16))
    tuesday = services.allocate(case=case, user=coordinator, **slot_args).slot
    moved = move(tuesday, coordinator, dt.date(2026, 9, 15), "2026-09-15T14:00+01:00")
    assert moved.slot == tuesday
