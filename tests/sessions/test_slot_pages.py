"""The allocation and slot pages: refusals next to the field they concern, shown once, and
only the small groups a case can really join on offer."""

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews.closure import case_close
from sessions import services
from sessions.models import Allocation, Slot

from ..clock import freeze_today
from ..factories import CaseFactory, PupilFactory, RoomFactory
from ..pages import mentions
from .slot_form import form_data

pytestmark = pytest.mark.django_db
LATE = "Sessions must fall within the school day, 08:00 to 18:00: 45 minutes from 23:30 do not."


@pytest.fixture
def case(pupil, autumn, consent):
    case = CaseFactory(pupil=pupil)
    consent(case)
    return case


@pytest.fixture
def another_case(school, autumn, consent):
    def make(name="Kai"):
        case = CaseFactory(pupil=PupilFactory(school=school, legal_first_name=name))
        consent(case)
        return case

    return make


def errors_by(page, field):
    """The messages shown next to a field (crispy's error paragraphs for it)."""
    found = re.findall(rf'id="error_\d+_id_{field}"><strong>(.*?)</strong>', page)
    return [html.unescape(m) for m in found]


def test_the_allocation_form_asks_for_a_mentor_a_room_and_a_day_in_words(
    client_for, coordinator, case
):
    page = client_for(coordinator).get(reverse("allocate", args=[case.pk])).content.decode()
    for words in ("Choose a mentor", "Choose a room", "Choose a day", "Choose a slot"):
        assert f'<option value="" selected>{words}</option>' in page
    assert "---------" not in page


def test_the_allocation_page_lists_the_slots_already_booked_without_naming_pupils(
    client_for, coordinator, case, kai, monkeypatch
):
    freeze_today(monkeypatch, dt.date(2026, 9, 1))
    booked = kai(weekday=3, starts_at=dt.time(13, 30))
    page = client_for(coordinator).get(reverse("allocate", args=[case.pk])).content.decode()
    row = re.search(r"<tr><td>Thursday</td>.*?</tr>", page).group(0)
    for words in ("13:30-14:00", "Mina Staffperson", "Nurture Room", "15 Oct 2026"):
        assert words in row
    assert not mentions(page, "Kai")
    # A slot stopped before today is free again, and no longer listed.
    booked.ended_on = dt.date(2026, 8, 31)
    booked.save()
    page = client_for(coordinator).get(reverse("allocate", args=[case.pk])).content.decode()
    assert "No weekly slot is booked yet at this school." in page


def test_a_case_booked_before_its_first_session_says_none_is_due_yet(
    client_for, coordinator, case, slot_args, monkeypatch
):
    freeze_today(monkeypatch, dt.date(2026, 9, 1))
    services.allocate(case=case, user=coordinator, **slot_args)
    page = client_for(coordinator).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "No session is due yet." in page
    assert "0 of 0" not in page


# --- B: a slot within the school day ------------------------------------------------------------


