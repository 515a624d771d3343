"""The termly review pack: its figures against a fixture counted by hand, what each audience
may read in it, its charts, and the pages that ask for it, follow it and download it."""

import datetime as dt
import io
import os
import re
import time
from decimal import Decimal
from types import SimpleNamespace

import pypdf
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.models import AccessEvent, Case, ClosureDay, Role, School, SupportType, Term
from referrals.models import ConsentRecord, Referral
from reviews import pack
from reviews.models import (
    Administration,
    Answer,
    CaseClosure,
    GeneratedDocument,
    OutcomeArea,
    Questionnaire,
    QuestionnaireItem,
    Target,
    TargetProgress,
    TermlyReview,
)
from reviews.tasks import make_review_pack
from sessions.models import Allocation, SessionRecord, Slot

from ..factories import (
    AcademicYearFactory,
    CaseFactory,
    ClosureDayFactory,
    PupilFactory,
    RoomFactory,
    SchoolClassFactory,
    TargetFactory,
    TermFactory,
    asked_pack,
    ready_pack,
    staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generated_dir")]

TODAY = dt.date(2026, 11, 23)  # a Monday in the autumn term
TARGET_TEXT = "Joins a playground game with a friend at least twice a week."
S = SessionRecord.Attendance


def at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def autumn(school):
    """Autumn 2026: Wed 2 Sep to Fri 18 Dec; half-term 26-30 Oct; INSET Mon 2 Nov."""
    term = TermFactory(academic_year__school=school)
    ClosureDayFactory(school=school, date=dt.date(2026, 11, 2), kind=ClosureDay.Kind.INSET)
    return term


@pytest.fixture
def spring(autumn):
    return Term.objects.create(
        academic_year=autumn.academic_year,
        name=Term.Name.SPRING,
        starts_on=dt.date(2027, 1, 5),
        half_term_starts_on=dt.date(2027, 2, 15),
        half_term_ends_on=dt.date(2027, 2, 19),
        ends_on=dt.date(2027, 3, 26),
    )


def make_slot(school, mentor, starts_on, weeks, ends_on):
    return Slot.objects.create(
        school=school,
        mentor=mentor,
        room=RoomFactory(school=school),
        weekday=1,  # Tuesday
        starts_at=dt.time(10, 30),
        block_starts_on=starts_on,
        block_weeks=weeks,
        block_ends_on=ends_on,
    )


def given_consent(case, coordinator, on):
    ConsentRecord.objects.create(
        case=case,
        decision=ConsentRecord.Decision.GIVEN,
        given_by="Pat Testparent",
        relationship="Mother",
        method=ConsentRecord.Method.SLIP,
        decided_on=on,
        recorded_by=coordinator,
    )


def record(case, slot, day, attendance, author):
    return SessionRecord.objects.create(
        case=case,
        slot=slot,
        date=day,
        attendance=attendance,
        cancel_reason="" if attendance == S.HELD else "Reason",
        author=author,
    )


def answer(case, questionnaire, stage, on, values, user):
    administration = Administration.objects.create(
        case=case,
        questionnaire=questionnaire,
        stage=stage,
        completed_on=on,
        completed_by="Class teacher",
        recorded_by=user,
    )
    for item, value in zip(questionnaire.items.order_by("position"), values, strict=True):
        Answer.objects.create(administration=administration, item=item, value=value)


@pytest.fixture
def world(school, autumn, spring, coordinator, mentor, head):
    """A small school's autumn term, counted by hand in the tests below.

    In the term: Robin (A, Year 3, mentoring, open), Skylar (B, Year 4, drawing and talking,
    opened in the summer, closed 20 Oct: targets met), Juniper (C, Year 3, nurture, opened
    2 Nov) and Wren (F, Year 5, mentoring, closed 20 Sep: consent refused, no case study).
    Not in the term: Hazel (closed in July) and Ash (opened in January).
    """
    oak = SchoolClassFactory(school=school, name="Oak", year_group=3)
    elm = SchoolClassFactory(school=school, name="Elm", year_group=4)
    ash = SchoolClassFactory(school=school, name="Ash", year_group=5)

    def case(first_name, school_class, support, opened, closed=None, reason=""):
        pupil = PupilFactory(school=school, school_class=school_class, legal_first_name=first_name)
        return Case.objects.create(
            school=school,
            pupil=pupil,
            mentor=mentor,
            support_type=support,
            opened_on=opened,
            closed_on=closed,
            closed_reason=reason,
            status=Case.Status.CLOSED if closed else Case.Status.OPEN,
        )

    a = case("Robin", oak, SupportType.MENTORING, dt.date(2026, 9, 7))
    b = case(
        "Skylar",
        elm,
        SupportType.DRAWING_AND_TALKING,
        dt.date(2026, 6, 1),
        dt.date(2026, 10, 20),
        "Targets met",
    )
    c = case("Juniper", oak, SupportType.NURTURE, dt.date(2026, 11, 2))
    f = case(
        "Wren",
        ash,
        SupportType.MENTORING,
        dt.date(2026, 9, 10),
        dt.date(2026, 9, 20),
        "Parental consent refused",
    )
    case("Hazel", oak, SupportType.MENTORING, dt.date(2026, 3, 2), dt.date(2026, 7, 10), "x")
    case("Ashby", oak, SupportType.MENTORING, dt.date(2027, 1, 5))
    CaseClosure.objects.create(
        case=b, reason=CaseClosure.Reason.TARGETS_MET, closed_on=b.closed_on, closed_by=coordinator
    )

    # Sessions. Robin: six Tuesdays 8 Sep to 13 Oct; Juniper: three Tuesdays 3 to 17 Nov.
    given_consent(a, coordinator, dt.date(2026, 9, 1))
    given_consent(c, coordinator, dt.date(2026, 11, 2))
    slot_a = make_slot(school, mentor, dt.date(2026, 9, 8), 6, dt.date(2026, 10, 13))
    slot_c = make_slot(school, mentor, dt.date(2026, 11, 3), 3, dt.date(2026, 11, 17))
    Allocation.objects.create(slot=slot_a, case=a, starts_on=dt.date(2026, 9, 8))
    Allocation.objects.create(slot=slot_c, case=c, starts_on=dt.date(2026, 11, 3))
    first = record(a, slot_a, dt.date(2026, 9, 8), S.HELD, mentor)
    record(a, slot_a, dt.date(2026, 9, 15), S.HELD, mentor)
    record(a, slot_a, dt.date(2026, 9, 22), S.PUPIL_ABSENT, mentor)
    fourth = record(a, slot_a, dt.date(2026, 9, 29), S.HELD, mentor)
    record(a, slot_a, dt.date(2026, 10, 6), S.CANCELLED, mentor)
    # 13 Oct: not recorded.
    record(c, slot_c, dt.date(2026, 11, 3), S.HELD, mentor)
    record(c, slot_c, dt.date(2026, 11, 10), S.MENTOR_ABSENT, mentor)
    record(c, slot_c, dt.date(2026, 11, 17), S.HELD, mentor)

    # Referrals: (first name, submitted, decided, status).
    rows = [
        ("Ivy", dt.date(2026, 9, 3), dt.date(2026, 9, 10), "accepted"),  # 7 days
        ("Fern", dt.date(2026, 9, 14), dt.date(2026, 9, 24), "accepted"),  # 10
        ("Holly", dt.date(2026, 9, 21), dt.date(2026, 10, 12), "accepted"),  # 21
        ("Rowan", dt.date(2026, 10, 1), dt.date(2026, 11, 5), "accepted"),  # 35
        ("Linden", dt.date(2026, 11, 2), dt.date(2026, 11, 4), "accepted"),  # 2
        ("Bramble", dt.date(2026, 10, 5), dt.date(2026, 10, 6), "declined"),  # 1
        ("Sorrel", dt.date(2026, 11, 16), None, "new"),
        ("Yarrow", dt.date(2026, 11, 18), None, "discussion"),
        ("Teasel", dt.date(2026, 7, 1), dt.date(2026, 9, 8), "declined"),  # 69, made in summer
        ("Tansy", dt.date(2026, 6, 15), dt.date(2026, 6, 20), "accepted"),  # not this term
        ("Clover", None, None, "draft"),
    ]
    for first_name, submitted, decided, status in rows:
        Referral.objects.create(
            school=school,
            pupil=PupilFactory(school=school, legal_first_name=first_name),
            referred_by=coordinator,
            status=status,
            submitted_at=at(submitted) if submitted else None,
            decided_at=at(decided, 15) if decided else None,
        )

    # Staff ratings: two self-esteem items and one friendships item, answered 1 to 5.
    rating = Questionnaire.objects.create(
        school=school, kind=Questionnaire.Kind.STAFF_RATING, name="Staff rating"
    )
    for position, (area, text) in enumerate(
        [
            (OutcomeArea.SELF_ESTEEM, "Speaks well of themselves"),
            (OutcomeArea.SELF_ESTEEM, "Takes pride in their work"),
            (OutcomeArea.FRIENDSHIPS, "Plays well with others"),
        ],
        start=1,
    ):
        QuestionnaireItem.objects.create(
            questionnaire=rating, position=position, outcome_area=area, text=text
        )
    pupil_form = Questionnaire.objects.create(
        school=school, kind=Questionnaire.Kind.PUPIL, name="All about me", scale="No; Yes"
    )
    QuestionnaireItem.objects.create(
        questionnaire=pupil_form, position=1, outcome_area=OutcomeArea.SELF_ESTEEM, text="I"
    )
    E, X = Administration.Stage.ENTRY, Administration.Stage.EXIT
    answer(a, rating, E, dt.date(2026, 9, 8), [2, 3, 1], mentor)
    answer(a, rating, X, dt.date(2026, 11, 20), [4, 4, 3], mentor)
    answer(c, rating, E, dt.date(2026, 11, 3), [1, 2, 2], mentor)
    answer(c, rating, X, dt.date(2027, 1, 10), [5, 5, 5], mentor)  # after the term: left out
    answer(b, rating, E, dt.date(2026, 6, 5), [3, 3, 2], mentor)
    answer(b, rating, X, dt.date(2026, 10, 15), [4, 5, 4], mentor)
    answer(a, pupil_form, E, dt.date(2026, 9, 8), [1], mentor)  # not a staff rating

    # Reviews: Robin continues, Juniper's is prepared, Skylar's closed, Wren has none.
    TermlyReview.objects.create(
        case=a,
        term=autumn,
        progress_summary="Good",
        decision=TermlyReview.Decision.CONTINUE,
        decided_on=dt.date(2026, 11, 20),
        next_review_on=dt.date(2027, 1, 20),
    )
    TermlyReview.objects.create(
        case=c, term=autumn, progress_summary="Started", prepared_on=dt.date(2026, 11, 19)
    )
    TermlyReview.objects.create(
        case=b, term=autumn, progress_summary="Met", decision=TermlyReview.Decision.CLOSE
    )
    TermlyReview.objects.create(
        case=a, term=spring, progress_summary="Next", decision=TermlyReview.Decision.EXTEND
    )

    # Robin's targets: one open with progress twice, one achieved.
    target = Target.objects.create(
        case=a,
        what=TARGET_TEXT,
        measure="Playground log",
        success="Twice a week",
        by_when=dt.date(2026, 12, 1),
        outcome_area=OutcomeArea.FRIENDSHIPS,
        set_by=mentor,
        created_at=at(dt.date(2026, 9, 8)),
    )
    TargetProgress.objects.create(record=first, target=target, rating=2)
    TargetProgress.objects.create(record=fourth, target=target, rating=3)
    Target.objects.create(
        case=a,
        what="Reads to an adult every day.",
        measure="Reading record",
        success="Daily",
        by_when=dt.date(2026, 11, 1),
        outcome_area=OutcomeArea.ATTAINMENT,
        status=Target.Status.ACHIEVED,
        set_by=mentor,
        created_at=at(dt.date(2026, 9, 8)),
    )
    return {"a": a, "b": b, "c": c, "f": f}


def counts(breakdown):
    return {cell.label: cell.value for cell in breakdown.cells}


def shown(breakdown):
    return {cell.label: cell.shown for cell in breakdown.cells}


# --- The figures, counted by hand -------------------------------------------------------------


def test_caseload_counts_the_cases_in_the_programme_during_the_term(school, autumn, world):
    figures = pack.pack_context(school, autumn, pack.STAFF, today=TODAY)["caseload"]

    assert (
        figures.total.value,
        figures.opened.value,
        figures.closed.value,
        figures.open_at_end.value,
    ) == (4, 3, 2, 2)
    assert counts(figures.by_support) == {
        "Mentoring": 2,
        "Drawing & Talking": 1,
        "Sand Play": 0,
        "Nurture": 1,
        "Small group": 0,
    }
    by_year = counts(figures.by_year)
    assert (by_year["Year 3"], by_year["Year 4"], by_year["Year 5"], by_year["Year 6"]) == (
        2,
        1,
        1,
        0,
    )


def test_referrals_decisions_and_waiting_days(school, autumn, world):
    referrals = pack.pack_context(school, autumn, pack.STAFF, today=TODAY)["referrals"]

    assert referrals.made.value == 8
    states = counts(referrals.by_state)
    assert states["Accepted"] == 5
    assert states["Declined"] == 1
    assert states["New"] == 1
    assert states["Under discussion"] == 1
    assert sum(states.values()) == 8
    assert "Draft" not in states
    assert referrals.decided.value == 7
    assert counts(referrals.decisions) == {"Accepted": 5, "Declined": 2}
    waiting = referrals.waiting
    # Days: 7, 10, 21, 35, 2, 1 and 69.
    assert waiting.decided == 7
    assert waiting.mean == Decimal("20.7")
    assert waiting.median == Decimal("10")
    assert (waiting.shortest, waiting.longest) == (1, 69)
    assert counts(waiting.bands) == {
        "Up to 7 days": 3,
        "8 to 14 days": 1,
        "15 to 28 days": 1,
        "More than 28 days": 2,
    }


def test_sessions_expected_against_held_and_why_not(school, autumn, world):
    context = pack.pack_context(school, autumn, pack.STAFF, today=TODAY)
    sessions = context["sessions"]

    assert (sessions.figures.expected, sessions.figures.held) == (9, 5)
    assert dict(sessions.figures.reasons) == {
        "Pupil absent": 1,
        "Cancelled": 1,
        "Not recorded yet": 1,
        "Mentor absent": 1,
    }
    assert sessions.cases.value == 2
    robin = next(p for p in context["cases"] if p.heading == "Robin Testchild")
    assert (robin.attendance.expected, robin.attendance.held) == (6, 3)


def test_sessions_count_only_up_to_today(school, autumn, world):
    """On 12 November, Juniper's 17 November session is not yet expected."""
    sessions = pack.pack_context(school, autumn, pack.STAFF, today=dt.date(2026, 11, 12))[
        "sessions"
    ]
    assert (sessions.figures.expected, sessions.figures.held) == (8, 4)


def test_entry_against_exit_per_outcome_area(school, autumn, world):
    outcomes = pack.pack_context(school, autumn, pack.STAFF, today=TODAY)["outcomes"]

    rows = {r.area: r for r in outcomes.rows}
    assert list(rows) == ["Self-esteem", "Friendships"]
    # Self-esteem entry: Robin 2, 3; Juniper 1, 2; Skylar 3, 3 -> 14/6. Exit: Robin 4, 4;
    # Skylar 4, 5 -> 17/4 (Juniper's exit came after the term).
    esteem = rows["Self-esteem"]
    assert (esteem.entry, esteem.exit) == (Decimal("2.3"), Decimal("4.3"))
    assert (esteem.entry_pupils.value, esteem.exit_pupils.value) == (3, 2)
    # The change is over Robin and Skylar, rated at both: 11/4 at entry, 17/4 at exit. Not
    # 4.3 - 2.3, which set Juniper's entry (with no exit) against the others' exit.
    assert esteem.both.value == 2
    assert esteem.change_display == "+1.5"
    friends = rows["Friendships"]
    assert (friends.entry, friends.exit) == (Decimal("1.7"), Decimal("3.5"))
    assert (friends.both.value, friends.change_display) == (2, "+2.0")  # 1, 2 -> 3, 4
    assert outcomes.scale == "Answers run from 1 (Never) to 5 (Always)."


def test_the_change_is_over_the_pupils_rated_at_both_in_each_pdf(school, autumn, world):
    staff = pdf_text(pack.render_review_pack(school, autumn, pack.STAFF, None, today=TODAY))
    assert "Pupils with both" in staff
    # Entry of 3 pupils, exit of 2; the change is over the 2 rated at both.
    assert "Self-esteem 2.3 4.3 3 2 +1.5 2" in staff
    assert "Friendships 1.7 3.5 3 2 +2.0 2" in staff

    governors = pdf_text(pack.render_review_pack(school, autumn, pack.GOVERNORS, None, today=TODAY))
    # 2 pupils with both is under 5: the count is hidden, and so is the change.
    few = pack.FEWER
    assert f"Self-esteem – – {few} {few} – {few}" in governors
    assert "A mean or a change drawn from fewer than 5 pupils is not shown" in governors


def test_the_dashboard_shows_the_change_over_the_pupils_rated_at_both(school, autumn, world):
    outcomes = pack.pack_context(school, autumn, pack.STAFF, today=TODAY)["outcomes"]
    html = render_to_string("reviews/dashboard/_outcomes.html", {"outcomes": outcomes})
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Pupils with both" in text
    assert "Self-esteem 2.3 4.3 3 2 +1.5 2" in text


def test_review_decisions_and_closures(school, autumn, world):
    context = pack.pack_context(school, autumn, pack.STAFF, today=TODAY)

    assert counts(context["reviews"]) == {
        "Continue": 1,
        "Extend beyond the block": 0,  # Robin's extension is next term's
        "Close": 1,
        "Refer on": 0,
        "Prepared, not yet decided": 1,
        "No review for this term": 1,
    }
    closures = counts(context["closures"])
    assert closures["Targets met"] == 1
    assert closures["Parental consent refused"] == 1
    assert context["closures"].total.value == 2


def test_each_case_page_has_its_decision_targets_and_attendance(school, autumn, world):
    pages = pack.pack_context(school, autumn, pack.STAFF, today=TODAY)["cases"]

    assert [p.heading for p in pages] == [
        "Juniper Testchild",
        "Robin Testchild",
        "Skylar Testchild",
        "Wren Testchild",
    ]
    robin = pages[1]
    assert robin.decision == "Continue"
    assert robin.decision_detail == "Decided on 20/11/2026; next review 20/01/2027"
    open_target, achieved = robin.targets
    assert (open_target.what, open_target.status, open_target.latest) == (
        TARGET_TEXT,
        "Open",
        "Good progress",
    )
    assert (open_target.latest_on, open_target.entries) == (dt.date(2026, 9, 29), 2)
    assert (achieved.status, achieved.latest, achieved.entries) == ("Achieved", "", 0)
    assert pages[0].decision == "Not yet decided"
    assert pages[3].decision == "No review for this term"


def test_the_figures_cost_the_same_whatever_the_number_of_cases(
    school, autumn, world, coordinator, mentor
):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            context = pack.pack_context(school, autumn, pack.STAFF, today=TODAY)
        return len(ctx.captured_queries), len(context["cases"])

    before = queries()
    for _ in range(12):
        case = CaseFactory(pupil=PupilFactory(school=school), opened_on=dt.date(2026, 9, 7))
        given_consent(case, coordinator, dt.date(2026, 9, 1))
        slot = make_slot(school, mentor, dt.date(2026, 9, 8), 6, dt.date(2026, 10, 13))
        Allocation.objects.create(slot=slot, case=case, starts_on=dt.date(2026, 9, 8))
        record(case, slot, dt.date(2026, 9, 8), S.HELD, mentor)
        TermlyReview.objects.create(case=case, term=autumn, progress_summary="Going well")
        TargetFactory(
            case=case,
            outcome_area=OutcomeArea.BEHAVIOUR,
            set_by=mentor,
            created_at=at(dt.date(2026, 9, 8)),
        )
    after = queries()
    assert after[1] == before[1] + 12 == 16
    assert after[0] == before[0], (before, after)


# --- The governors' pack ----------------------------------------------------------------------


def test_governors_see_fewer_than_5_for_every_small_count(school, autumn, world):
    context = pack.pack_context(school, autumn, pack.GOVERNORS, today=TODAY)

    breakdowns = [
        context["caseload"].by_support,
        context["caseload"].by_year,
        context["referrals"].by_state,
        context["referrals"].decisions,
        context["referrals"].waiting.bands,
        context["reviews"],
        context["closures"],
    ]
    for breakdown in breakdowns:
        for cell in breakdown.cells:
            if cell.value < 5:
                assert cell.shown == pack.FEWER, (breakdown.caption, cell)
            else:
                assert cell.shown in (str(cell.value), pack.NOT_SHOWN), (breakdown.caption, cell)
            assert cell.plotted is None or cell.plotted >= 5
    # Accepted (5) stays, as several counts are hidden beside it...
    assert shown(context["referrals"].by_state)["Accepted"] == "5"
    # ...but with only Declined (2) hidden, Accepted (5) would give it away: both hidden.
    assert shown(context["referrals"].decisions) == {
        "Accepted": pack.NOT_SHOWN,
        "Declined": pack.FEWER,
    }
    assert "not shown" in context["referrals"].decisions.note
    # Seven decisions: the waiting days may be shown; the means of 2 or 3 pupils may not.
    assert context["referrals"].waiting.mean == Decimal("20.7")
    for row in context["outcomes"].rows:
        assert row.entry is None and row.exit is None
        assert row.entry_pupils.shown == pack.FEWER


def test_governors_pages_name_no_pupil(school, autumn, world, monkeypatch):
    # The order is the one neutral_order gives (random in a real pack), numbered from 1.
    monkeypatch.setattr(pack, "neutral_order", lambda cases: sorted(cases, key=lambda c: -c.pk))
    pages = pack.pack_context(school, autumn, pack.GOVERNORS, today=TODAY)["cases"]

    # Fewer than 5 cases: "Case 2", not "Case 2 of 4".
    assert [p.heading for p in pages] == ["Case 1", "Case 2", "Case 3", "Case 4"]
    # No review, not decided, close, continue: one case each, so the decisions table hides
    # every count, and the pages hide every decision.
    assert [p.decision for p in pages] == [pack.DECISION_NOT_SHOWN] * 4
    for page in pages:
        assert not page.named
        assert (page.reference, page.facts, page.decision_detail) == ("", [], "")
        assert all(t.what == "" and t.by_when is None and t.latest_on is None for t in page.targets)
    robin = pages[3]
    assert [(t.area, t.status, t.latest, t.entries) for t in robin.targets] == [
        ("Friendships", "Open", "Good progress", 2),
        ("Attainment", "Achieved", "", 0),
    ]
    assert (robin.attendance.expected, robin.attendance.held) == (6, 3)


def test_governors_pages_are_numbered_of_the_whole_from_5_cases(school, autumn, world):
    CaseFactory(pupil=PupilFactory(school=school), opened_on=dt.date(2026, 9, 7))
    pages = pack.pack_context(school, autumn, pack.GOVERNORS, today=TODAY)["cases"]
    assert [p.heading for p in pages] == [f"Case {n} of 5" for n in range(1, 6)]


def test_a_decision_the_table_shows_is_on_its_case_pages(school, autumn, world):
    """Five more cases with no review this term: that row of the table reads 6 (Wren's too),
    and its pages say so; the other decisions, one case each, stay hidden on theirs."""
    for _ in range(5):
        CaseFactory(pupil=PupilFactory(school=school), opened_on=dt.date(2026, 9, 7))
    pages = pack.pack_context(school, autumn, pack.GOVERNORS, today=TODAY)["cases"]
    decisions = sorted(p.decision for p in pages)
    assert decisions == ["No review for this term"] * 6 + [pack.DECISION_NOT_SHOWN] * 3


def test_the_neutral_order_is_a_shuffle_of_every_case():
    cases = list(range(40))
    orders = {tuple(pack.neutral_order(cases)) for _ in range(3)}
    assert all(sorted(order) == cases for order in orders)
    assert tuple(cases) not in orders or len(orders) > 1


def test_a_chart_with_no_bar_says_why_each_bar_is_missing(school, autumn, world):
    """Decisions: Declined (2) is under 5, and Accepted (5) is "not shown" so that the
    total cannot give Declined away: the empty chart names both reasons."""
    text = pdf_text(pack.render_review_pack(school, autumn, pack.GOVERNORS, None, today=TODAY))
    decisions = text.split("Decisions made this term Decision", 1)[1]
    decisions = decisions.split("Waiting times", 1)[0]
    assert pack.SOME_NOT_SHOWN in decisions and decisions.count("Not drawn") == 1
    # Nothing drawn in the outcomes chart: the means are of too few pupils.
    assert pack.FEW_PUPILS_NOT_DRAWN in text


def test_suppression_hides_a_second_count_only_when_one_could_be_worked_out():
    def cells(*values):
        return pack.suppress([pack.Cell(str(i), v) for i, v in enumerate(values)], protect=True)

    assert [c.shown for c in cells(12, 7, 3)] == ["12", "not shown", "fewer than 5"]
    assert [c.shown for c in cells(12, 7, 3, 1)] == ["12", "7", "fewer than 5", "fewer than 5"]
    assert [c.shown for c in cells(6, 9)] == ["6", "9"]
    assert [c.shown for c in pack.suppress([pack.Cell("x", 3)], protect=False)] == ["3"]


def pdf_text(data):
    """The PDF's text, lines joined by spaces (a wrapped cell reads as one)."""
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def forbidden_words(school):
    """Every way the pack could name one of the school's pupils."""
    words = set()
    for pupil in school.pupils.all():
        words |= {pupil.legal_first_name, pupil.legal_last_name, pupil.upn}
        if pupil.preferred_name:
            words.add(pupil.preferred_name)
        born = pupil.date_of_birth
        words |= {
            f"{born:%d/%m/%Y}",
            f"{born:%Y-%m-%d}",
            f"{born.day} {born:%B %Y}",
            f"{born:%d.%m.%Y}",
        }
    return words


def test_the_governors_pdf_names_no_pupil_and_hides_small_counts(school, autumn, world):
    data = pack.render_review_pack(school, autumn, pack.GOVERNORS, None, today=TODAY)
    text = pdf_text(data)

    assert "Termly review pack" in text
    assert "For governors" in text
    assert "fewer than 5" in text
    leaked = [w for w in forbidden_words(school) if w.lower() in text.lower()]
    assert not leaked, leaked
    assert TARGET_TEXT not in text
    meta = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert "Robin" not in (meta.title or "")


def test_the_governors_case_pages_cannot_be_matched_or_counted_by_kind(school, autumn, world):
    data = pack.render_review_pack(school, autumn, pack.GOVERNORS, None, today=TODAY)
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = pdf_text(data)
    cases = text.split("One page per case", 1)[1].split("Closures and their reasons", 1)[1]

    for n in range(1, 5):
        assert f"Case {n} " in cases
    # Each decision's count is under 5, so the table hides it, and so does each page:
    # otherwise counting pages would give it back.
    assert cases.count(pack.DECISION_NOT_SHOWN) == 4
    assert "Continue" not in cases and "Not yet decided" not in cases
    assert "Friendships Open Good progress 2" in cases  # Robin's target, without its wording
    assert "3 of 6 expected sessions held (50%)" in cases  # and his attendance
    # Nothing the staff pack shares: no case reference (in the text or as a link target),
    # no kind of support, no date.
    for case in world.values():
        assert case.reference not in text
    assert not any("C0" in name for name in reader.named_destinations)
    for word in ("Case reference", "Opened", "Support", "Mentoring", "Nurture", "Review by"):
        assert word not in cases, word
    assert not re.search(r"\d{2}/\d{2}/\d{4}", text)


def test_governors_sentences_and_totals_say_fewer_than_5(school, autumn, world):
    """4 cases (3 opened, 2 closed, 2 open at the end), 2 of them with a weekly slot: every
    one of these counts is under 5, in the text as in the tables."""
    text = pdf_text(pack.render_review_pack(school, autumn, pack.GOVERNORS, None, today=TODAY))
    summary = text.split("Case 1 ", 1)[0]

    assert "Cases this term fewer than 5" in summary  # the cover
    assert "(fewer than 5 cases): review decision" in summary
    assert "Fewer than 5 cases in the programme during the term" in summary
    assert "Opened this term: fewer than 5. Closed this term: fewer than 5." in summary
    assert "Open at the end of the term: fewer than 5." in summary
    assert "for fewer than 5 cases with a weekly slot" in summary
    assert "Fewer than 5 cases closed this term" in summary
    assert "Cases this term fewer than 5" in summary.split("Termly review decisions", 1)[1]
    assert "Closed fewer than 5" in summary  # the closures table's total
    # 8 referrals made and 7 decided are shown, and so is the decided total under the bands.
    assert "8 referrals made this term; 7 decisions made" in summary
    assert "Decided 7" in summary
    # No count of cases, referrals or decisions under 5, in a sentence or a total.
    small = re.findall(
        r"\b[0-4] (?:cases?|referrals?|decisions?|opened|closed)\b"
        r"|(?:Total|Closed|Decided|Cases this term|this term:) [0-4]\b",
        summary,
    )
    assert not small, small


def test_a_total_under_5_is_hidden_and_a_total_hides_the_last_small_one():
    def case(closed_on=None):
        return SimpleNamespace(
            opened_on=dt.date(2026, 9, 7),
            closed_on=closed_on,
            support_type=SupportType.MENTORING,
            pupil=SimpleNamespace(year_group=3),
        )

    term = SimpleNamespace(starts_on=dt.date(2026, 9, 2), ends_on=dt.date(2026, 12, 18))
    few = pack.caseload_figures([case(), case()], term, protect=True, charts=False)
    assert few.by_support.total.shown == pack.FEWER
    assert few.total.shown == pack.FEWER

    # 9 cases, 2 closed: "7 open at the end" beside "9" would give the 2 away.
    closed = dt.date(2026, 10, 1)
    cases = [case() for _ in range(7)] + [case(closed), case(closed)]
    many = pack.caseload_figures(cases, term, protect=True, charts=False)
    assert (many.total.shown, many.closed.shown, many.open_at_end.shown) == (
        "9",
        pack.FEWER,
        pack.NOT_SHOWN,
    )
    staff = pack.caseload_figures(cases, term, protect=False, charts=False)
    assert (str(staff.total), str(staff.closed), str(staff.open_at_end)) == ("9", "2", "7")


def summary_count_cells(html):
    """The text of every count of pupils or cases in the summary's breakdown tables."""
    summary = html.split('class="case-page"', 1)[0]
    return re.findall(r'<td class="num count[^"]*">([^<]*)</td>', summary)


def test_no_count_under_5_is_printed_in_the_governors_tables(school, autumn, world):
    context = pack.pack_context(school, autumn, pack.GOVERNORS, today=TODAY)
    cells = summary_count_cells(render_to_string(pack.PACK_TEMPLATE, context))

    assert len(cells) > 30
    assert "fewer than 5" in cells
    small = [c for c in cells if c not in ("fewer than 5", "not shown") and int(c) < 5]
    assert not small, small

    staff_context = pack.pack_context(school, autumn, pack.STAFF, today=TODAY)
    staff_cells = summary_count_cells(render_to_string(pack.PACK_TEMPLATE, staff_context))
    assert "fewer than 5" not in staff_cells
    assert "not shown" not in staff_cells
    assert "1" in staff_cells


def test_the_staff_pdf_names_pupils_and_leaves_out_other_terms_cases(
    school, other_school, autumn, world
):
    elsewhere = PupilFactory(school=other_school, legal_first_name="Quill")
    CaseFactory(pupil=elsewhere, opened_on=dt.date(2026, 9, 7))
    text = pdf_text(pack.render_review_pack(school, autumn, pack.STAFF, None, today=TODAY))

    assert "For staff" in text
    for name in ("Robin Testchild", "Skylar Testchild", "Juniper Testchild", "Wren Testchild"):
        assert name in text
    assert "Hazel" not in text
    assert "Ashby" not in text
    assert "Quill" not in text  # another school's
    assert TARGET_TEXT in text
    # The staff pack's case pages are as they were: reference, support, dates.
    assert f"Case reference {world['a'].reference}" in text
    assert "Support Mentoring Opened 07/09/2026" in text
    assert "Decided on 20/11/2026; next review 20/01/2027" in text
    assert "fewer than 5" not in text


def all_xobjects(reader):
    seen, found = set(), []

    def walk(resources):
        if not resources or "/XObject" not in resources:
            return
        for xobject in resources["/XObject"].values():
            ref = getattr(xobject, "idnum", None)
            if ref in seen:
                continue
            seen.add(ref)
            obj = xobject.get_object()
            found.append(obj.get("/Subtype"))
            walk(obj.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return found


def test_charts_are_vector_drawings_not_pictures(school, autumn, world):
    context = pack.pack_context(school, autumn, pack.STAFF, today=TODAY)
    assert context["caseload"].by_support.chart.startswith("data:image/svg+xml;base64,")
    assert context["outcomes"].chart.startswith("data:image/svg+xml;base64,")

    reader = pypdf.PdfReader(
        io.BytesIO(pack.render_review_pack(school, autumn, pack.STAFF, None, today=TODAY))
    )
    kinds = all_xobjects(reader)
    assert "/Form" in kinds  # the SVG charts, drawn as vector forms
    assert "/Image" not in kinds
    # The charts' labels are text in the PDF, not pixels.
    assert "Drawing & Talking" in reader.pages[1].extract_text()


def test_progress_rises_to_100_as_pages_are_laid_out(school, autumn, world):
    seen = []
    pack.render_review_pack(school, autumn, pack.STAFF, None, progress=seen.append, today=TODAY)

    assert seen == sorted(seen)
    assert seen[0] == pack.GATHERED
    assert seen[-1] == 100
    assert len(seen) >= 5  # moved during layout, not only at the start and the end


def test_the_governors_pack_of_the_demo_school_names_no_pupil(db):
    call_command("seed_demo", stdout=io.StringIO())
    school = School.objects.get()
    term = pack.find_term(school, "current")
    context = pack.pack_context(school, term, pack.GOVERNORS)
    assert context["cases"]
    data = pack.render_review_pack(school, term, pack.GOVERNORS, None)
    text = pdf_text(data).lower()
    words = forbidden_words(school)
    leaked = [w for w in words if len(w) > 2 and re.search(rf"\b{re.escape(w.lower())}\b", text)]
    assert not leaked, leaked
    cells = summary_count_cells(render_to_string(pack.PACK_TEMPLATE, context))
    assert not [c for c in cells if c not in ("fewer than 5", "not shown") and int(c) < 5]


# --- Terms and the command ----------------------------------------------------------------------


def test_a_term_is_found_by_id_by_name_and_year_or_as_current(school, autumn, spring):
    assert pack.find_term(school, str(autumn.pk)) == autumn
    assert pack.find_term(school, "autumn-2026") == autumn
    assert pack.find_term(school, "Spring-2027") == spring
    assert pack.find_term(school, "current", today=TODAY) == autumn
    assert pack.find_term(school, "current", today=dt.date(2026, 12, 28)) == autumn
    assert pack.find_term(school, "spring-2026") is None
    assert pack.find_term(school, "next") is None


def test_the_command_prints_a_pack_and_records_the_print(school, autumn, world, head, tmp_path):
    out = tmp_path / "pack.pdf"
    stdout = io.StringIO()
    call_command(
        "print_review_pack",
        "--term",
        "autumn-2026",
        "--audience",
        "governors",
        "--output",
        str(out),
        "--user",
        "head",
        stdout=stdout,
    )
    text = pdf_text(out.read_bytes())
    assert "Termly review pack" in text
    assert "Made for Hedda Staffperson on " in text
    assert "Printed by" not in text
    assert "Robin" not in text
    assert "governors' pack" in stdout.getvalue()
    event = AccessEvent.objects.get()
    assert (event.user, event.action, event.school) == (head, AccessEvent.Action.PRINT, school)


def test_the_command_refuses_what_it_cannot_do(school, autumn, mentor, tmp_path):
    args = ["print_review_pack", "--audience", "staff", "--output", str(tmp_path / "x.pdf")]
    with pytest.raises(CommandError, match="no term"):
        call_command(*args, "--term", "winter-2026")
    with pytest.raises(CommandError, match="not the head or the mentoring coordinator"):
        call_command(*args, "--term", "autumn-2026", "--user", "mentor")
    with pytest.raises(CommandError, match="no school called"):
        call_command(*args, "--term", "autumn-2026", "--school", "Nowhere")
    assert not (tmp_path / "x.pdf").exists()


# --- Asking for a pack, the worker, the download ------------------------------------------------


def test_the_page_is_for_the_head_and_the_coordinator_only(
    client_for, head, coordinator, mentor, class_teacher, office, autumn
):
    url = reverse("review_packs")
    for user in (head, coordinator):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert "Autumn 2026/27" in response.content.decode()
    for user in (mentor, class_teacher, office):
        client = client_for(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"term": autumn.pk, "audience": "staff"}).status_code == 403
        assert client.get(reverse("review_pack_list")).status_code == 403
    assert not GeneratedDocument.objects.exists()


def test_asking_for_a_pack_returns_at_once_and_leaves_it_waiting(
    client_for, head, school, autumn, world, django_capture_on_commit_callbacks
):
    client = client_for(head)
    with django_capture_on_commit_callbacks(execute=True):
        started = time.perf_counter()
        response = client.post(reverse("review_packs"), {"term": autumn.pk, "audience": "staff"})
        elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert elapsed < 1.0  # it renders nothing: measured in milliseconds
    document = GeneratedDocument.objects.get()
    assert (document.status, document.progress, document.file_name) == ("waiting", 0, "")
    assert (document.school, document.term, document.audience) == (school, autumn, "staff")
    assert document.requested_by == head
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "reviews.tasks.make_review_pack"
    assert queued.args_kwargs["args"] == [document.pk]

    page = client.get(reverse("review_packs")).content.decode()
    assert "Waiting" in page
    assert 'data-hx-trigger="every 2s"' in page
    assert 'href="/review-packs/"' in page  # Refresh, without JavaScript

    # The same pack asked for again while it is being made: not made twice.
    client.post(reverse("review_packs"), {"term": autumn.pk, "audience": "staff"})
    assert GeneratedDocument.objects.count() == 1


def test_a_pack_not_made_after_ten_minutes_says_the_worker_may_have_stopped(
    client_for, head, school, autumn
):
    def asked(minutes_ago):
        return asked_pack(
            school,
            autumn,
            head,
            "governors",
            requested_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        )

    stuck = asked(11)
    client = client_for(head)
    page = client.get(reverse("review_packs")).content.decode()
    assert "the background worker that makes packs may have stopped" in page
    assert f'id="pack-{stuck.pk}"' in page
    # Nothing else on its way: the list stops asking every 2 s.
    assert "every 2s" not in page
    assert "Not started after 10 minutes" in page

    # Asked for again: the stuck one is given up and a new one is on its way.
    response = client.post(reverse("review_packs"), {"term": autumn.pk, "audience": "governors"})
    assert response.status_code == 302
    stuck.refresh_from_db()
    assert stuck.status == "replaced"
    page = client.get(reverse("review_packs")).content.decode()
    assert "Asked for again, as it was not finished within 10 minutes.</small>" in page
    assert "may have stopped" not in page
    assert 'data-hx-trigger="every 2s"' in page
    assert GeneratedDocument.objects.filter(status="waiting").count() == 1
    # Asked for once more while that one is on its way: not made twice.
    client.post(reverse("review_packs"), {"term": autumn.pk, "audience": "governors"})
    assert GeneratedDocument.objects.count() == 2


def test_packs_given_up_before_replaced_was_a_status_are_marked_replaced(
    client_for, head, school, autumn
):
    """They were marked failed, with an error saying why; a pack that really failed stays
    failed, and only it asks to be asked for again."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("reviews.migrations.0005_pack_replaced")
    given_up = asked_pack(
        school,
        autumn,
        head,
        status="failed",
        error="Asked for again, as it was not finished within 10 minutes.",
    )
    failed = asked_pack(school, autumn, head, status="failed", error="The pack could not be made.")

    migration.mark_replaced(apps, None)

    given_up.refresh_from_db()
    failed.refresh_from_db()
    assert (given_up.status, failed.status) == ("replaced", "failed")
    page = client_for(head).get(reverse("review_packs")).content.decode()
    assert "Replaced</span> <small>Asked for again, as it was not finished" in page
    assert page.count("Ask for it again.") == 1
    # Undone, the migration leaves them as they were stored before it.
    migration.mark_failed(apps, None)
    given_up.refresh_from_db()
    assert given_up.status == "failed" and given_up.error.startswith("Asked for again, as")


def test_only_terms_that_have_begun_are_offered(client_for, head, school, autumn, spring, today):
    # Today is 26 November 2026: the spring term (from 5 January 2027) has not begun.
    client = client_for(head)
    page = client.get(reverse("review_packs")).content.decode()
    assert "Autumn 2026/27" in page
    assert "Spring 2026/27" not in page
    response = client.post(reverse("review_packs"), {"term": spring.pk, "audience": "staff"})
    assert response.status_code == 200
    assert "Choose a term." in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_who_the_pack_is_for_is_chosen_each_time_never_assumed(client_for, head, autumn):
    # A head who means the governors' pack and misses the choice must not get one naming
    # children: nothing is chosen to begin with, and a request without a choice is refused.
    client = client_for(head)
    page = client.get(reverse("review_packs")).content.decode()
    assert 'value="staff"' in page and 'value="governors"' in page
    assert "checked" not in page
    response = client.post(reverse("review_packs"), {"term": autumn.pk})
    assert response.status_code == 200
    assert "Choose who the pack is for." in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_the_command_refuses_a_term_that_has_not_begun(school, autumn, spring, tmp_path, today):
    out = tmp_path / "pack.pdf"
    with pytest.raises(CommandError, match="Spring 2026/27 has not begun yet"):
        call_command(
            "print_review_pack",
            "--term",
            "spring-2027",
            "--audience",
            "staff",
            "--output",
            str(out),
        )
    assert not out.exists()
    with pytest.raises(ValueError, match="has not begun yet"):
        pack.pack_context(school, spring, pack.STAFF, today=today)


def test_a_term_of_another_school_cannot_be_asked_for(client_for, head, other_school):
    term = TermFactory(academic_year=AcademicYearFactory(school=other_school))
    response = client_for(head).post(
        reverse("review_packs"), {"term": term.pk, "audience": "staff"}
    )
    assert response.status_code == 200
    assert "Choose a term." in response.content.decode()
    assert not GeneratedDocument.objects.exists()


# The worker closes and reopens its database connection, as it does between tasks: that
# needs real transactions, not the test's own wrapping one.
@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_pack_and_the_head_downloads_it(
    client_for, head, coordinator, school, autumn, world, django_capture_on_commit_callbacks
):
    client = client_for(head)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("review_packs"), {"term": autumn.pk, "audience": "governors"})
    document = GeneratedDocument.objects.get()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    document.refresh_from_db()
    assert (document.status, document.progress) == ("ready", 100)
    assert document.finished_at is not None
    assert (settings.GENERATED_DIR / document.file_name).is_file()
    statuses = [h.status for h in document.history.order_by("history_date", "history_id")]
    assert statuses == ["waiting", "running", "ready"]
    listing = client.get(reverse("review_pack_list")).content.decode()
    assert "Ready" in listing
    assert "hx-trigger" not in listing  # nothing left to wait for: polling stops

    response = client.get(reverse("review_pack_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "review-pack-autumn-2026-governors.pdf" in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    assert "Termly review pack" in text
    # The footer says who the pack was made for and when; not who printed it, as it is
    # stored and may be downloaded by another (each download is in the access record).
    made = timezone.localtime(document.finished_at)
    assert f"Made for Hedda Staffperson on {made:%-d %B %Y} at " in text
    assert "Printed" not in text
    event = AccessEvent.objects.get(action=AccessEvent.Action.DOWNLOAD)
    assert (event.user, event.action, event.school) == (head, AccessEvent.Action.DOWNLOAD, school)
    assert "governors" in event.what

    # The coordinator of the same school may download it too: the same file, the same
    # footer, and the download recorded as the coordinator's.
    again = client_for(coordinator).get(response.request["PATH_INFO"])
    assert again.status_code == 200
    assert "Made for Hedda Staffperson" in pdf_text(b"".join(again.streaming_content))
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.DOWNLOAD, user=coordinator, school=school
    ).exists()
    # The task run again (say, enqueued twice) leaves the finished pack alone.
    assert make_review_pack.call(document.pk) is None
    document.refresh_from_db()
    assert document.status == "ready"


def test_the_task_called_directly_marks_a_failure(school, autumn, head, monkeypatch):
    document = asked_pack(school, autumn, head)

    def broken(*args, **kwargs):
        raise RuntimeError("Robin's page broke")

    monkeypatch.setattr("reviews.tasks.render_review_pack", broken)
    with pytest.raises(RuntimeError):
        make_review_pack.call(document.pk)
    document.refresh_from_db()
    assert document.status == "failed"
    assert "Robin" not in document.error  # the reason, without what it was about
    assert document.finished_at is not None


def test_downloads_are_not_found_outside_the_school_or_the_roles(
    client_for, head, mentor, class_teacher, office, school, other_school, autumn, generated_dir
):
    made = ready_pack(school, autumn, head, generated_dir)
    other_head = staff(other_school, Role.HEAD, username="head2")
    other_term = TermFactory(academic_year=AcademicYearFactory(school=other_school))
    theirs = ready_pack(other_school, other_term, other_head, generated_dir)

    assert client_for(head).get(download(theirs)).status_code == 404
    for user in (mentor, class_teacher, office, other_head):
        assert client_for(user).get(download(made)).status_code == 404
    assert client_for(other_head).get(download(theirs)).status_code == 200
    assert not AccessEvent.objects.filter(user=head, action=AccessEvent.Action.DOWNLOAD).exists()


def download(document):
    return reverse("review_pack_download", args=[document.pk])


def test_an_unfinished_pack_cannot_be_downloaded(client_for, head, school, autumn):
    document = asked_pack(school, autumn, head)
    assert client_for(head).get(download(document)).status_code == 404


def test_prune_removes_old_files_and_marks_their_rows(
    school, autumn, head, generated_dir, settings, client_for
):
    settings.GENERATED_KEEP_DAYS = 14
    old = ready_pack(school, autumn, head, generated_dir, days_ago=15)
    recent = ready_pack(school, autumn, head, generated_dir, days_ago=2)
    stuck = asked_pack(
        school,
        autumn,
        head,
        requested_at=timezone.now() - dt.timedelta(days=20),
        status=GeneratedDocument.Status.RUNNING,
    )
    stray = generated_dir / "review-pack-999.pdf.part"
    stray.write_bytes(b"half")
    old_time = time.time() - 20 * 86400
    os.utime(stray, (old_time, old_time))
    old_file = generated_dir / old.file_name

    out = io.StringIO()
    call_command("prune_generated_documents", "--dry-run", stdout=out)
    assert "Would remove 1 document" in out.getvalue()
    assert old_file.exists() and stray.exists()

    call_command("prune_generated_documents", stdout=io.StringIO())
    assert not old_file.exists()
    assert not stray.exists()
    assert (generated_dir / recent.file_name).exists()
    old.refresh_from_db()
    assert (old.status, old.file_name) == ("ready", "")
    assert "Removed after 14 days" in old.error
    stuck.refresh_from_db()
    assert stuck.status == "failed"
    assert client_for(head).get(download(old)).status_code == 404
    assert "Removed" in client_for(head).get(reverse("review_pack_list")).content.decode()


def test_the_heads_landing_page_links_to_the_packs(client_for, head, mentor):
    page = client_for(head).get(reverse("home")).content.decode()
    assert "Termly review packs" in page
    assert reverse("review_packs") in page
    assert reverse("review_packs") not in client_for(mentor).get(reverse("home")).content.decode()


def test_the_contents_give_each_parts_page_and_the_staff_pack_lists_its_cases(
    school, autumn, world
):
    staff = pypdf.PdfReader(
        io.BytesIO(pack.render_review_pack(school, autumn, pack.STAFF, None, today=TODAY))
    )
    cover = staff.pages[0].extract_text()
    assert "Programme summary, page 2" in " ".join(cover.split())
    pages = [" ".join(page.extract_text().split()) for page in staff.pages]
    for name in ("Robin Testchild", "Skylar Testchild", "Juniper Testchild", "Wren Testchild"):
        listed = re.search(rf"{name}, page (\d+)", " ".join(cover.split()))
        assert listed, name
        # That page is the case's: its running header names the pupil.
        assert f"School — {name}" in pages[int(listed.group(1)) - 1], name
    # The governors' pack names no case, on its cover either.
    governors = pdf_text(pack.render_review_pack(school, autumn, pack.GOVERNORS, None, today=TODAY))
    cover = governors.split("Programme summary Caseload", 1)[0]
    assert re.search(r"One page per case, page \d+", cover)
    assert "Testchild" not in governors
