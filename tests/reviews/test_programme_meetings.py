"""Programme meetings: the coordinator records the end-of-block, termly and annual meetings
with who attended, what was decided and the actions agreed; the school's mentors read them;
each action shows on its owner's landing page until it is done."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import Role
from reviews import programme_meetings as programme
from reviews.models import ProgrammeAction, ProgrammeMeeting

from ..clock import freeze_today
from ..factories import SchoolFactory, StaffMemberFactory, staff

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    return freeze_today(monkeypatch, TODAY)


def form_data(attendees, *actions, **fields):
    data = {
        "met_on": "2026-11-20",
        "kind": "end_of_block",
        "attendees": [str(u.pk) for u in attendees],
        "notes": "The autumn block ended; the sand tray was the pupils' favourite.",
        "decisions": "Blocks stay at eight weeks.",
        "actions-TOTAL_FORMS": "4",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "4",
    }
    for number, (action, owner, due_on) in enumerate(actions):
        data[f"actions-{number}-action"] = action
        data[f"actions-{number}-owner"] = str(owner.pk)
        data[f"actions-{number}-due_on"] = due_on
    data.update(fields)
    return data


def record(school, coordinator, *actions, met_on=dt.date(2026, 11, 20), attendees=()):
    return programme.programme_meeting_record(
        school=school,
        user=coordinator,
        met_on=met_on,
        kind=ProgrammeMeeting.Kind.TERMLY,
        attendees=list(attendees) or [coordinator],
        notes="Reviewed the term's blocks.",
        decisions="Share worksheets in the library.",
        actions=[{"action": a, "owner": o, "due_on": d} for a, o, d in actions],
    )


def test_the_coordinator_records_a_meeting_the_mentors_then_read(
    client_for, coordinator, mentor, other_mentor, school
):
    page = client_for(coordinator).post(
        reverse("programme_meeting_create"),
        form_data([coordinator, mentor], ("Order new sand-tray figures", mentor, "2026-12-04")),
    )
    meeting = ProgrammeMeeting.objects.get()
    assert page.status_code == 302 and page.url == reverse("programme_meeting", args=[meeting.pk])
    assert set(meeting.attendees.all()) == {coordinator, mentor}
    assert meeting.history.filter(history_type="+").get().history_user == coordinator
    assert ProgrammeAction.history.get().history_user == coordinator

    shown = client_for(other_mentor).get(page.url).content.decode()
    assert "End of block meeting, 20 November 2026" in shown
    assert "the sand tray was the pupils&#x27; favourite" in shown
    assert "Blocks stay at eight weeks." in shown
    assert "Order new sand-tray figures" in shown
    assert "Change the meeting" not in shown  # mentors read, the coordinator edits

    listed = client_for(mentor).get(reverse("programme_meeting_list")).content.decode()
    assert "End of block meeting" in listed and "1 of 1" in listed


def test_a_refused_meeting_saves_nothing_and_says_why(client_for, coordinator, mentor):
    page = client_for(coordinator).post(
        reverse("programme_meeting_create"),
        form_data([], ("Order figures", mentor, "2026-11-01"), notes=""),
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Choose who attended." in text and "Write the notes of the meeting." in text
    assert not ProgrammeMeeting.objects.exists() and not ProgrammeAction.objects.exists()


def test_an_action_due_before_the_meeting_is_refused_whole(client_for, coordinator, mentor):
    page = client_for(coordinator).post(
        reverse("programme_meeting_create"),
        form_data([coordinator], ("Order figures", mentor, "2026-11-01")),
    )
    assert "Action 1: the due date is before the meeting." in page.content.decode()
    assert not ProgrammeMeeting.objects.exists()


def test_mentors_read_but_cannot_record_or_edit(client_for, coordinator, mentor, school):
    meeting = record(school, coordinator)
    client = client_for(mentor)
    assert client.get(reverse("programme_meeting_create")).status_code == 403
    assert client.get(reverse("programme_meeting_edit", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("programme_meeting", args=[meeting.pk])).status_code == 200


def test_another_schools_coordinator_is_told_it_does_not_exist(
    client_for, coordinator, school, other_school
):
    meeting = record(school, coordinator)
    theirs = staff(other_school, Role.COORDINATOR, username="elsewhere")
    client = client_for(theirs)
    assert client.get(reverse("programme_meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("programme_meeting_edit", args=[meeting.pk])).status_code == 404
    listed = client.get(reverse("programme_meeting_list")).content.decode()
    assert "No programme meeting recorded yet." in listed


def test_staff_of_another_school_cannot_be_named_as_attending(
    client_for, coordinator, other_school
):
    elsewhere = staff(other_school, Role.MENTOR, username="elsewhere")
    page = client_for(coordinator).post(
        reverse("programme_meeting_create"), form_data([coordinator, elsewhere])
    )
    assert "Select a valid choice" in page.content.decode()
    assert not ProgrammeMeeting.objects.exists()


def test_the_coordinator_ticks_an_action_done_and_adds_another(
    client_for, coordinator, mentor, school
):
    meeting = record(school, coordinator, ("Order figures", mentor, dt.date(2026, 12, 4)))
    action = meeting.actions.get()
    client = client_for(coordinator)
    url = reverse("programme_meeting_edit", args=[meeting.pk])
    client.get(url)
    data = form_data(
        [coordinator, mentor],
        ("Plan the spring blocks", coordinator, "2026-12-11"),
        kind="termly",
        **{
            f"agreed-{action.pk}-action": "Order figures",
            f"agreed-{action.pk}-owner": str(mentor.pk),
            f"agreed-{action.pk}-due_on": "2026-12-04",
            f"agreed-{action.pk}-done": "on",
        },
    )
    saved = client.post(url, data)
    assert saved.status_code == 302
    action.refresh_from_db()
    assert action.done_on == TODAY
    assert action.history.first().history_user == coordinator
    assert meeting.actions.count() == 2
    assert set(meeting.attendees.all()) == {coordinator, mentor}
    assert meeting.history.first().history_user == coordinator


def test_an_owner_sees_their_open_actions_on_their_landing_page_and_marks_one_done(
    client_for, coordinator, mentor, school
):
    record(
        school,
        coordinator,
        ("Bring three worksheets", mentor, dt.date(2026, 11, 23)),
        ("Read the new guidance", mentor, dt.date(2026, 12, 10)),
    )
    client = client_for(mentor)
    home = client.get(reverse("home")).content.decode()
    assert "My actions from programme meetings" in home
    assert "2 open actions agreed at programme meetings, <strong>1 overdue</strong>" in home
    overdue = ProgrammeAction.objects.get(action="Bring three worksheets")
    done = client.post(reverse("programme_action_done", args=[overdue.pk]), {"back": "home"})
    assert done.status_code == 302 and done.url == reverse("home")
    overdue.refresh_from_db()
    assert overdue.done_on == TODAY
    assert overdue.history.first().history_user == mentor
    assert "1 open action agreed" in client.get(reverse("home")).content.decode()


def test_someone_elses_action_cannot_be_marked_done_by_another_mentor(
    client_for, coordinator, mentor, other_mentor, school
):
    meeting = record(school, coordinator, ("Bring worksheets", mentor, dt.date(2026, 12, 4)))
    action = meeting.actions.get()
    url = reverse("programme_action_done", args=[action.pk])
    assert client_for(other_mentor).post(url).status_code == 403
    action.refresh_from_db()
    assert action.done_on is None


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("programme_meeting_list"))
    assert page.status_code == 200
    return len(queries)


def test_the_list_makes_as_many_queries_for_many_meetings_as_for_few(
    client_for, coordinator, mentor, school
):
    client = client_for(mentor)
    record(school, coordinator, ("Bring worksheets", mentor, dt.date(2026, 12, 4)))
    few = _list_queries(client)
    for day in range(1, 13):
        record(
            school,
            coordinator,
            ("Bring worksheets", mentor, dt.date(2026, 12, 4)),
            met_on=dt.date(2026, 10, day),
            attendees=[coordinator, mentor],
        )
    assert _list_queries(client) == few


def test_an_action_ticked_done_meanwhile_is_not_undone_unseen(client_for, coordinator, school):
    """Two windows of the coordinator's: the first ticks an action done, the second (opened
    before) rewords it. The second is shown the tick and saves nothing until they resave."""
    from ..security.test_conflicts import form_with, post_form

    meeting = record(school, coordinator, ("Order figures", coordinator, dt.date(2026, 12, 4)))
    action = meeting.actions.get()
    url = reverse("programme_meeting_edit", args=[meeting.pk])
    first, second = client_for(coordinator), client_for(coordinator)
    opened_first, opened_second = first.get(url), second.get(url)
    done = f"agreed-{action.pk}-done"
    assert post_form(first, url, opened_first, done, "on").status_code == 302

    wording = f"agreed-{action.pk}-action"
    refused = post_form(second, url, opened_second, wording, "Order new sand-tray figures")
    page = refused.content.decode()
    assert refused.status_code == 200 and "while you were editing" in page
    action.refresh_from_db()
    assert (action.action, action.done_on) == ("Order figures", TODAY)

    _, kept = form_with(refused, wording)
    assert kept[wording] == ["Order new sand-tray figures"] and done not in kept
    resaved = post_form(second, url, refused, done, "on")
    assert resaved.status_code == 302
    action.refresh_from_db()
    assert (action.action, action.done_on) == ("Order new sand-tray figures", TODAY)


def test_a_coordinator_of_two_schools_chooses_the_school(
    client_for, coordinator, school, other_school
):
    member = StaffMemberFactory(user=coordinator, school=other_school)
    member.roles.create(role=Role.COORDINATOR)
    colleague = staff(other_school, Role.MENTOR, username="colleague")
    client = client_for(coordinator)
    url = reverse("programme_meeting_create")
    page = client.get(url, {"school": other_school.pk}).content.decode()
    assert f'aria-current="page" href="?school={other_school.pk}">{other_school}' in page
    client.post(f"{url}?school={other_school.pk}", form_data([coordinator, colleague]))
    meeting = ProgrammeMeeting.objects.get()
    assert meeting.school == other_school
    # A school where they are not coordinator is not theirs to choose: the first of theirs
    # by name is shown instead.
    third = SchoolFactory(name="Third School")
    staff(third, Role.MENTOR, username="third")
    page = client.get(url, {"school": third.pk}).content.decode()
    assert "Third School" not in page
    assert f'aria-current="page" href="?school={other_school.pk}">Elsewhere Academy' in page
