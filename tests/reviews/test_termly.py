"""Termly reviews: the mentor prepares, the class teacher adds a view (and sees nothing else
of the case), the coordinator decides; the coordinator's lists and what they cost."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import ClosureDay, Term
from referrals.models import ConsentRecord
from reviews import termly
from reviews.models import (
    Administration,
    Answer,
    OutcomeArea,
    Questionnaire,
    QuestionnaireItem,
    Target,
    TargetProgress,
    TermlyReview,
)
from sessions import services as sessions
from sessions.models import SessionRecord

from ..clock import freeze_today
from ..factories import (
    AcademicYearFactory,
    CaseFactory,
    ClosureDayFactory,
    PupilFactory,
    RoomFactory,
    SchoolFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)  # a Monday in the autumn term
OPENED = dt.date(2026, 9, 1)
SESSION_NOTE = "Talked about the dragon under the stairs at Granny's house."
TARGET_TEXT = "Joins a playground game with a friend at least twice a week."


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """The pages and services think it is Monday 23 November 2026."""
    return freeze_today(monkeypatch, TODAY)


@pytest.fixture
def autumn(school):
    """Autumn 2026: Wed 2 Sep to Fri 18 Dec; half-term 26-30 Oct; INSET Mon 2 Nov."""
    term = TermFactory(academic_year__school=school)
    ClosureDayFactory(school=school, date=dt.date(2026, 11, 2), kind=ClosureDay.Kind.INSET)
    return term


@pytest.fixture
def summer(school):
    """The summer term before: a review of it does not count for this term."""
    year = AcademicYearFactory(
        school=school, name="2025/26", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 7, 22)
    )
    return TermFactory(
        academic_year=year,
        name=Term.Name.SUMMER,
        starts_on=dt.date(2026, 4, 13),
        half_term_starts_on=dt.date(2026, 5, 25),
        half_term_ends_on=dt.date(2026, 5, 29),
        ends_on=dt.date(2026, 7, 22),
    )


def give_consent(case, recorded_by):
    return ConsentRecord.objects.create(
        case=case,
        decision=ConsentRecord.Decision.GIVEN,
        given_by="Pat Testparent",
        relationship="Mother",
        method=ConsentRecord.Method.SLIP,
        decided_on=OPENED,
        recorded_by=recorded_by,
    )


def allocate(case, coordinator, mentor, *, weekday=1, hour=10, starts=(2026, 9, 7), weeks=6):
    give_consent(case, coordinator)
    return sessions.allocate(
        case=case,
        user=coordinator,
        mentor=mentor,
        room=RoomFactory(school=case.school),
        weekday=weekday,
        starts_at=dt.time(hour, 0),
        duration=30,
        block_starts_on=dt.date(*starts),
        block_weeks=weeks,
    )


@pytest.fixture
def allocated(pupil, autumn, coordinator, mentor):
    """The class teacher's pupil in a Tuesday slot from 7 September, with a session note."""
    case = CaseFactory(pupil=pupil, opened_on=OPENED)
    allocation = allocate(case, coordinator, mentor)
    record = sessions.session_record_save(
        record=SessionRecord(
            case=case, slot=allocation.slot, date=dt.date(2026, 9, 8), what_was_done=SESSION_NOTE
        ),
        user=mentor,
        today=TODAY,
    )
    sessions.session_record_save(
        record=SessionRecord(
            case=case,
            slot=allocation.slot,
            date=dt.date(2026, 9, 15),
            attendance=SessionRecord.Attendance.PUPIL_ABSENT,
        ),
        user=mentor,
        today=TODAY,
    )
    target = Target.objects.create(
        case=case,
        what=TARGET_TEXT,
        measure="Playground observation",
        success="Plays with others",
        by_when=dt.date(2026, 12, 11),
        outcome_area=OutcomeArea.FRIENDSHIPS,
        set_by=mentor,
    )
    TargetProgress.objects.create(record=record, target=target, rating=2, note="Watched a game")
    return allocation


