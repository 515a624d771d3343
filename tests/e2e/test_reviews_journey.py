"""The third journey: a case's evaluation from baseline to exit.

The mentor records a baseline staff rating and SMART targets, notes progress with two
sessions and prepares the termly review; the class teacher adds their view (without seeing
the session notes); the coordinator decides to continue; the exit rating then shows, item by
item, what changed since entry.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentoring.models import ClassStaff, Role, Term
from referrals.models import ConsentRecord
from reviews.models import Questionnaire
from reviews.questionnaires import DEFAULTS, questionnaires_ensure_defaults
from sessions import services

from ..factories import (
    DEMO_PASSWORD,
    CaseFactory,
    PupilFactory,
    RoomFactory,
    SchoolClassFactory,
    SchoolFactory,
    TermFactory,
    assign,
    staff,
)
from .signin import sign_out
from .sizes import menu

STAFF_RATING, _, ITEMS = DEFAULTS[Questionnaire.Kind.STAFF_RATING]
QUESTIONS = [text for _, text in ITEMS]
AREAS = {text: area.label for area, text in ITEMS}
# Entry: "Rarely" (2) throughout. Exit: "Often" (4) on the first half, "Sometimes" (3) after.
HALF = len(QUESTIONS) // 2
EXIT = {q: ("Often", 4) if i < HALF else ("Sometimes", 3) for i, q in enumerate(QUESTIONS)}

FRIENDS = "Joins a game with other children at lunchtime"
HANDS_UP = "Puts a hand up to answer in class"
# What the mentor writes in the session records: never shown to the class teacher.
SESSION_NOTES = [
    "Drew a map of the playground and talked about the falling-out with Sam.",
    "Practised asking to join a game; Robin mentioned things are hard at home.",
]
PROGRESS_NOTE = "Asked Jo to play football on Tuesday."


def short(day):
    """A date as the pages show it: 4 Jan 2027."""
    return f"{day.day} {day:%b %Y}"


@pytest.fixture
def robins_case():
    """Robin in Oak class, with consent, and a weekly slot on today's weekday (Friday at
    weekends) that started three weeks ago, in a term around today."""
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
    oak = SchoolClassFactory(school=school, name="Oak", year_group=3)
    teacher = staff(school, Role.CLASS_TEACHER, username="teacher", first_name="Tess")
    assign(teacher, oak, ClassStaff.Kind.TEACHER)
    coordinator = staff(school, Role.COORDINATOR, username="coordinator", first_name="Cora")
    mentor = staff(school, Role.MENTOR, username="mentor", first_name="Mina", hours=6)
    pupil = PupilFactory(school=school, school_class=oak, legal_first_name="Robin")
    case = CaseFactory(pupil=pupil)
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
    questionnaires_ensure_defaults(school=school)
    return day


def open_robins_case(page):
    """From the mentor's home page, through their caseload."""
    menu(page).get_by_role("link", name="Home", exact=True).click()
    caseload = page.get_by_role("region", name="My caseload")
    caseload.get_by_role("link", name="Robin Testchild").click()
    expect(
        page.get_by_role("heading", name=re.compile("^Robin Testchild"), level=1)
    ).to_be_visible()


def record_staff_rating(page, completed_by, answers):
    """From the case page: choose the staff rating and answer every question."""
    section = page.get_by_role("region", name="Questionnaires and scores")
    section.get_by_role("link", name="Record a questionnaire").click()
    page.get_by_role("link", name=STAFF_RATING).click()
    expect(page.get_by_role("heading", name=STAFF_RATING)).to_be_visible()
    page.get_by_label("Completed by").fill(completed_by)
    for question in QUESTIONS:
        page.get_by_role("group", name=question).get_by_label(answers[question], exact=True).check()


def add_target(page, *, what, measure, success, by_when, area):
    page.get_by_role("textbox", name=re.compile("^Target")).fill(what)
    page.get_by_label("How it will be measured").fill(measure)
    page.get_by_label("Success looks like").fill(success)
    page.get_by_label("By when").fill(by_when.isoformat())
    page.get_by_label("Outcome area").select_option(label=area)
    page.get_by_role("button", name="Add the target").click()


