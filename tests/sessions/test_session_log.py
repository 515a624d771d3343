"""The log page: a record saved meanwhile, days that can never be logged, and what a held
session keeps."""

import datetime as dt
import html

import pytest
from django.urls import reverse

from mentoring.models import Case
from sessions import services
from sessions.models import SessionRecord

from ..clock import freeze_today
from ..factories import CaseFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)  # a Tuesday, after the block and half-term


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    freeze_today(monkeypatch, TODAY)


def log_url(case, day):
    return reverse("session_log", args=[case.pk, day.isoformat()])


def test_a_record_saved_meanwhile_keeps_what_was_typed_in_the_other_tab(
    client_for, allocated, mentor
):
    case, day = allocated.case, dt.date(2026, 9, 8)
    client = client_for(mentor)
    assert 'name="attendance"' in client.get(log_url(case, day)).content.decode()  # tab B opens
    saved = services.session_record_save(  # tab A saves first
        record=SessionRecord(case=case, slot=allocated.slot, date=day, attendance="pupil_absent"),
        user=mentor,
    )
    typed = {"attendance": "held", "what_was_done": "Worry monsters and a card game"}
    response = client.post(log_url(case, day), typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert services.ALREADY_RECORDED in page
    assert "saved meanwhile by" in page
    assert f'href="{reverse("session_record", args=[saved.pk])}"' in page
    assert "Worry monsters and a card game" in page
    assert SessionRecord.objects.get().attendance == "pupil_absent"
    # Opened afresh, the page goes to the saved record.
    assert client.get(log_url(case, day)).url == reverse("session_record", args=[saved.pk])


CLOSED = "This case is closed; its records can no longer change."
NO_SESSION = "There is no session of this pupil's slot on that date."


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (dt.date(2026, 12, 1), "A session cannot be logged before it happens."),
        (dt.date(2026, 9, 9), NO_SESSION),  # a Wednesday
        (dt.date(2026, 10, 27), NO_SESSION),  # a Tuesday after the block, in half-term
    ],
)
def test_a_day_that_cannot_be_logged_is_refused_before_anything_is_typed(
    client_for, allocated, mentor, day, reason
):
    response = client_for(mentor).get(log_url(allocated.case, day))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "No session can be logged for this day." in page and reason in page
    assert 'name="attendance"' not in page
    assert f'href="{reverse("my_week")}"' in page
    assert reverse("case_detail", args=[allocated.case.pk]) in page


def test_a_day_before_consent_or_of_a_closed_case_is_refused_on_opening(
    client_for, school, autumn, consent, coordinator, mentor, slot_args
):
    case = CaseFactory(pupil__school=school, opened_on=dt.date(2026, 9, 1))
    consent(case, on=dt.date(2026, 9, 14))
    services.allocate(
        case=case, user=coordinator, **{**slot_args, "block_starts_on": dt.date(2026, 9, 14)}
    )
    client = client_for(mentor)
    page = client.get(log_url(case, dt.date(2026, 9, 8))).content.decode()
    assert "Parental consent is not in force on 08/09/2026" in page
    assert 'name="attendance"' not in page
    assert 'name="attendance"' in client.get(log_url(case, dt.date(2026, 9, 15))).content.decode()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    page = client.get(log_url(case, dt.date(2026, 9, 15))).content.decode()
    assert CLOSED in page and 'name="attendance"' not in page


def test_a_held_session_keeps_no_reason_for_not_happening(client_for, allocated, mentor):
    client = client_for(mentor)
    typed = {
        "attendance": "held",
        "cancel_reason": "Pupil was at a dentist appointment",
        "what_was_done": "Feelings cards",
    }
    assert client.post(log_url(allocated.case, dt.date(2026, 9, 8)), typed).status_code == 302
    record = SessionRecord.objects.get()
    assert record.cancel_reason == ""
    page = client.get(reverse("session_record", args=[record.pk])).content.decode()
    assert "dentist" not in page.split("Change the record")[0]
    # A cancelled session changed to held loses its reason too.
    cancelled = services.session_record_save(
        record=SessionRecord(
            case=allocated.case,
            slot=allocated.slot,
            date=dt.date(2026, 9, 15),
            attendance="cancelled",
            cancel_reason="Class trip",
        ),
        user=mentor,
    )
    cancelled.attendance = "held"
    services.session_record_save(record=cancelled, user=mentor)
    cancelled.refresh_from_db()
    assert cancelled.cancel_reason == ""


def test_a_record_without_attendance_or_a_cancelled_one_without_reason_says_what_to_do(
    client_for, allocated, mentor
):
    client = client_for(mentor)
    url = log_url(allocated.case, dt.date(2026, 9, 8))
    page = client.get(url).content.decode()
    assert "Needed when the session was cancelled." in page

    typed = {"what_was_done": "Feelings cards"}
    page = client.post(url, typed).content.decode()
    assert "Say whether the session was held." in page
    assert "Feelings cards" in page  # nothing typed is lost
    page = client.post(url, {**typed, "attendance": "cancelled"}).content.decode()
    assert "Say why the session was cancelled." in page
    assert not SessionRecord.objects.exists()
