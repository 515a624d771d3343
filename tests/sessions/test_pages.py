"""My week, adherence and the calendar feed: content, cost and who may see them."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions import services
from sessions.models import CalendarFeed, SessionRecord

from ..clock import freeze_today
from ..factories import CaseFactory, PupilFactory, RoomFactory
from ..pages import mentions

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def frozen_today(monkeypatch):
    """The pages think it is Monday 23 November 2026."""
    return freeze_today(monkeypatch, TODAY)


@pytest.fixture
def add_cases(school, autumn, consent, coordinator, mentor):
    """Allocate ``n`` more pupils to ``mentor``, each in a room of their own, with records."""
    mentor.memberships.update(mentoring_hours=40)
    made = []

    def add(n):
        for _ in range(n):
            i = len(made)
            case = CaseFactory(pupil=PupilFactory(school=school))
            consent(case)
            allocation = services.allocate(
                case=case,
                user=coordinator,
                mentor=mentor,
                room=RoomFactory(school=school),
                weekday=i % 5,
                starts_at=dt.time(9 + (i // 5) % 8, 0 if i < 40 else 30),
                duration=30,
                block_starts_on=dt.date(2026, 10, 5),
                block_weeks=8,
            )
            first = min(services.expected_dates(case, allocation.slot))
            services.session_record_save(
                record=SessionRecord(
                    case=case, slot=allocation.slot, date=first, what_was_done="Games"
                ),
                user=mentor,
                today=TODAY,
            )
            made.append(allocation)
        return made

    return add


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("page", ["my_week", "adherence", "home"])
def test_pages_cost_the_same_for_3_and_30_cases(
    client_for, mentor, coordinator, add_cases, frozen_today, page
):
    client = client_for(coordinator if page == "adherence" else mentor)
    add_cases(3)
    few, _ = count(client, reverse(page))
    add_cases(27)
    many, _ = count(client, reverse(page))
    assert few == many, f"{page}: {few} queries for 3 cases, {many} for 30"


def test_my_week_shows_this_weeks_sessions_and_overdue_ones(
    client_for, mentor, add_cases, frozen_today
):
    add_cases(5)
    _, page = count(client_for(mentor), reverse("my_week"))
    assert "23 Nov to 27 Nov 2026" in page
    this_week = page.split('id="this-week"')[1]
    assert this_week.count("session session-") == 5
    earlier = page.split('id="to-log"')[1].split('id="this-week"')[0]
    assert "Overdue" in earlier
    assert re.search(r"Log session<span[^>]*> for .*?, 16 Nov</span>", page)


def test_adherence_shows_held_against_expected_with_reasons(
    client_for, coordinator, add_cases, frozen_today
):
    add_cases(2)
    _, page = count(client_for(coordinator), reverse("adherence"))
    # Two cases since 5 Oct on their weekdays, up to today: one held each, the rest unrecorded.
    assert "<strong>2 of " in page
    assert "Not recorded yet" in page


def test_the_mentors_feed_shows_initials_only_and_stops_when_revoked(
    client, client_for, mentor, other_mentor, add_cases, frozen_today
):
    allocation = add_cases(1)[0]
    pupil = allocation.case.pupil
    client_for(mentor).post(reverse("calendar_feeds"))
    feed = CalendarFeed.objects.get(mentor=mentor)
    body = client.get(reverse("calendar_feed", args=[feed.token])).content.decode()
    assert "BEGIN:VEVENT" in body and f"Mentoring: {pupil.initials}" in body
    assert pupil.legal_last_name not in body and not mentions(body, pupil.first_name)
    # Another mentor's link never shows this mentor's pupils.
    client_for(other_mentor).post(reverse("calendar_feeds"))
    theirs = CalendarFeed.objects.get(mentor=other_mentor)
    assert (
        "VEVENT" not in client.get(reverse("calendar_feed", args=[theirs.token])).content.decode()
    )
    client_for(mentor).post(reverse("calendar_feed_revoke", args=[feed.pk]))
    assert client.get(reverse("calendar_feed", args=[feed.token])).status_code == 404
    assert client.get(reverse("calendar_feed", args=["not-a-token"])).status_code == 404
