"""Questionnaires: the defaults, versioned editing, entry and exit on a case, the comparison
on the case page, instrument scores, who may record, and the section's query count."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Case
from reviews.models import Administration, Answer, InstrumentScore, OutcomeArea, Questionnaire
from reviews.questionnaires import (
    administration_record,
    questionnaire_save,
    questionnaires_ensure_defaults,
)

from ..factories import CaseFactory, PupilFactory

pytestmark = pytest.mark.django_db

POLICY_AREAS = {a for a in OutcomeArea if a != OutcomeArea.ATTAINMENT}
TODAY = timezone.localdate()


def text_of(response):
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def make_questionnaire(school, texts, *, name="Feelings check", scale="Low; Middle; High; Top"):
    items = [{"text": t, "outcome_area": area} for area, t in texts]
    return questionnaire_save(
        user=None, school=school, kind="staff_rating", name=name, scale=scale, items=items
    )


THREE = [
    (OutcomeArea.CONFIDENCE, "Has a go at new tasks"),
    (OutcomeArea.FRIENDSHIPS, "Plays well with others"),
    (OutcomeArea.BEHAVIOUR, "Calms down when cross"),
]


def record(case, q, user, stage, values, day=None):
    return administration_record(
        case=case,
        questionnaire=q,
        user=user,
        stage=stage,
        completed_on=day or TODAY,
        completed_by="Class teacher",
        answers=dict(zip([i.pk for i in q.items.all()], values, strict=True)),
    )


def post_data(q, stage="entry", values=None, **extra):
    data = {"stage": stage, "completed_on": TODAY.isoformat(), "completed_by": "Robin"}
    for item, value in zip(q.items.all(), values or [], strict=False):
        if value is not None:
            data[f"item_{item.pk}"] = value
    return {**data, **extra}


# --- Defaults ----------------------------------------------------------------------------------


def test_defaults_give_every_kind_covering_the_outcome_areas_and_are_idempotent(school):
    created = questionnaires_ensure_defaults(school=school)
    assert {q.kind for q in created} == set(Questionnaire.Kind.values)
    for q in created:
        areas = set(q.items.values_list("outcome_area", flat=True))
        assert areas == POLICY_AREAS, q.name
        assert len(q.scale_labels) >= 3
    items = Questionnaire.objects.get(school=school, kind="pupil").items.all()
    assert all(len(i.text) <= 40 for i in items), "the pupil's questions are short"

    assert questionnaires_ensure_defaults(school=school) == []
    assert Questionnaire.objects.filter(school=school).count() == 4


def test_the_coordinator_loads_the_defaults_from_the_list_page(client_for, coordinator, school):
    client = client_for(coordinator)
    page = text_of(client.get(reverse("questionnaire_list")))
    assert "The school has no questionnaires yet" in page
    assert "Load the default questionnaires" in page
    page = text_of(client.post(reverse("questionnaire_list"), {"load_defaults": ""}, follow=True))
    assert "4 default questionnaires loaded" in page
    assert "All about me" in page and "Parent/carer questionnaire" in page
    assert "Load the default questionnaires" not in page


def test_only_the_coordinator_manages_questionnaires(client_for, mentor, office, school):
    for user in (mentor, office):
        assert client_for(user).get(reverse("questionnaire_list")).status_code == 403


# --- Recording on a case ------------------------------------------------------------------------


def test_the_mentor_records_a_baseline_and_the_case_page_shows_it(client_for, mentor, case):
    q = make_questionnaire(case.school, THREE)
    client = client_for(mentor)
    url = reverse("administration_create", args=[case.pk, q.pk])
    form = text_of(client.get(url))
    assert "1. Has a go at new tasks" in form
    assert "Low Middle High Top" in form
    response = client.post(url, post_data(q, values=[2, 3, 1]), follow=True)
    page = text_of(response)
    assert response.redirect_chain[-1][0] == reverse("case_detail", args=[case.pk])
    assert "Feelings check, entry (baseline) recorded." in page
    assert "Has a go at new tasks Confidence 2 Middle" in page
    assert "Overall (mean) 2.0" in page
    administration = Administration.objects.get()
    assert (administration.stage, administration.recorded_by) == ("entry", mentor)
    assert sorted(administration.answers.values_list("value", flat=True)) == [1, 2, 3]


def test_a_missing_answer_is_refused_by_its_question_and_nothing_is_saved(client_for, mentor, case):
    q = make_questionnaire(case.school, THREE)
    response = client_for(mentor).post(
        reverse("administration_create", args=[case.pk, q.pk]), post_data(q, values=[2, None, 1])
    )
    assert response.status_code == 200
    html = response.content.decode()
    missing = q.items.get(position=2)
    field = html[html.index(f'id="div_id_item_{missing.pk}"') :]
    field = field[: field.index("</fieldset>")]
    assert "2. Plays well with others" in field
    assert "Choose an answer to this question." in field
    assert html.count("Choose an answer to this question.") == 1
    assert "Some answers are missing" in text_of(response)
    assert not Administration.objects.exists() and not Answer.objects.exists()


def test_a_second_entry_for_the_same_questionnaire_is_refused_by_the_stage(
    client_for, mentor, case
):
    q = make_questionnaire(case.school, THREE)
    record(case, q, mentor, "entry", [1, 1, 1], day=dt.date(2025, 9, 8))
    response = client_for(mentor).post(
        reverse("administration_create", args=[case.pk, q.pk]), post_data(q, values=[2, 2, 2])
    )
    assert "“Feelings check” was already recorded for this case on 08/09/2025" in text_of(response)
    assert Administration.objects.count() == 1


def test_a_closed_case_refuses_a_new_administration(client_for, coordinator, case):
    q = make_questionnaire(case.school, THREE)
    case.status = Case.Status.CLOSED
    case.save()
    client = client_for(coordinator)
    url = reverse("administration_create", args=[case.pk, q.pk])
    assert "This case is closed, so it can no longer be changed" in text_of(client.get(url))
    response = client.post(url, post_data(q, values=[2, 2, 2]))
    assert "This case is closed, so it can no longer be changed" in text_of(response)
    assert not Administration.objects.exists()
    page = text_of(client.get(reverse("case_detail", args=[case.pk])))
    assert "Record a questionnaire" not in page


@pytest.mark.parametrize("who", ["other_mentor", "class_teacher", "office"])
def test_staff_outside_the_case_get_not_found(client_for, request, case, who):
    q = make_questionnaire(case.school, THREE)
    client = client_for(request.getfixturevalue(who))
    for url in (
        reverse("administration_create", args=[case.pk, q.pk]),
        reverse("administration_choose", args=[case.pk]),
        reverse("instrument_score_create", args=[case.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, post_data(q, values=[1, 1, 1])).status_code == 404
    assert not Administration.objects.exists()


def test_the_head_sees_the_results_but_does_not_record(client_for, head, mentor, case):
    q = make_questionnaire(case.school, THREE)
    record(case, q, mentor, "entry", [2, 3, 1])
    client = client_for(head)
    page = text_of(client.get(reverse("case_detail", args=[case.pk])))
    assert "Plays well with others" in page
    assert "Record a questionnaire" not in page
    assert client.get(reverse("administration_choose", args=[case.pk])).status_code == 403


# --- Entry against exit --------------------------------------------------------------------------


def test_entry_against_exit_per_item_and_overall(client_for, mentor, case):
    q = make_questionnaire(case.school, THREE)
    record(case, q, mentor, "entry", [2, 3, 1], day=dt.date(2025, 9, 8))
    record(case, q, mentor, "exit", [4, 2, 3], day=dt.date(2025, 12, 12))
    page = text_of(client_for(mentor).get(reverse("case_detail", args=[case.pk])))
    # Entry mean (2+3+1)/3 = 2.0; exit mean (4+2+3)/3 = 3.0.
    assert "Has a go at new tasks Confidence 2 Middle 4 Top +2" in page
    assert "Plays well with others Friendships 3 High 2 Middle -1" in page
    assert "Calms down when cross Behaviour 1 Low 3 High +2" in page
    assert "Overall (mean) 2.0 3.0 +1.0" in page
    assert ": entry 08/09/2025 by Class teacher; exit 12/12/2025 by Class teacher" in page


def test_the_exit_form_offers_the_exit_stage_once_the_entry_is_in(client_for, mentor, case):
    q = make_questionnaire(case.school, THREE)
    record(case, q, mentor, "entry", [2, 3, 1])
    html = client_for(mentor).get(reverse("administration_create", args=[case.pk, q.pk]))
    assert re.search(r'value="exit"[^>]*checked', html.content.decode())


# --- Versions ----------------------------------------------------------------------------------


def edit_data(q, name, scale, rows):
    data = {
        "name": name,
        "scale": scale,
        "items-TOTAL_FORMS": len(rows),
        "items-INITIAL_FORMS": q.items.count() if q else 0,
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for n, (pk, text, area) in enumerate(rows):
        data.update({f"items-{n}-id": pk or "", f"items-{n}-text": text})
        data[f"items-{n}-outcome_area"] = area
    return data


def test_editing_a_questionnaire_with_answers_makes_version_2(
    client_for, coordinator, mentor, case
):
    q = make_questionnaire(case.school, THREE)
    first, second, third = q.items.all()
    record(case, q, mentor, "entry", [2, 3, 1])
    rows = [
        (first.pk, "Tries new and harder tasks", "confidence"),
        (second.pk, second.text, second.outcome_area),
        (third.pk, third.text, third.outcome_area),
        (None, "Comes to school on time", "attendance"),
    ]
    client = client_for(coordinator)
    url = reverse("questionnaire_edit", args=[q.pk])
    form = client.get(url)
    assert "It already has answers, so saving makes version 2" in text_of(form)
    assert 'value="Has a go at new tasks"' in form.content.decode()
    response = client.post(url, edit_data(q, q.name, q.scale, rows), follow=True)
    assert "saved as version 2" in text_of(response)
    q.refresh_from_db()
    new = Questionnaire.objects.get(current=True)
    assert (q.current, new.version, new.name) == (False, 2, "Feelings check")
    assert list(new.items.values_list("text", flat=True)) == [
        "Tries new and harder tasks",
        "Plays well with others",
        "Calms down when cross",
        "Comes to school on time",
    ]
    # The old administration keeps the questions it answered, in the data...
    entry = Administration.objects.get()
    assert entry.questionnaire == q
    assert "Has a go at new tasks" in {a.item.text for a in entry.answers.all()}
    # ...and on the case page, where the exit on version 2 is matched item by item.
    record(case, new, mentor, "exit", [3, 4, 2, 4])
    page = text_of(client_for(mentor).get(reverse("case_detail", args=[case.pk])))
    # An item only in one version shows blank on the other side.
    assert "Has a go at new tasks Confidence 2 Middle Plays well with others" in page
    assert "Tries new and harder tasks Confidence 3 High" in page
    assert "Plays well with others Friendships 3 High 4 Top +1" in page
    assert "Comes to school on time Attendance 4 Top" in page
    assert "Comes to school on time Attendance 4 Top Overall (mean) 2.0 3.3 +1.3" in page
    assert "(version 2)" in page


def test_a_questionnaire_without_answers_is_edited_in_place(client_for, coordinator, school):
    q = make_questionnaire(school, THREE)
    first, second, third = q.items.all()
    rows = [
        (first.pk, "Tries new tasks", "confidence"),
        (third.pk, third.text, third.outcome_area),
        (second.pk, second.text, second.outcome_area),
    ]
    data = edit_data(q, "Feelings", "No; Yes", rows)
    data["items-2-DELETE"] = "on"
    response = client_for(coordinator).post(
        reverse("questionnaire_edit", args=[q.pk]), data, follow=True
    )
    assert "“Feelings” is saved." in text_of(response)
    assert Questionnaire.objects.count() == 1
    q.refresh_from_db()
    assert (q.name, q.version, q.scale, q.current) == ("Feelings", 1, "No; Yes", True)
    assert list(q.items.values_list("pk", "text")) == [
        (first.pk, "Tries new tasks"),
        (third.pk, "Calms down when cross"),
    ]


def test_a_question_without_an_outcome_area_is_refused_by_the_field(
    client_for, coordinator, school
):
    q = make_questionnaire(school, THREE)
    rows = [(None, "A new question", "")]
    response = client_for(coordinator).post(
        reverse("questionnaire_edit", args=[q.pk]), edit_data(q, q.name, q.scale, rows)
    )
    assert "Choose the outcome area this question measures." in text_of(response)
    assert q.items.count() == 3


def test_the_coordinator_adds_a_questionnaire(client_for, coordinator, school):
    data = edit_data(None, "Playtime check", "Never; Sometimes; Always", [])
    data.update(
        {
            "kind": "teacher",
            "items-TOTAL_FORMS": 2,
            "items-0-text": "Joins in games",
            "items-0-outcome_area": "friendships",
            "items-1-text": "",
            "items-1-outcome_area": "",
        }
    )
    response = client_for(coordinator).post(reverse("questionnaire_create"), data, follow=True)
    assert "“Playtime check” is added." in text_of(response)
    q = Questionnaire.objects.get(name="Playtime check")
    assert (q.kind, list(q.items.values_list("text", flat=True))) == ("teacher", ["Joins in games"])


# --- Instrument scores ------------------------------------------------------------------------


def test_an_instrument_score_is_recorded_and_listed(client_for, mentor, case):
    client = client_for(mentor)
    url = reverse("instrument_score_create", args=[case.pk])
    response = client.post(
        url,
        {
            "instrument": "SDQ total difficulties",
            "score": "17",
            "scored_on": "2026-09-10",
            "note": "Parent version",
        },
        follow=True,
    )
    page = text_of(response)
    assert "SDQ total difficulties score recorded." in page
    assert "SDQ total difficulties: 17.0 , 10/09/2026 (Parent version)" in page
    score = InstrumentScore.objects.get()
    assert (score.recorded_by, score.case) == (mentor, case)


def test_an_instrument_score_in_the_future_is_refused(client_for, mentor, case):
    tomorrow = TODAY + dt.timedelta(days=1)
    response = client_for(mentor).post(
        reverse("instrument_score_create", args=[case.pk]),
        {"instrument": "SDQ total difficulties", "score": "12", "scored_on": tomorrow},
    )
    assert "The date cannot be in the future." in text_of(response)
    assert not InstrumentScore.objects.exists()


# --- Query counts -------------------------------------------------------------------------------


def test_the_case_section_costs_the_same_for_2_and_10_items(client_for, coordinator, mentor):
    areas = list(OutcomeArea)
    counts = {}
    for n in (2, 10):
        case = CaseFactory(pupil=PupilFactory(school=mentor.memberships.get().school))
        case.mentor = mentor
        case.save()
        texts = [(areas[i % len(areas)], f"Question {i} of {n}") for i in range(n)]
        q = make_questionnaire(case.school, texts, name=f"Check {n}")
        record(case, q, mentor, "entry", [1] * n)
        record(case, q, mentor, "exit", [2] * n)
        client = client_for(coordinator)
        url = reverse("case_detail", args=[case.pk])
        client.get(url)  # warm any per-process caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert f"Question {n - 1} of {n}" in text_of(response)
        counts[n] = len(ctx.captured_queries)
    assert counts[2] == counts[10], counts
