"""The record page: who may lift a safeguarding flag, the first meeting's checklist, and why
a record can no longer be changed."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring import permissions
from mentoring.models import Role
from sessions import services
from sessions.models import SessionRecord

from ..clock import freeze_today
from ..factories import staff

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)
SECRET = "Told me something worrying about home tonight."


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    freeze_today(monkeypatch, TODAY)


def log(allocation, user, day, **fields):
    record = SessionRecord(case=allocation.case, slot=allocation.slot, date=day, **fields)
    return services.session_record_save(record=record, user=user, today=TODAY)


@pytest.fixture
def flagged(allocated, mentor, dsl_user):
    return log(
        allocated, mentor, dt.date(2026, 9, 8), what_was_done=SECRET, safeguarding_concern=True
    )


def flag_box(page):
    return re.search(r'<input[^>]*name="safeguarding_concern"[^>]*>', page).group(0)


def test_the_mentor_cannot_untick_a_flag_the_dsl_has_not_seen(
    client_for, flagged, mentor, coordinator, dsl_user
):
    client = client_for(mentor)
    url = reverse("session_record", args=[flagged.pk])
    page = client.get(url).content.decode()
    assert "disabled" in flag_box(page) and "checked" in flag_box(page)
    assert "Only the designated safeguarding lead (DSL) can lift this flag." in page
    # Posted unticked all the same: the rest is saved, the flag is not lifted.
    response = client.post(url, {"attendance": "held", "what_was_done": SECRET + " Again."})
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.safeguarding_concern and flagged.what_was_done.endswith("Again.")
    assert flagged in permissions.safeguarding_alerts(dsl_user)
    page = client_for(coordinator).get(url).content.decode()
    assert SECRET not in page and "A restricted note (safeguarding) exists" in page
    alerts = client_for(dsl_user).get(reverse("safeguarding_alerts")).content.decode()
    assert url in alerts and "Not yet seen" in alerts


def test_the_service_refuses_anyone_but_the_dsl_lifting_the_flag(flagged, mentor, coordinator):
    for user in (mentor, coordinator):
        flagged.safeguarding_concern = False
        with pytest.raises(ValidationError) as caught:
            services.session_record_save(record=flagged, user=user, today=TODAY)
        assert caught.value.message_dict == {"safeguarding_concern": [services.ONLY_THE_DSL_LIFTS]}
    flagged.refresh_from_db()
    assert flagged.safeguarding_concern


def test_the_dsl_of_the_school_lifts_the_flag_and_the_history_keeps_it(client_for, flagged, school):
    # A DSL who may change records (here also the coordinator) is offered the unticking.
    dsl = staff(school, Role.DSL, Role.COORDINATOR, username="dsl2")
    client = client_for(dsl)
    url = reverse("session_record", args=[flagged.pk])
    assert "disabled" not in flag_box(client.get(url).content.decode())
    assert client.post(url, {"attendance": "held", "what_was_done": SECRET}).status_code == 302
    flagged.refresh_from_db()
    assert not flagged.safeguarding_concern
    latest = flagged.history.first()
    assert latest.history_user == dsl
    assert latest.history_change_reason == "Safeguarding flag lifted by the DSL"
    assert flagged.history.filter(safeguarding_concern=True).exists()


# All but the first point, which the edit form once took as the sign of a first meeting.
CHECKLIST_BUT_ROLE = {name: True for name in SessionRecord.FIRST_MEETING_FIELDS[1:]}


def test_the_first_held_record_keeps_its_checklist_to_finish_and_review(
    client_for, allocated, mentor
):
    first = log(allocated, mentor, dt.date(2026, 9, 8), **CHECKLIST_BUT_ROLE)
    client = client_for(mentor)
    url = reverse("session_record", args=[first.pk])
    page = client.get(url).content.decode()
    assert "First meeting: what you talked through" in page
    assert 'name="explained_role"' in page
    covered, missing = page.split("Not yet covered")
    assert "<li>Feedback to parents and teachers</li>" in covered
    assert "<li>Role of the mentor explained</li>" in missing
    assert "Role of the mentor explained" not in covered.split("Covered")[-1]
    data = {"attendance": "held", **CHECKLIST_BUT_ROLE, "explained_role": "on"}
    assert client.post(url, data).status_code == 302
    page = client.get(url).content.decode()
    assert "Nothing: every point is covered." in page
    # The second held session has no checklist.
    second = log(allocated, mentor, dt.date(2026, 9, 15))
    page = client.get(reverse("session_record", args=[second.pk])).content.decode()
    assert "First meeting" not in page and 'name="explained_role"' not in page


def test_the_author_is_told_why_an_old_record_can_no_longer_change(
    client_for, allocated, mentor, coordinator
):
    record = log(allocated, mentor, dt.date(2026, 9, 8), what_was_done="Drawing")
    record.created_at = timezone.now() - dt.timedelta(days=8)
    record.save()
    url = reverse("session_record", args=[record.pk])
    page = client_for(mentor).get(url).content.decode()
    assert services.EDIT_WINDOW_PASSED in page and "Change the record" not in page
    page = client_for(coordinator).get(url).content.decode()
    assert services.EDIT_WINDOW_PASSED not in page and "Change the record" in page


def test_the_dsl_lifts_the_flag_when_marking_it_seen(client_for, flagged, dsl_user, coordinator):
    url = reverse("session_record", args=[flagged.pk])
    client = client_for(dsl_user)
    assert "Not a safeguarding concern: lift the flag" in client.get(url).content.decode()
    client.post(
        reverse("safeguarding_acknowledge", args=[flagged.pk]),
        {"action": "Spoke to the pupil: a misunderstanding", "lift": "on"},
    )
    flagged.refresh_from_db()
    assert not flagged.safeguarding_concern and flagged.dsl_seen_by == dsl_user
    assert flagged.history.first().history_change_reason == "Safeguarding flag lifted by the DSL"
    assert SECRET in client_for(coordinator).get(url).content.decode()
