"""Mentors' training records: the coordinator (or the office) records them; renewals overdue
or due within 30 days are shown to the coordinator, on their landing page and the training
page; a mentor sees their own records only."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring import training
from mentoring.models import Role, TrainingRecord

from ..clock import freeze_today
from ..factories import staff

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    return freeze_today(monkeypatch, TODAY)


def add(school, mentor, course, completed_on, renewal_due_on=None, by=None):
    return TrainingRecord.objects.create(
        school=school,
        mentor=mentor,
        course=course,
        completed_on=completed_on,
        renewal_due_on=renewal_due_on,
        recorded_by=by or mentor,
    )


def test_renewals_due_are_those_overdue_or_due_within_30_days_of_the_latest_record(
    school, mentor, other_mentor
):
    d = dt.date
    due_soon = add(school, mentor, "Safeguarding refresher", d(2025, 12, 10), d(2026, 12, 26))
    add(school, mentor, "Emotion coaching", d(2025, 12, 1), d(2026, 12, 27))  # day 31: not yet
    overdue = add(school, other_mentor, "Safeguarding refresher", d(2025, 11, 1), d(2026, 11, 25))
    # Renewed since: the older record's date no longer counts.
    add(school, other_mentor, "First aid", d(2023, 11, 1), d(2026, 11, 1))
    add(school, other_mentor, "first  AID", d(2026, 11, 2), d(2029, 11, 2))
    add(school, mentor, "Drawing & Talking", d(2024, 6, 1))  # never renewed

    found = training.renewals_due(TrainingRecord.objects.select_related("mentor"), TODAY)

    assert [(r.record, r.status) for r in found] == [
        (overdue, "Overdue"),
        (due_soon, "Due soon"),
    ]


def test_a_renewal_due_today_is_due_not_overdue(school, mentor):
    record = add(school, mentor, "Safeguarding refresher", dt.date(2025, 11, 26), TODAY)
    assert [r.status for r in training.renewals_due([record], TODAY)] == ["Due soon"]


def test_the_coordinator_sees_the_renewals_due_on_their_landing_page(
    client_for, coordinator, mentor, school
):
    add(school, mentor, "Safeguarding refresher", dt.date(2025, 11, 1), dt.date(2026, 11, 20))
    home = client_for(coordinator).get(reverse("home")).content.decode()
    assert "Training renewals due" in home
    assert "Safeguarding refresher" in home and "20 Nov 2026" in home and "Overdue" in home


def test_no_renewal_due_means_no_section(client_for, coordinator, mentor, school):
    add(school, mentor, "Safeguarding refresher", dt.date(2026, 11, 1), dt.date(2027, 11, 1))
    assert (
        "Training renewals due" not in client_for(coordinator).get(reverse("home")).content.decode()
    )


def test_the_office_records_training_and_the_history_says_who(client_for, office, mentor):
    page = client_for(office).post(
        reverse("training_create"),
        {
            "mentor": str(mentor.pk),
            "course": "Safeguarding  refresher",
            "completed_on": "2026-11-20",
            "renewal_due_on": "2027-11-20",
        },
    )
    assert page.status_code == 302
    record = TrainingRecord.objects.get()
    assert (record.course, record.recorded_by) == ("Safeguarding refresher", office)
    assert record.history.get().history_user == office


def test_a_renewal_before_the_course_is_refused_by_its_field(client_for, coordinator, mentor):
    page = client_for(coordinator).post(
        reverse("training_create"),
        {
            "mentor": str(mentor.pk),
            "course": "Safeguarding refresher",
            "completed_on": "2026-11-20",
            "renewal_due_on": "2026-01-01",
        },
    )
    assert "The renewal must fall after the course was completed." in page.content.decode()
    assert not TrainingRecord.objects.exists()


def test_only_mentors_of_the_school_can_be_chosen(client_for, coordinator, head):
    page = client_for(coordinator).post(
        reverse("training_create"),
        {"mentor": str(head.pk), "course": "First aid", "completed_on": "2026-11-20"},
    )
    assert "Select a valid choice" in page.content.decode()
    assert not TrainingRecord.objects.exists()


def test_a_mentor_sees_their_own_records_and_cannot_change_them(
    client_for, coordinator, mentor, other_mentor, school
):
    mine = add(school, mentor, "Safeguarding refresher", dt.date(2026, 1, 5), by=coordinator)
    theirs = add(school, other_mentor, "Emotion coaching", dt.date(2026, 2, 5), by=coordinator)
    client = client_for(mentor)
    page = client.get(reverse("training_list")).content.decode()
    assert "Safeguarding refresher" in page and "Emotion coaching" not in page
    assert "Record training" not in page
    assert client.get(reverse("training_edit", args=[mine.pk])).status_code == 403
    assert client.get(reverse("training_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("training_create")).status_code == 403


def test_another_schools_coordinator_is_told_a_record_does_not_exist(
    client_for, coordinator, mentor, school, other_school
):
    record = add(school, mentor, "Safeguarding refresher", dt.date(2026, 1, 5), by=coordinator)
    theirs = staff(other_school, Role.COORDINATOR, username="elsewhere")
    client = client_for(theirs)
    assert client.get(reverse("training_edit", args=[record.pk])).status_code == 404
    assert "Safeguarding refresher" not in client.get(reverse("training_list")).content.decode()


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("training_list")).status_code == 200
    return len(queries)


def test_the_training_page_makes_as_many_queries_for_many_records_as_for_few(
    client_for, coordinator, school
):
    client = client_for(coordinator)
    first = staff(school, Role.MENTOR, username="m0")
    add(school, first, "Safeguarding refresher", dt.date(2025, 12, 1), dt.date(2026, 12, 1))
    few = _queries(client)
    for n in range(1, 8):
        someone = staff(school, Role.MENTOR, username=f"m{n}")
        add(school, someone, "Safeguarding refresher", dt.date(2025, 12, n), dt.date(2026, 12, n))
        add(school, someone, "Emotion coaching", dt.date(2025, 6, n))
    assert _queries(client) == few


def test_the_training_page_lists_renewals_due_above_the_records(
    client_for, coordinator, mentor, school
):
    add(school, mentor, "Safeguarding refresher", dt.date(2025, 12, 10), dt.date(2026, 12, 10))
    add(school, mentor, "Drawing & Talking", dt.date(2024, 6, 1))
    page = client_for(coordinator).get(reverse("training_list")).content.decode()
    renewals = page[page.index("Renewals due") : page.index("Training records")]
    assert "Safeguarding refresher" in renewals and "Due soon" in renewals
    assert "Drawing &amp; Talking" not in renewals
    assert "2 records, by mentor, latest first" in page
