"""Moving one week's session: onto a school day, within its hours, with the mentor and the
room free (the slots' clash rules); the case page shows where it went."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from sessions import services
from sessions.models import SessionMove

from ..clock import freeze_today
from ..factories import CaseFactory

pytestmark = pytest.mark.django_db
TUESDAY = dt.date(2026, 9, 15)  # a session of the slot (Tuesdays 10:30-11:00)


@pytest.fixture
def slot(pupil, autumn, consent, coordinator, slot_args):
    case = CaseFactory(pupil=pupil)
    consent(case)
    return services.allocate(case=case, user=coordinator, **slot_args).slot


def move(client, slot, moved_to, day=TUESDAY):
    url = reverse("session_move", args=[slot.pk, day.isoformat()])
    response = client.post(url, {"moved_to": moved_to, "reason": "Class trip"})
    return response.status_code, response.content.decode()


def errors_by(page, field):
    found = re.findall(rf'id="error_\d+_id_{field}"><strong>(.*?)</strong>', page)
    return [html.unescape(m) for m in found]


def test_refused_onto_a_time_the_mentor_has_another_pupil(client_for, mentor, slot, kai):
    kai(weekday=2, starts_at=dt.time(10, 15))
    status, page = move(client_for(mentor), slot, "2026-09-16T10:30")
    assert errors_by(page, "moved_to") == [
        "Mina Staffperson is booked Wednesdays 10:15-10:45 for Kai Testchild."
    ]
    assert not SessionMove.objects.exists()
    assert 'value="2026-09-16T10:30"' in page  # what was typed is still there


def test_refused_onto_a_time_the_room_is_booked(client_for, mentor, slot, kai, room, other_mentor):
    kai(weekday=2, mentor=other_mentor, room=room)
    status, page = move(client_for(mentor), slot, "2026-09-16T10:45")
    assert errors_by(page, "moved_to") == [
        "Learning Mentor Room is booked Wednesdays 10:30-11:00 for another pupil."
    ]
    assert not SessionMove.objects.exists()


def test_refused_on_a_saturday_night(client_for, mentor, slot):
    status, page = move(client_for(mentor), slot, "2026-09-19T22:00")
    assert errors_by(page, "moved_to") == [
        "Saturday 19 September is not a school day: choose a day in term time."
    ]
    assert not SessionMove.objects.exists()


def test_refused_in_the_next_week(client_for, mentor, slot):
    """Six days on is still refused when it is another week: the register counts weeks."""
    status, page = move(client_for(mentor), slot, "2026-09-21T10:30")
    assert errors_by(page, "moved_to") == [
        "A session can move within its own week only (the week of Monday 14 September)."
    ]
    assert not SessionMove.objects.exists()


def test_refused_on_a_closure_day(client_for, mentor, kai):
    november = kai(mentor=mentor, block_starts_on=dt.date(2026, 11, 2), block_weeks=2)
    status, page = move(client_for(mentor), november, "2026-11-02T10:30", day=dt.date(2026, 11, 3))
    assert errors_by(page, "moved_to") == [
        "Monday 2 November is not a school day: choose a day in term time."
    ]


@pytest.mark.parametrize("moved_to", ["2026-09-16T07:45", "2026-09-16T17:45", "2026-09-16T23:50"])
def test_refused_outside_the_school_day(client_for, mentor, slot, moved_to):
    status, page = move(client_for(mentor), slot, moved_to)
    [message] = errors_by(page, "moved_to")
    assert message.startswith("Sessions must fall within the school day, 08:00 to 18:00:")
    assert not SessionMove.objects.exists()


def test_refused_onto_another_session_moved_to_that_day(client_for, coordinator, mentor, slot, kai):
    thursday = kai(weekday=3)
    services.session_move(
        slot=thursday,
        user=coordinator,
        original_date=dt.date(2026, 9, 17),
        moved_to=dt.datetime.fromisoformat("2026-09-16T13:00+01:00"),
        reason="Assembly",
    )
    status, page = move(client_for(mentor), slot, "2026-09-16T13:15")
    assert errors_by(page, "moved_to") == [
        "Mina Staffperson is booked on Wednesday 16 September 13:00-13:30 for Kai Testchild."
    ]


def test_a_session_moved_away_frees_its_time(client_for, coordinator, mentor, slot, kai):
    wednesday = kai(weekday=2)
    services.session_move(
        slot=wednesday,
        user=coordinator,
        original_date=dt.date(2026, 9, 16),
        moved_to=dt.datetime.fromisoformat("2026-09-17T13:00+01:00"),
        reason="Assembly",
    )
    status, page = move(client_for(mentor), slot, "2026-09-16T10:30")
    assert status == 302
    saved = SessionMove.objects.get(slot=slot)
    assert saved.history.first().history_user == mentor


def test_the_case_page_shows_the_moved_session(client_for, monkeypatch, coordinator, mentor, slot):
    freeze_today(monkeypatch, dt.date(2026, 9, 14))
    status, _ = move(client_for(mentor), slot, "2026-09-16T13:00")
    assert status == 302
    case = slot.allocations.get().case
    page = client_for(coordinator).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Next session: <strong>Wed 16 Sep, 13:00</strong> (moved from Tue 15 Sep)." in page
