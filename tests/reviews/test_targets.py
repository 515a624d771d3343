"""The action plan: SMART targets, progress noted with session records, and observations."""

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentoring.models import Case
from referrals.models import ConsentRecord
from reviews import targets
from reviews.models import Observation, Target, TargetProgress
from sessions import services as session_services
from sessions.models import SessionRecord

from ..clock import freeze_today
from ..factories import CaseFactory, RoomFactory, TermFactory

pytestmark = pytest.mark.django_db
TUESDAY = dt.date(2026, 9, 8)  # the first session of the slot below
TODAY = dt.date(2026, 11, 23)

READING = {
    "what": "Robin reads aloud to the group once a week",
    "measure": "Tally of times Robin volunteers in guided reading",
    "success": "Robin volunteers without being asked",
    "by_when": "2026-12-11",
    "outcome_area": "confidence",
    "iep_reference": "SEN-3",
}
PLAYTIME = {
    "what": "Robin joins a game at lunchtime",
    "measure": "Midday supervisor's weekly note",
    "success": "Robin plays with others on three days of five",
    "by_when": "2026-12-18",
    "outcome_area": "friendships",
    "iep_reference": "",
}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Targets are due in December 2026: the tests run on a day before that."""
    return freeze_today(monkeypatch, TODAY)


def page_text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def case(pupil, mentor, coordinator, school):
    """Robin's case: consent given, a Tuesday 10:30 slot with the mentor from 7 Sep 2026."""
    TermFactory(academic_year__school=school)
    case = CaseFactory(pupil=pupil)
    ConsentRecord.objects.create(
        case=case,
        decision=ConsentRecord.Decision.GIVEN,
        given_by="Pat Testparent",
        relationship="Mother",
        method=ConsentRecord.Method.SLIP,
        decided_on=dt.date(2026, 9, 1),
        recorded_by=coordinator,
    )
    session_services.allocate(
        case=case,
        user=coordinator,
        mentor=mentor,
        room=RoomFactory(school=school, name="Learning Mentor Room"),
        weekday=1,
        starts_at=dt.time(10, 30),
        duration=30,
        block_starts_on=dt.date(2026, 9, 7),
        block_weeks=6,
    )
    case.refresh_from_db()
    return case


def add_target(case, user, fields):
    data = {**fields, "by_when": dt.date.fromisoformat(fields["by_when"])}
    return targets.target_add(case=case, user=user, **data)


@pytest.fixture
def two_targets(case, mentor):
    return add_target(case, mentor, READING), add_target(case, mentor, PLAYTIME)


def log_url(case, day=TUESDAY):
    return reverse("session_log", args=[case.pk, day.isoformat()])


def progress(*pairs):
    """POST data of the progress part: (target, rating, note) for each target."""
    data = {}
    for target, rating, note in pairs:
        data[f"targets-rating_{target.pk}"] = rating
        data[f"targets-note_{target.pk}"] = note
    return data


def field_block(text, name):
    """The markup of one crispy field, up to the next field."""
    return text.split(f'id="div_id_{name}"')[1].split('id="div_id_')[0]


def test_the_mentor_adds_two_smart_targets_on_the_page(client_for, case, mentor):
    client = client_for(mentor)
    url = reverse("target_add", args=[case.pk])
    form = page_text(client.get(url))
    for label in ("Target", "How it will be measured", "Success looks like", "By when"):
        assert label in form
    assert "IEP / SEN support target" in form and "Outcome area" in form
    for fields in (READING, PLAYTIME):
        response = client.post(url, fields, follow=True)
        assert "Target added to the action plan" in page_text(response)
    page = page_text(client.get(reverse("case_detail", args=[case.pk])))
    plan = page.split('id="case-targets"')[1].split('id="case-observations"')[0]
    assert READING["what"] in plan and PLAYTIME["what"] in plan
    assert "IEP SEN-3" in plan and "Not noted yet" in plan and "11 Dec 2026" in plan
    assert Target.objects.filter(case=case, set_by=mentor, status="open").count() == 2
    assert Target.objects.first().history.first().history_user == mentor


def test_a_target_without_a_measure_or_a_date_is_refused_by_those_fields(client_for, case, mentor):
    incomplete = {**READING, "measure": "", "by_when": ""}
    response = client_for(mentor).post(reverse("target_add", args=[case.pk]), incomplete)
    assert response.status_code == 200
    text = page_text(response)
    assert targets.NEEDS_MEASURE in field_block(text, "measure")
    assert targets.NEEDS_DATE in field_block(text, "by_when")
    assert not Target.objects.exists()
    # The service refuses the same, whatever calls it.
    with pytest.raises(ValidationError) as caught:
        targets.target_add(case=case, user=mentor, **{**incomplete, "by_when": None})
    assert caught.value.message_dict == {
        "measure": [targets.NEEDS_MEASURE],
        "by_when": [targets.NEEDS_DATE],
    }
    assert not Target.objects.exists()