def test_allocating_at_half_past_eleven_at_night_is_refused_by_the_start_time(
    client_for, coordinator, case, slot_args
):
    data = form_data(slot_args, starts_at=dt.time(23, 30), duration=45)
    response = client_for(coordinator).post(reverse("allocate", args=[case.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert errors_by(page, "starts_at") == [LATE]
    assert not Slot.objects.exists()
    assert 'value="23:30"' in page  # what was typed is still there


def test_changing_a_slot_to_half_past_eleven_at_night_is_refused_by_the_start_time(
    client_for, coordinator, case, slot_args
):
    slot = services.allocate(case=case, user=coordinator, **slot_args).slot
    data = form_data(slot_args, starts_at=dt.time(23, 30), duration=45)
    data["reason"] = "Swimming"
    del data["block_starts_on"]
    response = client_for(coordinator).post(reverse("slot_change", args=[slot.pk]), data)
    page = response.content.decode()
    assert errors_by(page, "starts_at") == [LATE]
    slot.refresh_from_db()
    assert slot.time_range == "10:30-11:00"
    assert slot.history.count() == 1
    assert 'value="23:30"' in page


# --- C: only the small groups a case can join ---------------------------------------------------


def test_only_joinable_groups_are_offered(
    client_for, monkeypatch, coordinator, mentor, other_mentor, school, case, another_case,
    slot_args,
):  # fmt: skip
    freeze_today(monkeypatch, dt.date(2026, 10, 19))
    other_mentor.memberships.update(mentoring_hours=10)
    mentor.memberships.update(mentoring_hours=10)
    school.group_size_limit = 2
    school.save()

    def allocate(case, **changes):
        room = RoomFactory(school=school)
        return services.allocate(
            case=case, user=coordinator, **{**slot_args, "room": room, **changes}
        ).slot

    running = allocate(another_case("Ada"), block_starts_on=dt.date(2026, 10, 5))
    ended = allocate(another_case("Ben"), weekday=2, block_weeks=2)  # ended 16 Sep
    # Closed after its block's end: the slot is not stopped, but nobody is left in it.
    closed = another_case("Cal")
    of_closed = allocate(closed, weekday=3, mentor=other_mentor)
    case_close(case=closed, user=coordinator, reason="targets_met", closed_on=dt.date(2026, 10, 19))
    full = allocate(another_case("Dee"), weekday=4, block_starts_on=dt.date(2026, 10, 5))
    services.join_group(case=another_case("Eve"), slot=full, user=coordinator)
    assert Slot.objects.get(pk=of_closed.pk).ended_on is None

    response = client_for(coordinator).get(reverse("allocate", args=[case.pk]))
    assert list(response.context["group_form"].fields["slot"].queryset) == [running]
    choices = re.search(r'<select name="slot".*?</select>', response.content.decode(), re.S)
    assert f'<option value="{running.pk}">' in choices.group(0)
    for unjoinable in (ended, of_closed, full):
        assert f'<option value="{unjoinable.pk}">' not in choices.group(0)


def test_a_slot_whose_block_has_ended_cannot_be_joined(
    monkeypatch, coordinator, case, another_case, slot_args
):
    slot = services.allocate(case=another_case(), user=coordinator, **slot_args).slot
    freeze_today(monkeypatch, dt.date(2026, 10, 19))
    with pytest.raises(ValidationError, match="That slot's block has ended."):
        services.join_group(case=case, slot=slot, user=coordinator)
    assert not Allocation.objects.filter(case=case).exists()


# --- E: a whole-form refusal is shown once, announced -------------------------------------------


def announced_once(page, message):
    assert page.count(html.escape(message)) == 1, page
    alert = re.search(r'<div class="alert alert-danger" role="alert">(.*?)</div>', page, re.S)
    assert alert and html.escape(message) in alert.group(1)


def test_an_allocation_refusal_is_shown_once(
    client_for, coordinator, case, another_case, school, slot_args
):
    services.allocate(
        case=another_case(), user=coordinator, **{**slot_args, "room": RoomFactory(school=school)}
    )
    response = client_for(coordinator).post(
        reverse("allocate", args=[case.pk]), form_data(slot_args)
    )
    announced_once(
        response.content.decode(),
        "Mina Staffperson is booked Tuesdays 10:30-11:00 for Kai Testchild.",
    )


def test_a_join_group_refusal_is_shown_once(
    client_for, monkeypatch, coordinator, pupil, another_case, slot_args
):
    freeze_today(monkeypatch, dt.date(2026, 9, 14))
    slot = services.allocate(case=another_case(), user=coordinator, **slot_args).slot
    no_consent = CaseFactory(pupil=pupil)
    response = client_for(coordinator).post(
        reverse("allocate", args=[no_consent.pk]), {"join": "", "slot": slot.pk}
    )
    page = response.content.decode()
    assert "Parental consent is not in force for Robin" in page
    message = re.search(r"Parental consent is not in force for Robin[^<]*", page).group(0)
    announced_once(page, html.unescape(message))


def test_a_slot_change_refusal_is_shown_once(
    client_for, coordinator, case, another_case, other_mentor, slot_args
):
    slot = services.allocate(case=case, user=coordinator, **slot_args).slot
    services.allocate(
        case=another_case(), user=coordinator, **{**slot_args, "mentor": other_mentor, "weekday": 3}
    )
    data = {**form_data(slot_args, weekday=3), "reason": "Swimming"}
    del data["block_starts_on"]
    response = client_for(coordinator).post(reverse("slot_change", args=[slot.pk]), data)
    announced_once(
        response.content.decode(),
        "Learning Mentor Room is booked Thursdays 10:30-11:00 for Kai Testchild.",
    )
