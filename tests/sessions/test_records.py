"""Session records: the consent gate, the edit window and restricted safeguarding notes."""

import datetime as dt
import html

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Role
from referrals import services as referral_services
from reviews.models import TargetProgress
from sessions import services
from sessions.models import Allocation, SessionRecord

from ..clock import freeze_today
from ..factories import TargetFactory, staff

pytestmark = pytest.mark.django_db
SECRET = "Told me something worrying about home tonight."


def log(allocation, user, day, **fields):
    record = SessionRecord(
        case=allocation.case, slot=allocation.slot, date=day, author=user, **fields
    )
    return services.session_record_save(record=record, user=user, today=dt.date(2026, 11, 23))


def test_the_mentor_logs_a_held_session(allocated, mentor):
    record = log(allocated, mentor, dt.date(2026, 9, 8), what_was_done="Feelings cards")
    assert record.author == mentor and record.attendance == "held"
    assert record.history.first().history_user == mentor


def test_no_session_on_a_day_the_slot_does_not_meet(allocated, mentor):
    with pytest.raises(ValidationError) as caught:
        log(allocated, mentor, dt.date(2026, 9, 9))  # a Wednesday
    assert "There is no session of this pupil's slot on that date." in caught.value.messages


def test_withdrawn_consent_stops_logging_and_expected_sessions(allocated, mentor, coordinator):
    case = allocated.case
    referral_services.consent_record(
        case=case,
        user=coordinator,
        decision="withdrawn",
        given_by="Pat Testparent",
        relationship="Mother",
        method="phone",
        decided_on=dt.date(2026, 9, 20),
    )
    with pytest.raises(ValidationError, match="consent is not in force on 22/09/2026"):
        log(allocated, mentor, dt.date(2026, 9, 22))
    log(allocated, mentor, dt.date(2026, 9, 15))  # before the withdrawal: still fine
    expected = services.expected_dates(case, allocated.slot)
    assert expected == {dt.date(2026, 9, 8), dt.date(2026, 9, 15)}


def test_a_cancelled_session_needs_its_reason(allocated, mentor):
    with pytest.raises(ValidationError) as caught:
        log(allocated, mentor, dt.date(2026, 9, 8), attendance="cancelled")
    assert caught.value.message_dict == {"cancel_reason": ["Say why the session was cancelled."]}


def test_the_author_edits_for_seven_days_then_only_the_coordinator(allocated, mentor, coordinator):
    record = log(allocated, mentor, dt.date(2026, 9, 8), what_was_done="Drawing")
    record.created_at = timezone.now() - dt.timedelta(days=8)
    record.save()
    record.what_was_done = "Drawing and a story"
    with pytest.raises(ValidationError, match="by its author for seven days"):
        services.session_record_save(record=record, user=mentor, today=dt.date(2026, 11, 23))
    services.session_record_save(record=record, user=coordinator, today=dt.date(2026, 11, 23))
    record.refresh_from_db()
    assert record.revised_at and record.what_was_done == "Drawing and a story"


@pytest.fixture
def flagged(allocated, mentor, django_capture_on_commit_callbacks, dsl_user):
    with django_capture_on_commit_callbacks(execute=True):
        record = log(
            allocated, mentor, dt.date(2026, 9, 8), what_was_done=SECRET, safeguarding_concern=True
        )
    # Progress noted on a restricted record is part of its note: hidden with it.
    target = TargetFactory(case=allocated.case, set_by=mentor)
    TargetProgress.objects.create(record=record, target=target, rating=2, note=SECRET)
    return record


def test_the_record_page_shows_the_progress_noted_on_the_targets(
    client_for, allocated, mentor, coordinator
):
    record = log(allocated, mentor, dt.date(2026, 9, 8), what_was_done="Feelings cards")
    target = TargetFactory(case=allocated.case, set_by=mentor)
    TargetProgress.objects.create(record=record, target=target, rating=2, note="Joined once.")
    page = client_for(coordinator).get(reverse("session_record", args=[record.pk]))
    text = html.unescape(page.content.decode())
    assert "Progress on the targets" in text
    assert (
        "“Joins a playground game twice a week.”: <strong>some progress</strong>. Joined once."
        in text
    )


