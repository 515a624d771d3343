"""Closing a case (its slot ends with it), a closed case is read-only everywhere, and a new
block reopens it as a new episode with the old one kept."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentoring.models import Case, ClosureDay
from referrals import services as referrals
from referrals.models import ConsentRecord
from reviews import closure, termly
from reviews.models import Administration, CaseClosure, Questionnaire, TermlyReview
from sessions import services as sessions
from sessions.models import SessionRecord

from ..clock import freeze_today
from ..factories import CaseFactory, ClosureDayFactory, RoomFactory, TermFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)
CLOSED_MESSAGE = "This case is closed, so it can no longer be changed."


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    return freeze_today(monkeypatch, TODAY)


@pytest.fixture
def autumn(school):
    term = TermFactory(academic_year__school=school)
    ClosureDayFactory(school=school, date=dt.date(2026, 11, 2), kind=ClosureDay.Kind.INSET)
    return term


@pytest.fixture
def allocation(pupil, autumn, coordinator, mentor):
    """A Tuesday slot from 5 October for 10 school weeks (to 15 December), one session logged."""
    case = CaseFactory(pupil=pupil, opened_on=dt.date(2026, 9, 1))
    ConsentRecord.objects.create(
        case=case,
        decision=ConsentRecord.Decision.GIVEN,
        given_by="Pat Testparent",
        relationship="Mother",
        method=ConsentRecord.Method.SLIP,
        decided_on=dt.date(2026, 9, 1),
        recorded_by=coordinator,
    )
    allocation = sessions.allocate(
        case=case,
        user=coordinator,
        mentor=mentor,
        room=RoomFactory(school=case.school),
        weekday=1,
        starts_at=dt.time(10, 30),
        duration=30,
        block_starts_on=dt.date(2026, 10, 5),
        block_weeks=10,
    )
    log(allocation, mentor, dt.date(2026, 10, 6))
    return allocation


@pytest.fixture
def case(allocation):
    return allocation.case


def log(allocation, mentor, day):
    return sessions.session_record_save(
        record=SessionRecord(
            case=allocation.case, slot=allocation.slot, date=day, what_was_done="Board games"
        ),
        user=mentor,
        today=TODAY,
    )


CLOSE_FORM = {
    "reason": "targets_met",
    "closed_on": "2026-11-20",
    "background": "Referred for friendship worries in Year 3.",
    "what_was_done": "Ten weekly sessions; playground buddies.",
    "outcomes": "Staff rating up from 2.5 to 4.0.",
    "lessons": "Involving the lunchtime staff early helped.",
}


def close(client, case):
    return client.post(reverse("case_close", args=[case.pk]), CLOSE_FORM)


def test_closing_through_the_page_closes_the_case_and_ends_its_slot(
    client_for, case, allocation, coordinator
):
    client = client_for(coordinator)
    page = client.get(reverse("case_close", args=[case.pk])).content.decode()
    assert "Exit questionnaires" in page and reverse("case_detail", args=[case.pk]) in page
    response = close(client, case)
    assert response.status_code == 302
    case.refresh_from_db()
    allocation.refresh_from_db()
    allocation.slot.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closed_on == dt.date(2026, 11, 20) and case.closed_reason == "Targets met"
    assert allocation.ended_on == dt.date(2026, 11, 20)
    assert allocation.slot.ended_on == dt.date(2026, 11, 20)  # its only pupil: the slot stops
    record = CaseClosure.objects.get(case=case)
    assert record.closed_by == coordinator and record.lessons.startswith("Involving")
    assert case.history.first().history_user == coordinator
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Case study" in page and "Ten weekly sessions; playground buddies." in page
    assert "Reopen as a new episode" in page


def test_the_page_names_exit_questionnaires_still_to_give(client_for, case, coordinator):
    questionnaire = Questionnaire.objects.create(
        school=case.school, kind=Questionnaire.Kind.PUPIL, name="All about me"
    )
    Administration.objects.create(
        case=case,
        questionnaire=questionnaire,
        stage="entry",
        completed_by="The pupil",
        recorded_by=coordinator,
    )
    page = client_for(coordinator).get(reverse("case_close", args=[case.pk])).content.decode()
    assert "Given at entry with no exit yet: All about me." in page


def test_closing_from_a_second_tab_keeps_what_was_typed(client_for, case, coordinator):
    first_tab = client_for(coordinator)
    close(first_tab, case)
    second = {**CLOSE_FORM, "reason": "moved", "lessons": "Typed in the second tab, not lost."}
    response = first_tab.post(reverse("case_close", args=[case.pk]), second)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The case was closed while this form was open" in page
    assert f"{coordinator} closed it on 20 Nov 2026 (reason: targets met)" in page
    assert "Typed in the second tab, not lost." in page and "readonly" in page
    assert re.search(r'<select[^>]*name="reason"[^>]*disabled', page)
    assert "Close the case</button>" not in page  # nothing left to submit
    assert CaseClosure.objects.get(case=case).lessons.startswith("Involving")
    # Opening the form on a closed case still just says so.
    response = first_tab.get(reverse("case_close", args=[case.pk]))
    assert response.status_code == 302 and response.url == reverse("case_detail", args=[case.pk])


def test_a_case_closed_by_a_refused_consent_meanwhile_says_so_and_keeps_the_text(
    client_for, case, coordinator
):
    """A refused consent closes the case with no case study (no CaseClosure row)."""
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED, closed_on=TODAY, closed_reason="Consent refused"
    )
    page = close(client_for(coordinator), case).content.decode()
    assert "It was closed on 23 Nov 2026 (reason: consent refused)." in page
    assert "Referred for friendship worries in Year 3." in page
    assert "Close the case</button>" not in page


def test_a_closing_date_in_the_future_or_before_opening_is_refused(client_for, case, coordinator):
    response = client_for(coordinator).post(
        reverse("case_close", args=[case.pk]), {**CLOSE_FORM, "closed_on": "2026-11-24"}
    )
    assert "The date cannot be in the future." in response.content.decode()
    with pytest.raises(ValidationError, match="cannot close before"):
        closure.case_close(
            case=case, user=coordinator, reason="other", closed_on=dt.date(2026, 8, 1)
        )
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_a_closed_case_refuses_every_change(
    client_for, case, allocation, autumn, coordinator, mentor, class_teacher
):
    review = termly.review_save(
        review=TermlyReview(case=case, term=autumn, progress_summary="Good term"), user=mentor
    )
    closure.case_close(
        case=case, user=coordinator, reason="block_ended", closed_on=dt.date(2026, 11, 20)
    )
    review.refresh_from_db()
    # Editing the review, through the page and the service.
    response = client_for(mentor).post(
        reverse("termly_review_edit", args=[review.pk]), {"progress_summary": "Changed"}
    )
    assert CLOSED_MESSAGE in response.content.decode()
    review.progress_summary = "Changed"
    with pytest.raises(ValidationError, match=CLOSED_MESSAGE):
        termly.review_save(review=review, user=mentor)
    with pytest.raises(ValidationError, match=CLOSED_MESSAGE):
        termly.teacher_view_save(review=review, user=class_teacher, teacher_view="Settled")
    with pytest.raises(ValidationError, match=CLOSED_MESSAGE):
        termly.review_decide(
            review=review, user=coordinator, decision="continue", next_review_on=TODAY
        )
    # Adding a review (for another term: this one already has its review).
    spring = TermFactory(
        academic_year=autumn.academic_year,
        name="spring",
        starts_on=dt.date(2027, 1, 5),
        half_term_starts_on=dt.date(2027, 2, 15),
        half_term_ends_on=dt.date(2027, 2, 19),
        ends_on=dt.date(2027, 3, 26),
    )
    with pytest.raises(ValidationError, match=CLOSED_MESSAGE):
        termly.review_save(
            review=TermlyReview(case=case, term=spring, progress_summary="x"), user=mentor
        )
    # The form does not open for a closed case...
    opening = client_for(mentor).get(reverse("termly_review_create", args=[case.pk]), follow=True)
    assert "This case is closed, so no review can be started for it." in opening.content.decode()
    assert "progress_summary" not in opening.content.decode()
    # ...and a post from a page opened before it closed says so, keeping what was typed.
    response = client_for(mentor).post(
        reverse("termly_review_create", args=[case.pk]),
        {"term": autumn.pk, "progress_summary": "x"},
    )
    assert CLOSED_MESSAGE in response.content.decode()
    # Closing again.
    with pytest.raises(ValidationError, match=CLOSED_MESSAGE):
        closure.case_close(case=case, user=coordinator, reason="other", closed_on=TODAY)
    # The sessions app and the referrals app check the case's status themselves.
    with pytest.raises(ValidationError, match="This case is closed; its records can no longer"):
        log(allocation, mentor, dt.date(2026, 10, 13))
    with pytest.raises(ValidationError, match="This case is closed; consent can no longer be"):
        referrals.consent_record(
            case=case,
            user=coordinator,
            decision="withdrawn",
            given_by="Pat Testparent",
            relationship="Mother",
            method="phone",
            decided_on=TODAY,
        )
    review.refresh_from_db()
    assert review.progress_summary == "Good term"
    assert TermlyReview.objects.filter(case=case).count() == 1
    assert not SessionRecord.objects.filter(case=case, date=dt.date(2026, 10, 13)).exists()


def test_reopening_makes_a_new_episode_linked_to_the_old(client_for, case, coordinator):
    closure.case_close(case=case, user=coordinator, reason="block_ended", closed_on=TODAY)
    client = client_for(coordinator)
    page = client.get(reverse("case_reopen", args=[case.pk])).content.decode()
    assert "Consent is needed again." in page
    response = client.post(reverse("case_reopen", args=[case.pk]))
    episode = Case.objects.get(previous_episode=case)
    assert response["Location"] == reverse("case_detail", args=[episode.pk])
    assert episode.status == Case.Status.OPEN and episode.opened_on == TODAY
    assert (episode.pupil, episode.school, episode.support_type) == (
        case.pupil,
        case.school,
        case.support_type,
    )
    assert not episode.consent_records.exists() and not episode.allocations.exists()
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    new_page = client.get(reverse("case_detail", args=[episode.pk])).content.decode()
    assert "Earlier episode" in new_page
    assert reverse("case_detail", args=[case.pk]) in new_page
    old_page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Continued in" in old_page and episode.reference in old_page
    assert "Reopen as a new episode" not in old_page
    with pytest.raises(ValidationError, match="already continued in case"):
        closure.case_reopen(case=case, user=coordinator)


def test_an_open_case_cannot_be_reopened(client_for, case, coordinator):
    response = client_for(coordinator).post(reverse("case_reopen", args=[case.pk]))
    assert "only a closed case can be reopened" in response.content.decode()
    assert not Case.objects.filter(previous_episode=case).exists()


# --- Who may do what ---------------------------------------------------------------------------


def test_only_the_coordinator_closes_and_reopens(client_for, case, mentor, other_mentor, head):
    for url in (reverse("case_close", args=[case.pk]), reverse("case_reopen", args=[case.pk])):
        assert client_for(mentor).get(url).status_code == 403
        assert client_for(mentor).post(url, CLOSE_FORM).status_code == 403
        assert client_for(head).post(url, CLOSE_FORM).status_code == 403
        assert client_for(other_mentor).get(url).status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    page = client_for(mentor).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert reverse("case_close", args=[case.pk]) not in page