def test_progress_on_both_targets_is_logged_from_the_session_log(
    client_for, case, mentor, two_targets
):
    reading, playtime = two_targets
    client = client_for(mentor)
    form = page_text(client.get(log_url(case)))
    assert "Progress on the targets" in form
    assert f"Progress on “{reading.what}”" in form and f"Progress on “{playtime.what}”" in form
    assert "Not this time" in form and "Target met" in form
    data = {"attendance": "held", "what_was_done": "Paired reading"}
    data |= progress((reading, "3", "Read a page aloud"), (playtime, "2", ""))
    response = client.post(log_url(case), data, follow=True)
    assert "recorded for Robin" in page_text(response)
    record = SessionRecord.objects.get(case=case)
    rows = TargetProgress.objects.filter(record=record).order_by("target__by_when")
    assert [(p.target, p.rating, p.note) for p in rows] == [
        (reading, 3, "Read a page aloud"),
        (playtime, 2, ""),
    ]
    assert rows[0].history.first().history_user == mentor
    page = page_text(client.get(reverse("case_detail", args=[case.pk])))
    plan = page.split('id="case-targets"')[1].split('id="case-observations"')[0]
    assert "Good progress" in plan and "Some progress" in plan and "8 Sep" in plan
    assert plan.count("<td>1</td>") == 2  # one entry each
    detail = page_text(client.get(reverse("target_detail", args=[reading.pk])))
    assert "Read a page aloud" in detail and "Good progress" in detail


def test_blank_progress_records_nothing(client_for, case, mentor, two_targets):
    reading, playtime = two_targets
    data = {"attendance": "held"} | progress((reading, "", ""), (playtime, "", ""))
    response = client_for(mentor).post(log_url(case), data)
    assert response.status_code == 302
    assert SessionRecord.objects.filter(case=case).count() == 1
    assert not TargetProgress.objects.exists()


def test_no_targets_no_progress_part(client_for, case, mentor):
    form = page_text(client_for(mentor).get(log_url(case)))
    assert "Save the record" in form and "Progress on the targets" not in form


def test_a_target_due_in_the_past_is_refused_by_its_date(client_for, case, mentor):
    response = client_for(mentor).post(
        reverse("target_add", args=[case.pk]), {**READING, "by_when": "2026-11-20"}
    )
    assert targets.DATE_PASSED in field_block(page_text(response), "by_when")
    assert READING["what"] in page_text(response)  # what was typed is kept
    assert not Target.objects.exists()


def test_progress_is_refused_for_a_session_that_was_not_held(client_for, case, mentor, two_targets):
    reading, _ = two_targets
    data = {"attendance": "cancelled", "cancel_reason": "Class trip"}
    response = client_for(mentor).post(log_url(case), data | progress((reading, "3", "Keen")))
    text = page_text(response)
    assert targets.NOT_HELD in field_block(text, "attendance")
    assert 'value="Keen"' in text and "Class trip" in text
    assert not SessionRecord.objects.exists() and not TargetProgress.objects.exists()
    # Without progress, the cancelled session is recorded.
    response = client_for(mentor).post(log_url(case), data | progress((reading, "", "")))
    assert response.status_code == 302
    assert SessionRecord.objects.get().attendance == "cancelled"
    assert not TargetProgress.objects.exists()


def test_the_progress_part_keeps_its_hidden_fields_after_the_targets(
    client_for, case, mentor, two_targets
):
    """Bootstrap clears the legend's float on the element after it: a hidden input there left
    the first target squeezed into a sliver beside the legend."""
    reading, _ = two_targets
    client = client_for(mentor)
    client.post(log_url(case), {"attendance": "held"} | progress((reading, "2", "")))
    edit = reverse("session_record", args=[SessionRecord.objects.get().pk])
    part = page_text(client.get(edit)).split('id="target-progress"')[1]
    after_legend = part.split("</legend>", 1)[1].lstrip()
    assert not after_legend.startswith("<input") and 'type="hidden"' not in after_legend[:200]
    assert part.index('class="target-progress') < part.index('type="hidden"')


