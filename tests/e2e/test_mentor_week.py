"""The second journey, by keyboard, at desktop and tablet size: a mentor logs this week's
session."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentoring.models import Role, Term
from referrals.models import ConsentRecord
from sessions import services

from ..factories import (
    DEMO_PASSWORD,
    CaseFactory,
    PupilFactory,
    RoomFactory,
    SchoolFactory,
    TermFactory,
    staff,
)
from .sizes import at_both_sizes

pytestmark = at_both_sizes


@pytest.fixture
def mentor_with_a_slot():
    """A slot on today's weekday (Friday at weekends), three weeks into its block."""
    today = timezone.localdate()
    day = today - dt.timedelta(days=max(0, today.weekday() - 4))
    school = SchoolFactory(name="Testwood Primary School")
    TermFactory(
        academic_year__school=school,
        name=Term.Name.AUTUMN,
        starts_on=day - dt.timedelta(days=60),
        half_term_starts_on=day + dt.timedelta(days=40),
        half_term_ends_on=day + dt.timedelta(days=44),
        ends_on=day + dt.timedelta(days=70),
    )
    coordinator = staff(school, Role.COORDINATOR, username="coordinator")
    mentor = staff(school, Role.MENTOR, username="mentor", first_name="Mina", hours=6)
    case = CaseFactory(pupil=PupilFactory(school=school, legal_first_name="Robin"))
    ConsentRecord.objects.create(
        case=case,
        decision="given",
        given_by="Pat Testparent",
        relationship="Mother",
        method="slip",
        decided_on=day - dt.timedelta(days=30),
        recorded_by=coordinator,
    )
    services.allocate(
        case=case,
        user=coordinator,
        mentor=mentor,
        room=RoomFactory(school=school, name="Room 4"),
        weekday=day.weekday(),
        starts_at=dt.time(10, 30),
        duration=30,
        block_starts_on=day - dt.timedelta(days=21),
        block_weeks=6,
    )
    return day


def tab_to(page, locator, limit=80):
    """Press Tab until ``locator`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError("could not reach the element with the Tab key")


def test_mentor_logs_a_held_session_in_three_keyboard_steps(
    live_server, viewport, sign_in, mentor_with_a_slot
):
    page = sign_in("mentor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/my-week/")
    earlier = page.locator("#to-log").locator("xpath=..")
    expect(earlier.get_by_text("Overdue").first).to_be_visible()

    this_week = page.locator("#this-week").locator("xpath=..")
    log = this_week.get_by_role("link", name="Log session")
    # 1: reach "Log session" and open it.
    tab_to(page, log.first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Robin Testchild")).to_be_visible()
    expect(page.get_by_role("radio", name="Held")).to_be_checked()
    # 2: choose how Robin says he feels ("Happy").
    happy = page.get_by_role("radio", name="Happy", exact=True)
    tab_to(page, page.locator("input[name=pupil_feeling]").first)
    for _ in range(3):  # from "Very sad" along to "Happy"
        page.keyboard.press("ArrowRight")
    expect(happy).to_be_checked()
    # 3: save.
    save = page.get_by_role("button", name="Save the record")
    tab_to(page, save)
    page.keyboard.press("Enter")

    expect(page.get_by_text("recorded for Robin")).to_be_visible()
    card = page.locator("#this-week").locator("xpath=..").locator("li.session").first
    expect(card).to_contain_text("Held")
    assert page.viewport_size == viewport


def test_hide_screen_blanks_the_page_and_brings_it_back(live_server, sign_in, mentor_with_a_slot):
    page = sign_in("mentor", DEMO_PASSWORD)
    page.keyboard.press("Alt+Shift+H")
    expect(page.locator("#screen-cover")).to_be_visible()
    expect(page.locator("#page")).to_be_hidden()
    expect(page.get_by_role("button", name="Show the screen")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#page")).to_be_visible()
    page.get_by_role("button", name="Hide screen").click()
    expect(page.locator("#page")).to_be_hidden()