def test_a_flagged_note_is_hidden_from_everyone_but_the_dsl_and_its_author(
    client_for, flagged, coordinator, head, other_mentor, mentor, dsl_user
):
    case = flagged.case
    pages = [reverse("case_detail", args=[case.pk]), reverse("session_record", args=[flagged.pk])]
    for user in (coordinator, head):
        client = client_for(user)
        for url in pages + [reverse("adherence"), reverse("home")]:
            response = client.get(url)
            assert SECRET not in response.content.decode(), (user, url)
        record_page = client.get(reverse("session_record", args=[flagged.pk])).content.decode()
        assert "A restricted note (safeguarding) exists for this session" in record_page
        assert "Progress on the targets" not in record_page
    for url in pages:
        assert client_for(other_mentor).get(url).status_code == 404
    assert SECRET in client_for(dsl_user).get(pages[1]).content.decode()
    assert SECRET in client_for(mentor).get(pages[1]).content.decode()


def test_a_concern_not_yet_seen_comes_first_on_the_home_page_of_a_head_who_is_dsl(
    client_for, allocated, mentor, school
):
    head_dsl = staff(school, Role.HEAD, Role.DSL, username="headdsl", first_name="Harriet")
    client = client_for(head_dsl)
    home = client.get(reverse("home")).content.decode()
    # Nothing to see: the head's own sections first, in their usual order.
    assert home.index("The mentoring programme") < home.index("Safeguarding concerns to see")

    log(allocated, mentor, dt.date(2026, 9, 8), what_was_done=SECRET, safeguarding_concern=True)
    home = client.get(reverse("home")).content.decode()
    assert home.index("Safeguarding concerns to see") < home.index("The mentoring programme")


def test_the_dsl_is_alerted_and_marks_it_seen(client_for, flagged, dsl_user):
    assert [m.subject for m in mail.outbox] == ["Mentoring: a safeguarding concern to look at"]
    assert flagged.case.pupil.first_name not in mail.outbox[0].body
    client = client_for(dsl_user)
    home = client.get(reverse("home")).content.decode()
    assert "Safeguarding concerns to see" in home and flagged.case.pupil.full_name in home
    client.post(
        reverse("safeguarding_acknowledge", args=[flagged.pk]), {"action": "Phoned social care"}
    )
    flagged.refresh_from_db()
    assert flagged.dsl_seen_by == dsl_user and flagged.dsl_action == "Phoned social care"
    assert "No concern is waiting for you." in client.get(reverse("home")).content.decode()


def test_only_the_dsl_acknowledges(client_for, flagged, coordinator):
    url = reverse("safeguarding_acknowledge", args=[flagged.pk])
    assert client_for(coordinator).post(url, {"action": "x"}).status_code == 404


def test_mentor_a_sees_nothing_of_mentor_bs_cases(client_for, allocated, other_mentor, mentor):
    log(allocated, mentor, dt.date(2026, 9, 8), what_was_done="Board game")
    client = client_for(other_mentor)
    assert client.get(reverse("case_detail", args=[allocated.case.pk])).status_code == 404
    week = client.get(reverse("my_week")).content.decode()
    assert allocated.case.pupil.full_name not in week
    record = SessionRecord.objects.get()
    assert client.get(reverse("session_record", args=[record.pk])).status_code == 404
    assert Allocation.objects.count() == 1


def test_the_case_page_says_why_a_session_did_not_happen_unless_restricted(
    client_for, allocated, mentor, coordinator, dsl_user, monkeypatch
):
    freeze_today(monkeypatch, dt.date(2026, 11, 23))
    log(allocated, mentor, dt.date(2026, 9, 8), attendance="cancelled", cancel_reason="Class trip")
    log(
        allocated,
        mentor,
        dt.date(2026, 9, 15),
        attendance="cancelled",
        cancel_reason="Upset after what happened at home",
        safeguarding_concern=True,
    )
    url = reverse("case_detail", args=[allocated.case.pk])

    def sessions_so_far(user):
        page = client_for(user).get(url).content.decode()
        return page.split("Sessions so far")[1].split("</table>")[0]

    rows = sessions_so_far(coordinator)
    assert "Class trip" in rows
    assert "happened at home" not in rows and "Restricted note" in rows
    assert "happened at home" in sessions_so_far(dsl_user)