def test_an_invalid_progress_part_saves_neither_the_record_nor_progress(
    client_for, case, mentor, two_targets
):
    reading, playtime = two_targets
    data = {"attendance": "held", "what_was_done": "Paired reading"}
    data |= progress((reading, "9", ""), (playtime, "2", ""))
    response = client_for(mentor).post(log_url(case), data)
    assert response.status_code == 200
    text = page_text(response)
    assert "Select a valid choice. 9 is not one of the available choices." in text
    assert not SessionRecord.objects.exists() and not TargetProgress.objects.exists()
    # A note without a rating is also sent back, by that target.
    data |= progress((reading, "", "Read well"))
    text = page_text(client_for(mentor).post(log_url(case), data))
    assert "Choose how much progress, to go with the note." in text
    assert not SessionRecord.objects.exists() and not TargetProgress.objects.exists()


def test_a_refused_progress_part_rolls_the_record_back(
    client_for, case, mentor, two_targets, monkeypatch
):
    def refuse(**kwargs):
        raise ValidationError("Progress could not be noted.")

    monkeypatch.setattr(targets, "progress_save", refuse)
    reading, _ = two_targets
    data = {"attendance": "held"} | progress((reading, "3", ""))
    response = client_for(mentor).post(log_url(case), data)
    assert "Progress could not be noted." in page_text(response)
    assert not SessionRecord.objects.exists() and not TargetProgress.objects.exists()


def test_the_record_edit_page_shows_and_changes_the_progress(client_for, case, mentor, two_targets):
    reading, playtime = two_targets
    client = client_for(mentor)
    client.post(log_url(case), {"attendance": "held"} | progress((reading, "2", "Tried")))
    record = SessionRecord.objects.get()
    url = reverse("session_record", args=[record.pk])
    page = page_text(client.get(url))
    assert 'value="Tried"' in page
    data = {"attendance": "held"} | progress((reading, "", ""), (playtime, "4", "Joined in"))
    assert client.post(url, data).status_code == 302
    assert [(p.target, p.rating) for p in TargetProgress.objects.all()] == [(playtime, 4)]


def test_a_finished_target_is_no_longer_asked_about(
    client_for, case, mentor, coordinator, two_targets
):
    reading, playtime = two_targets
    response = client_for(coordinator).post(
        reverse("target_detail", args=[reading.pk]), {"status": "achieved"}, follow=True
    )
    assert "The target is now achieved." in page_text(response)
    reading.refresh_from_db()
    assert reading.status == "achieved"
    assert reading.history.first().history_change_reason == "Marked achieved"
    form = page_text(client_for(mentor).get(log_url(case)))
    assert playtime.what in form and reading.what not in form


def test_a_closed_case_refuses_a_new_target(client_for, case, mentor):
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    client = client_for(mentor)
    response = client.post(reverse("target_add", args=[case.pk]), READING)
    assert response.status_code == 200
    assert "This case is closed, so it can no longer be changed." in page_text(response)
    assert not Target.objects.exists()
    page = page_text(client.get(reverse("case_detail", args=[case.pk])))
    assert "Add a target" not in page and "Record an observation" not in page


def test_only_the_mentor_and_coordinator_work_on_targets(
    client_for, case, mentor, other_mentor, class_teacher, office, head, two_targets
):
    reading, _ = two_targets
    pages = [
        reverse("target_add", args=[case.pk]),
        reverse("target_detail", args=[reading.pk]),
        reverse("observation_add", args=[case.pk]),
    ]
    for user in (other_mentor, class_teacher, office):
        client = client_for(user)
        for url in pages:
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, READING | {"status": "dropped"}).status_code == 404
    head_client = client_for(head)
    assert head_client.get(pages[1]).status_code == 200
    assert "Save the status" not in page_text(head_client.get(pages[1]))
    assert head_client.get(pages[0]).status_code == 403
    assert head_client.post(pages[1], {"status": "dropped"}).status_code == 403
    reading.refresh_from_db()
    assert reading.status == "open" and Target.objects.count() == 2


def test_an_observation_is_added_and_listed(client_for, case, mentor):
    client = client_for(mentor)
    url = reverse("observation_add", args=[case.pk])
    form = page_text(client.get(url))
    assert "Classroom" in form and "Playground" in form and "What you saw" in form
    notes = "Stood by the fence for most of lunch; joined tag for five minutes."
    response = client.post(
        url, {"observed_on": "2026-09-15", "setting": "playground", "notes": notes}, follow=True
    )
    text = page_text(response)
    assert "Playground observation, 15/09/2026 recorded." in text
    listed = text.split('id="case-observations"')[1]
    assert "Playground, 15 Sep 2026" in listed and notes in listed and "by Mina" in listed
    assert Observation.objects.get().observer == mentor


def test_an_observation_needs_its_notes(client_for, case, mentor):
    response = client_for(mentor).post(
        reverse("observation_add", args=[case.pk]),
        {"observed_on": "2026-09-15", "setting": "classroom", "notes": ""},
    )
    assert "This field is required." in field_block(page_text(response), "notes")
    assert not Observation.objects.exists()