@pytest.fixture
def case(allocated):
    return allocated.case


def prepare(case, user, term, text="Joined one game; still watches from the bench."):
    return termly.review_save(
        review=TermlyReview(case=case, term=term, progress_summary=text), user=user
    )


# --- The journey --------------------------------------------------------------------------------


def test_mentor_prepares_teacher_adds_view_coordinator_continues(
    client_for, case, autumn, mentor, class_teacher, coordinator
):
    mentor_client = client_for(mentor)
    page = mentor_client.get(reverse("termly_review_create", args=[case.pk])).content.decode()
    assert TARGET_TEXT in page  # the targets, for reference
    # With their latest rating; the notes stay with their session records, where a
    # restricted record's note is hidden from those who may not read it.
    assert "Latest: Some progress" in page and "(1 entry)" in page
    assert "Held <strong>1 of 6</strong>" in page and "pupil absent: 1" in page
    response = mentor_client.post(
        reverse("termly_review_create", args=[case.pk]),
        {
            "term": autumn.pk,
            "progress_summary": "Joined a game twice this fortnight.",
            "behaviour_evidence": "No incidents since October.",
            "attendance_evidence": "97% this term.",
        },
    )
    review = TermlyReview.objects.get(case=case, term=autumn)
    assert response.status_code == 302 and response["Location"] == reverse(
        "termly_review", args=[review.pk]
    )
    assert review.prepared_by == mentor and review.prepared_on == TODAY

    teacher_client = client_for(class_teacher)
    url = reverse("termly_review_teacher", args=[review.pk])
    page = teacher_client.get(url).content.decode()
    assert "Joined a game twice this fortnight." in page  # the review's summary
    assert SESSION_NOTE not in page  # never the session notes
    assert TARGET_TEXT not in page and "Watched a game" not in page  # nor other case content
    assert "Held" not in page
    response = teacher_client.post(url, {"teacher_view": "Much more settled in class."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.teacher == class_teacher and review.teacher_view == "Much more settled in class."

    response = client_for(coordinator).post(
        reverse("termly_review_decide", args=[review.pk]),
        {"decision": "continue", "next_review_on": "2027-03-15"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.decision == "continue" and review.next_review_on == dt.date(2027, 3, 15)
    assert review.decided_by == coordinator and review.history.first().history_user == coordinator
    page = client_for(coordinator).get(reverse("termly_review", args=[review.pk])).content.decode()
    assert "Much more settled in class." in page and "15 Mar 2027" in page


def test_the_teacher_sees_nothing_of_the_case_elsewhere(client_for, case, class_teacher, autumn):
    review = prepare(case, case.mentor, autumn)
    client = client_for(class_teacher)
    assert client.get(reverse("termly_review", args=[review.pk])).status_code == 404
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert reverse("termly_review_teacher", args=[review.pk]) in home
    assert SESSION_NOTE not in home


def test_refer_on_needs_a_destination(client_for, case, autumn, coordinator):
    review = prepare(case, case.mentor, autumn)
    response = client_for(coordinator).post(
        reverse("termly_review_decide", args=[review.pk]),
        {"decision": "refer_on", "next_review_on": "2027-01-11"},
    )
    assert response.status_code == 200
    assert "Say who the pupil is referred on to." in response.content.decode()
    review.refresh_from_db()
    assert review.decision == ""
    with pytest.raises(ValidationError, match="referred on to"):
        termly.review_decide(
            review=review, user=coordinator, decision="refer_on", next_review_on=dt.date(2027, 1, 1)
        )
    termly.review_decide(
        review=review,
        user=coordinator,
        decision="refer_on",
        refer_on_to="camhs",
        next_review_on=dt.date(2027, 1, 11),
    )
    review.refresh_from_db()
    assert review.get_refer_on_to_display() == "CAMHS"


def test_next_review_date_is_needed_unless_closing(client_for, case, autumn, coordinator):
    review = prepare(case, case.mentor, autumn)
    with pytest.raises(ValidationError) as caught:
        termly.review_decide(review=review, user=coordinator, decision="extend")
    assert caught.value.message_dict == {"next_review_on": ["Give the date of the next review."]}
    with pytest.raises(ValidationError, match="after today"):
        termly.review_decide(
            review=review, user=coordinator, decision="extend", next_review_on=TODAY
        )
    response = client_for(coordinator).post(
        reverse("termly_review_decide", args=[review.pk]), {"decision": "close"}
    )
    assert response["Location"] == reverse("case_close", args=[case.pk])
    review.refresh_from_db()
    assert review.decision == "close" and review.next_review_on is None


def test_a_second_review_for_the_same_case_and_term_is_refused(
    client_for, case, autumn, summer, mentor
):
    prepare(case, mentor, autumn)
    with pytest.raises(ValidationError, match="already has a review for Autumn 2026/27"):
        prepare(case, mentor, autumn)
    response = client_for(mentor).post(
        reverse("termly_review_create", args=[case.pk]),
        {"term": autumn.pk, "progress_summary": "Again"},
    )
    assert response.status_code == 200
    assert "already has a review for Autumn 2026/27" in response.content.decode()
    assert TermlyReview.objects.filter(case=case).count() == 1


def test_a_review_is_for_a_term_the_case_was_open_in(client_for, case, autumn, summer, mentor):
    spring = TermFactory(
        academic_year=autumn.academic_year,
        name=Term.Name.SPRING,
        starts_on=dt.date(2027, 1, 5),
        half_term_starts_on=dt.date(2027, 2, 15),
        half_term_ends_on=dt.date(2027, 2, 19),
        ends_on=dt.date(2027, 3, 26),
    )
    page = client_for(mentor).get(reverse("termly_review_create", args=[case.pk]))
    offered = [str(term) for term in page.context["form"].fields["term"].queryset]
    assert offered == ["Autumn 2026/27"]
    opened = f"{case.opened_on:%-d %B %Y}"
    with pytest.raises(ValidationError, match=f"opened on {opened}, after Summer 2025/26 ended"):
        prepare(case, mentor, summer)
    with pytest.raises(ValidationError, match="Spring 2026/27 has not begun yet"):
        prepare(case, mentor, spring)
    response = client_for(mentor).post(
        reverse("termly_review_create", args=[case.pk]),
        {"term": summer.pk, "progress_summary": "A year too early"},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not TermlyReview.objects.filter(case=case).exists()


def test_the_term_defaults_to_the_one_containing_today(client_for, case, autumn, summer, mentor):
    form = client_for(mentor).get(reverse("termly_review_create", args=[case.pk])).context["form"]
    assert form["term"].value() == autumn.pk


def test_a_decided_review_no_longer_changes(case, autumn, coordinator, class_teacher, mentor):
    review = prepare(case, mentor, autumn)
    termly.review_decide(
        review=review, user=coordinator, decision="continue", next_review_on=dt.date(2027, 2, 1)
    )
    review.progress_summary = "Rewritten"
    with pytest.raises(ValidationError, match="decided this review"):
        termly.review_save(review=review, user=mentor)
    with pytest.raises(ValidationError, match="decided this review"):
        termly.teacher_view_save(review=review, user=class_teacher, teacher_view="Late")


def test_ratings_since_baseline_show_the_entry_and_latest_means(
    client_for, case, autumn, mentor, coordinator
):
    questionnaire = Questionnaire.objects.create(
        school=case.school, kind=Questionnaire.Kind.STAFF_RATING, name="Staff rating"
    )
    items = [
        QuestionnaireItem.objects.create(
            questionnaire=questionnaire, position=i, text=f"Item {i}", outcome_area="confidence"
        )
        for i in range(2)
    ]
    for stage, values, on in (("entry", (2, 3), dt.date(2026, 9, 3)), ("exit", (4, 4), TODAY)):
        given = Administration.objects.create(
            case=case,
            questionnaire=questionnaire,
            stage=stage,
            completed_on=on,
            completed_by="Class teacher",
            recorded_by=coordinator,
        )
        for item, value in zip(items, values, strict=True):
            Answer.objects.create(administration=given, item=item, value=value)
    rows = termly.ratings_since_baseline(case)
    assert [(r.kind, str(r.baseline.mean), str(r.latest.mean)) for r in rows] == [
        ("Staff rating (entry and exit)", "2.5", "4.0")
    ]
    page = client_for(mentor).get(reverse("termly_review_create", args=[case.pk])).content.decode()
    assert "2.5" in page and "4.0" in page


# --- Who may do what ---------------------------------------------------------------------------


def test_the_teacher_of_another_class_gets_not_found(
    client_for, case, autumn, other_teacher, teaching_assistant
):
    review = prepare(case, case.mentor, autumn)
    url = reverse("termly_review_teacher", args=[review.pk])
    for user in (other_teacher, teaching_assistant):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, {"teacher_view": "Nosy"}).status_code == 404
    review.refresh_from_db()
    assert review.teacher_view == ""


def test_the_mentor_cannot_decide(client_for, case, autumn, mentor):
    review = prepare(case, mentor, autumn)
    url = reverse("termly_review_decide", args=[review.pk])
    assert client_for(mentor).get(url).status_code == 403
    response = client_for(mentor).post(url, {"decision": "close"})
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.decision == ""


def test_another_mentor_gets_not_found(client_for, case, autumn, other_mentor):
    review = prepare(case, case.mentor, autumn)
    client = client_for(other_mentor)
    for url in (
        reverse("termly_review_create", args=[case.pk]),
        reverse("termly_review", args=[review.pk]),
        reverse("termly_review_edit", args=[review.pk]),
        reverse("termly_review_decide", args=[review.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("review_lists")).status_code == 403


def test_the_mentor_revises_their_part_until_it_is_decided(client_for, case, autumn, mentor):
    review = prepare(case, mentor, autumn)
    response = client_for(mentor).post(
        reverse("termly_review_edit", args=[review.pk]),
        {"progress_summary": "Revised", "behaviour_evidence": "", "attendance_evidence": ""},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.progress_summary == "Revised" and review.term == autumn


# --- The coordinator's lists -------------------------------------------------------------------


@pytest.fixture
def calendar(school, autumn, summer, coordinator, mentor, other_mentor):
    """Cases in every state the lists must tell apart, on 23 November 2026 (window to 7 Dec)."""
    mentor.memberships.update(mentoring_hours=40)
    other_mentor.memberships.update(mentoring_hours=40)
    made = {}

    def case(name, *, allocated=True, **slot):
        case = CaseFactory(
            pupil=PupilFactory(school=school, legal_first_name=name), opened_on=OPENED
        )
        if allocated:
            slot.setdefault("hour", 9 + len(made) % 8)
            made[name] = allocate(case, coordinator, mentor, **slot)
        return case

    # Tuesdays from 7 Sep for 6 weeks: the block ended on 13 Oct, the case still open.
    case("Pastblock", weekday=1)
    # Wednesdays from 5 Oct for 8 school weeks (half-term skipped): ends 2 Dec, in the window.
    case("Soonblock", weekday=2, starts=(2026, 10, 5), weeks=8)
    # Thursdays from 16 Nov for 4 weeks: ends 10 Dec, after the window.
    later = case("Laterblock", weekday=3, starts=(2026, 11, 16), weeks=4)
    # A decided review this term: not due; a summer review does not count. (Stored as it is:
    # the service refuses a review of a term before the case opened.)
    decided = case("Decided", weekday=4, starts=(2026, 11, 16), weeks=4)
    TermlyReview.objects.create(
        case=later,
        term=summer,
        progress_summary="Before the case",
        prepared_by=mentor,
        prepared_on=dt.date(2026, 7, 1),
    )
    review = prepare(decided, mentor, autumn)
    termly.review_decide(
        review=review, user=coordinator, decision="continue", next_review_on=dt.date(2027, 2, 1)
    )
    # An undecided review this term: still due.
    undecided = case("Undecided", weekday=0, starts=(2026, 11, 16), weeks=5)  # to 14 Dec
    made["undecided_review"] = prepare(undecided, mentor, autumn)
    # No slot: not due. Ended early: not at the end of its block.
    case("Noslot", allocated=False)
    early = case("Endedearly", weekday=1, hour=14)
    made["Endedearly"].ended_on = dt.date(2026, 9, 20)
    made["Endedearly"].save()
    closed = case("Closedcase", weekday=1, hour=15)
    closed.status = "closed"
    closed.save()
    # Another school's case is never listed.
    elsewhere = SchoolFactory(name="Elsewhere Academy")
    TermFactory(academic_year__school=elsewhere)
    CaseFactory(pupil=PupilFactory(school=elsewhere, legal_first_name="Faraway"))
    assert early and later
    return made


def names(rows, get=lambda c: c):
    return [get(row).pupil.legal_first_name for row in rows]


def test_reviews_due_and_blocks_ending(calendar, school):
    terms, due = termly.reviews_due({school.pk}, TODAY)
    assert [str(t) for t in terms.values()] == ["Autumn 2026/27"]
    assert sorted(names(due)) == ["Endedearly", "Laterblock", "Pastblock", "Soonblock", "Undecided"]
    review = calendar["undecided_review"]
    assert {c.pupil.legal_first_name: c.review_id for c in due}["Undecided"] == review.pk
    ending = termly.blocks_ending({school.pk}, TODAY)
    assert names(ending, lambda a: a.case) == ["Pastblock", "Soonblock"]
    assert [a.slot.block_ends_on for a in ending] == [dt.date(2026, 10, 13), dt.date(2026, 12, 2)]


def test_the_lists_page_shows_both_lists(client_for, calendar, coordinator):
    page = client_for(coordinator).get(reverse("review_lists")).content.decode()
    due, ending = page.split('id="blocks-ending"')
    assert "Pastblock" in due and "Decided" not in due and "Noslot" not in due
    assert "Faraway" not in page and "Closedcase" not in page
    assert "Pastblock" in ending and "Soonblock" in ending and "Laterblock" not in ending
    assert "ended 41 days ago" in ending and "in 9 days" in ending
    home = client_for(coordinator).get(reverse("home")).content.decode()
    assert "5</span> reviews due this term" in home
    assert "2</span> blocks ending within 14 days" in home


def add_cases(term, coordinator, mentor, n, start):
    """``n`` more allocated cases whose blocks have ended; every other one with a review."""
    for i in range(start, start + n):
        case = CaseFactory(pupil=PupilFactory(school=term.school), opened_on=OPENED)
        allocate(case, coordinator, mentor, weekday=i % 5, hour=9 + i // 5, starts=(2026, 10, 5))
        if i % 2:
            prepare(case, mentor, term)


@pytest.mark.parametrize("page", ["review_lists", "home"])
def test_the_lists_cost_the_same_for_3_and_15_cases(client_for, autumn, coordinator, mentor, page):
    mentor.memberships.update(mentoring_hours=40)
    client = client_for(coordinator)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(page))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    add_cases(autumn, coordinator, mentor, 3, 0)
    few, content = count()
    if page == "home":
        assert "3</span> reviews due" in content and "3</span> blocks ending" in content
    add_cases(autumn, coordinator, mentor, 12, 3)
    many, content = count()
    assert few == many, f"{page}: {few} queries for 3 cases, {many} for 15"
    if page == "review_lists":
        assert content.count(">Prepared<span") == 7 and content.count("close the case") == 15
    else:
        assert "15</span> reviews due" in content and "15</span> blocks ending" in content
