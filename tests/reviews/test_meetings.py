"""Meetings about a case and the actions agreed: recorded on a page, shown on the case page
and on each owner's landing page, and marked done by their owner."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from mentoring.models import Case, Role, User
from reviews import meetings
from reviews.models import MeetingAction, MeetingRecord
from reviews.views.meetings import case_meetings, my_actions

from ..factories import CaseFactory, PupilFactory, staff

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def uk(day):
    return date_format(day, "j M Y")


def form_data(*actions, **fields):
    data = {
        "met_on": TODAY.isoformat(),
        "kind": "parents",
        "attendees": "Alex Testparent (mother), Mina Staffperson (mentor)",
        "notes": "Robin is sleeping badly since the move; mum will try an earlier bedtime.",
        "actions-TOTAL_FORMS": "4",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "4",
    }
    for number, (action, owner, due_on) in enumerate(actions):
        data[f"actions-{number}-action"] = action
        data[f"actions-{number}-owner"] = str(owner.pk) if owner else ""
        data[f"actions-{number}-due_on"] = due_on.isoformat() if due_on else ""
    data.update(fields)
    return data


def record(case, user, *actions, met_on=TODAY):
    """A meeting recorded through the service, with (action, owner, due_on) actions."""
    return meetings.meeting_record(
        case=case,
        user=user,
        met_on=met_on,
        kind="class_teacher",
        attendees="Tess Staffperson, Mina Staffperson",
        notes="Talked about playtimes.",
        actions=[{"action": a, "owner": o, "due_on": d} for a, o, d in actions],
    )


def test_the_mentor_records_a_meeting_with_two_actions(client_for, mentor, class_teacher, case):
    client = client_for(mentor)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "No meeting recorded yet." in page
    assert reverse("meeting_create", args=[case.pk]) in page

    form = client.get(reverse("meeting_create", args=[case.pk])).content.decode()
    assert "Tess Staffperson (Class teacher)" in form  # staff offered with their roles

    week = TODAY + dt.timedelta(days=7)
    response = client.post(
        reverse("meeting_create", args=[case.pk]),
        form_data(
            ("Send the reading record home each night", class_teacher, week),
            ("Phone mum about bedtimes", mentor, TODAY + dt.timedelta(days=3)),
        ),
        follow=True,
    )
    page = response.content.decode()
    assert f"Meeting with parents/carers, {TODAY:%d/%m/%Y} recorded, with 2 actions." in page
    assert f"{uk(TODAY)}: meeting with parents/carers" in page
    assert "Alex Testparent (mother)" in page
    assert "mum will try an earlier bedtime" in page
    assert "Send the reading record home each night" in page
    assert "Tess Staffperson" in page
    assert uk(week) in page
    meeting = MeetingRecord.objects.get()
    assert meeting.recorded_by == mentor
    assert meeting.history.get().history_user == mentor
    assert {a.owner for a in meeting.actions.all()} == {class_teacher, mentor}


def test_the_class_teacher_sees_their_action_but_not_the_case(
    client_for, mentor, class_teacher, case
):
    record(case, mentor, ("Move Robin nearer the front", class_teacher, TODAY))
    page = client_for(class_teacher).get(reverse("home")).content.decode()
    assert "My actions from case meetings" in page
    assert "Move Robin nearer the front" in page
    assert uk(TODAY) in page
    assert ">RT</abbr>" in page  # the pupil's initials, not a link to the case
    assert reverse("case_detail", args=[case.pk]) not in page
    assert "Overdue" not in page
    # The mentor owns nothing, so sees no such section.
    assert "My actions from case meetings" not in client_for(mentor).get("/").content.decode()


def test_an_owner_who_may_see_the_case_gets_a_link_and_overdue_is_said(
    client_for, mentor, class_teacher, case
):
    record(
        case,
        mentor,
        ("Write to the educational psychologist", mentor, TODAY - dt.timedelta(days=1)),
        met_on=TODAY - dt.timedelta(days=10),
    )
    page = client_for(mentor).get(reverse("home")).content.decode()
    assert "Write to the educational psychologist" in page
    assert "Overdue" in page
    assert "1 overdue" in page
    assert reverse("case_detail", args=[case.pk]) in page


def test_an_owner_with_several_roles_sees_the_section_once(client_for, mentor, case, school):
    head_and_dsl = staff(school, Role.HEAD, Role.DSL, username="hd", first_name="Hedda")
    record(case, mentor, ("Ring the social worker", head_and_dsl, TODAY))
    page = client_for(head_and_dsl).get(reverse("home")).content.decode()
    assert page.count("My actions from case meetings") == 1
    assert page.count("<td>Ring the social worker</td>") == 1
    assert reverse("case_detail", args=[case.pk]) in page


def test_marking_done_takes_the_action_off_the_landing_page(
    client_for, mentor, class_teacher, case
):
    record(case, mentor, ("Move Robin nearer the front", class_teacher, TODAY))
    action = MeetingAction.objects.get()
    client = client_for(class_teacher)
    response = client.post(
        reverse("meeting_action_done", args=[action.pk]), {"next": "/"}, follow=True
    )
    page = response.content.decode()
    assert "Done: Move Robin nearer the front" in page
    assert "My actions from case meetings" not in page
    action.refresh_from_db()
    assert action.done_on == TODAY
    assert action.history.first().history_user == class_teacher
    # The case page shows it done, below any open action.
    case_page = client_for(mentor).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert f"Done {uk(TODAY)}" in case_page
    # A second click is refused politely.
    again = client.post(reverse("meeting_action_done", args=[action.pk]), follow=True)
    assert "already marked done" in again.content.decode()


def test_open_actions_come_first_on_the_case_page(client_for, mentor, coordinator, case):
    record(
        case,
        mentor,
        ("Earlier but done", mentor, TODAY),
        ("Later and open", mentor, TODAY + dt.timedelta(days=5)),
    )
    meetings.action_done(action=MeetingAction.objects.get(action="Earlier but done"), user=mentor)
    page = client_for(coordinator).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert page.index("Later and open") < page.index("Earlier but done")


def test_a_meeting_without_notes_is_refused_and_nothing_saved(client_for, mentor, case):
    response = client_for(mentor).post(
        reverse("meeting_create", args=[case.pk]),
        form_data(("Phone mum", mentor, TODAY), notes=""),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The meeting is not saved. Correct what is marked below." in page
    assert "Write the notes of the meeting." in page
    assert 'value="Phone mum"' in page  # what was typed is kept
    assert not MeetingRecord.objects.exists()
    assert not MeetingAction.objects.exists()


def test_an_action_without_a_due_date_is_refused_and_nothing_saved(
    client_for, mentor, class_teacher, case
):
    response = client_for(mentor).post(
        reverse("meeting_create", args=[case.pk]),
        form_data(("Phone mum", mentor, TODAY), ("Check the reading record", class_teacher, None)),
    )
    page = response.content.decode()
    assert "The meeting is not saved. Correct what is marked below." in page
    assert "Give the action a due date." in page
    assert not MeetingRecord.objects.exists()
    assert not MeetingAction.objects.exists()


def test_a_meeting_in_the_future_is_refused(client_for, mentor, case):
    tomorrow = TODAY + dt.timedelta(days=1)
    response = client_for(mentor).post(
        reverse("meeting_create", args=[case.pk]), form_data(met_on=tomorrow.isoformat())
    )
    assert "The date of the meeting cannot be in the future." in response.content.decode()
    assert not MeetingRecord.objects.exists()


def test_a_closed_case_refuses_a_meeting(client_for, mentor, case):
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, closed_on=TODAY)
    client = client_for(mentor)
    case_page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert reverse("meeting_create", args=[case.pk]) not in case_page
    response = client.post(reverse("meeting_create", args=[case.pk]), form_data())
    page = response.content.decode()
    assert "This case is closed, so it can no longer be changed." in page
    assert not MeetingRecord.objects.exists()


def test_an_owner_must_be_staff_of_the_pupils_school(mentor, case, other_school):
    outsider = staff(other_school, Role.CLASS_TEACHER, username="outsider")
    nobody = User.objects.create(username="no-role", first_name="Nora")
    for owner in (outsider, nobody):
        with pytest.raises(ValidationError, match="not a member of staff of the pupil's school"):
            record(case, mentor, ("Phone mum", owner, TODAY))
    assert not MeetingRecord.objects.exists()


@pytest.mark.parametrize("persona", ["other_mentor", "class_teacher", "office"])
def test_others_cannot_find_the_add_page(client_for, request, case, persona):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("meeting_create", args=[case.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    assert not MeetingRecord.objects.exists()


def test_the_coordinator_records_but_the_head_only_reads(client_for, coordinator, head, case):
    url = reverse("meeting_create", args=[case.pk])
    assert client_for(head).get(url).status_code == 403
    response = client_for(coordinator).post(url, form_data())
    assert response.status_code == 302
    page = client_for(head).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "mum will try an earlier bedtime" in page
    assert url not in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_mentor", 404), ("office", 404), ("mentor", 403), ("head", 403)],
)
def test_only_the_owner_or_the_coordinator_mark_an_action_done(
    client_for, request, class_teacher, coordinator, case, persona, status
):
    record(case, case.mentor, ("Move Robin nearer the front", class_teacher, TODAY))
    action = MeetingAction.objects.get()
    url = reverse("meeting_action_done", args=[action.pk])
    user = request.getfixturevalue(persona)
    assert client_for(user).post(url).status_code == status
    assert client_for(user).get(url).status_code in (404, 405)
    action.refresh_from_db()
    assert action.done_on is None
    assert client_for(coordinator).post(url).status_code == 302
    action.refresh_from_db()
    assert action.done_on == TODAY


def test_a_closed_cases_actions_leave_the_landing_page(client_for, mentor, class_teacher, case):
    record(case, mentor, ("Move Robin nearer the front", class_teacher, TODAY))
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, closed_on=TODAY)
    page = client_for(class_teacher).get(reverse("home")).content.decode()
    assert "Move Robin nearer the front" not in page
    with pytest.raises(ValidationError, match="This case is closed"):
        meetings.action_done(action=MeetingAction.objects.get(), user=class_teacher)


def _queries(build):
    with CaptureQueriesContext(connection) as queries:
        build()
    return len(queries)


def test_no_query_per_row_on_either_section(mentor, class_teacher, case, school):
    def count():
        owner = User.objects.get(pk=class_teacher.pk)
        viewer = User.objects.get(pk=mentor.pk)
        return (
            _queries(lambda: my_actions(owner, set())),
            _queries(lambda: case_meetings(viewer, Case.objects.get(pk=case.pk))),
        )

    record(case, mentor, ("One", class_teacher, TODAY))
    few = count()
    for n in range(3):
        other = CaseFactory(pupil=PupilFactory(school=school), mentor=mentor)
        record(other, mentor, (f"Other {n}", class_teacher, TODAY), ("Mine", mentor, TODAY))
        record(case, mentor, (f"More {n}", class_teacher, TODAY), ("Mine", mentor, TODAY))
    assert count() == few