def log_session(page, session_day, note, progress, progress_note=""):
    """From My week: log an earlier session as held, with progress on each target."""
    menu(page).get_by_role("link", name="My week").click()
    earlier = page.get_by_role("region", name="Earlier sessions still to log")
    earlier.get_by_role(
        "link", name=f"Log session for Robin Testchild, {session_day.day} {session_day:%b}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"{session_day:%A} {session_day.day}"
    )
    expect(page.get_by_role("radio", name="Held")).to_be_checked()
    page.get_by_label("What was done").fill(note)
    for target, rating in progress.items():
        page.get_by_role("group", name=f"Progress on “{target}”").get_by_label(
            rating, exact=True
        ).check()
    if progress_note:
        page.get_by_label(f"Note on “{FRIENDS}” (optional)").fill(progress_note)
    page.get_by_role("button", name="Save the record").click()
    expect(
        page.get_by_text(f"Session of {session_day:%A} {session_day.day} {session_day:%B} recorded")
    ).to_be_visible()


def test_baseline_targets_review_and_exit(live_server, page, sign_in, robins_case):
    day = robins_case
    today = timezone.localdate()

    # The mentor records the baseline: the staff rating at entry, "Rarely" throughout.
    sign_in("mentor", DEMO_PASSWORD)
    open_robins_case(page)
    record_staff_rating(page, "Mina (mentor)", dict.fromkeys(QUESTIONS, "Rarely"))
    expect(page.get_by_role("radio", name="Entry (baseline)")).to_be_checked()
    page.get_by_role("button", name="Record the answers").click()
    expect(page.get_by_text(f"{STAFF_RATING}, entry (baseline) recorded.")).to_be_visible()

    # A target without its measure is refused, with the message by the field.
    page.get_by_role("region", name="Action plan").get_by_role("link", name="Add a target").click()
    by_when = today + dt.timedelta(days=42)
    add_target(
        page,
        what=FRIENDS,
        measure="",
        success="Robin asks to join in without an adult's help",
        by_when=by_when,
        area="Friendships",
    )
    measure = page.get_by_label("How it will be measured")
    expect(measure).to_have_accessible_description(re.compile("a SMART target needs a measure"))
    expect(page.get_by_text("a SMART target needs a measure")).to_be_visible()
    # ...and accepted once the measure is given.
    measure.fill("Lunchtime observation: joins in on 3 days out of 5")
    page.get_by_role("button", name="Add the target").click()
    expect(page.get_by_text(f"Target added to the action plan: {FRIENDS}.")).to_be_visible()

    # A second, complete target.
    page.get_by_role("region", name="Action plan").get_by_role("link", name="Add a target").click()
    add_target(
        page,
        what=HANDS_UP,
        measure="Class teacher's tally: twice in each maths lesson",
        success="Robin answers in front of the class",
        by_when=by_when,
        area="Confidence",
    )
    expect(page.get_by_text(f"Target added to the action plan: {HANDS_UP}.")).to_be_visible()
    plan = page.get_by_role("region", name="Action plan")
    expect(plan.get_by_role("link", name=FRIENDS)).to_be_visible()
    expect(plan.get_by_role("link", name=HANDS_UP)).to_be_visible()

    # Two past sessions logged from My week, with progress on both targets.
    first, second = day - dt.timedelta(days=21), day - dt.timedelta(days=14)
    log_session(page, first, SESSION_NOTES[0], {FRIENDS: "Some progress", HANDS_UP: "No progress"})
    log_session(
        page,
        second,
        SESSION_NOTES[1],
        {FRIENDS: "Good progress", HANDS_UP: "Some progress"},
        progress_note=PROGRESS_NOTE,
    )
    open_robins_case(page)
    plan = page.get_by_role("region", name="Action plan")
    expect(plan.get_by_role("row").filter(has_text=FRIENDS)).to_contain_text("Good progress")
    expect(plan.get_by_role("row").filter(has_text=HANDS_UP)).to_contain_text("Some progress")

    # The mentor prepares the termly review, with the figures beside the form.
    reviews = page.get_by_role("region", name="Termly reviews")
    reviews.get_by_role("link", name=re.compile("^Prepare the .* review")).click()
    reference = page.get_by_role("region", name="For reference")
    expect(reference).to_contain_text("Held 2 of")
    progress = page.get_by_label("Progress on the targets")
    expect(progress).to_have_value(re.compile(f"{FRIENDS}: .*{HANDS_UP}: ", re.DOTALL))
    summary = (
        f"{FRIENDS}: good progress, joining games twice a week.\n\n"
        f"{HANDS_UP}: some progress in maths."
    )
    progress.fill(summary)
    page.get_by_label("Behaviour evidence").fill("Two house points for kindness.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("The class teacher can now add their view.")).to_be_visible()
    sign_out(page)

    # The class teacher adds their view; the session notes are not on their page.
    sign_in("teacher", DEMO_PASSWORD)
    waiting = page.get_by_role("region", name="Termly reviews: your view")
    waiting.get_by_role("link", name="Robin Testchild").click()
    expect(page.get_by_role("region", name="The mentor's summary")).to_contain_text(
        "joining games twice a week"
    )
    for secret in [*SESSION_NOTES, PROGRESS_NOTE]:
        expect(page.get_by_text(secret)).to_have_count(0)
        assert secret not in page.content()
    page.get_by_label("Your view as the class teacher").fill(
        "Robin puts a hand up in maths now and plays football at lunch."
    )
    page.get_by_role("button", name="Add your view").click()
    expect(page.get_by_text("Thank you: your view is added to the review.")).to_be_visible()
    expect(page.get_by_text("(your view is added)")).to_be_visible()
    sign_out(page)

    # The coordinator finds the review due, reads the teacher's view and records "Continue".
    sign_in("coordinator", DEMO_PASSWORD)
    menu(page).get_by_role("link", name="Reviews", exact=True).click()
    due = page.get_by_role("table", name=re.compile("^Reviews due this term"))
    row = due.get_by_role("row").filter(has_text="Robin Testchild")
    expect(row).to_contain_text("teacher's view added")
    row.get_by_role("link", name=re.compile("^decide")).click()
    expect(page.get_by_role("region", name="The class teacher's view")).to_contain_text(
        "plays football at lunch"
    )
    page.get_by_role("radio", name="Continue").check()
    next_review = today + dt.timedelta(days=49)
    page.get_by_label("Next review").fill(next_review.isoformat())
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decided: continue.")).to_be_visible()
    decision = page.get_by_role("region", name="The coordinator's decision")
    expect(decision).to_contain_text("Continue")
    expect(decision).to_contain_text(f"Next review {short(next_review)}")
    sign_out(page)

    # At exit the mentor records the staff rating again: the form knows it is the exit one.
    sign_in("mentor", DEMO_PASSWORD)
    open_robins_case(page)
    record_staff_rating(page, "Mina (mentor)", {q: label for q, (label, _) in EXIT.items()})
    expect(page.get_by_role("radio", name="Exit")).to_be_checked()
    page.get_by_role("button", name="Record the answers").click()
    expect(page.get_by_text(f"{STAFF_RATING}, exit recorded.")).to_be_visible()

    # The case page shows entry against exit, item by item, and the change overall.
    section = page.get_by_role("region", name="Questionnaires and scores")
    table = section.get_by_role("table", name=re.compile(r"^Staff rating.*: entry"))
    for question, (label, value) in EXIT.items():
        row = table.get_by_role("row").filter(has_text=question)
        expect(row.get_by_role("cell")).to_have_text(
            [question, AREAS[question], "2 Rarely", f"{value} {label}", f"+{value - 2}"]
        )
    overall = table.get_by_role("row").filter(has_text="Overall (mean)")
    expect(overall.get_by_role("cell")).to_have_text(["2.0", "3.5", "+1.5"])
