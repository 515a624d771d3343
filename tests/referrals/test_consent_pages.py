"""Consent letters and answers, through the case page, and the letter read back from its PDF."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from referrals.models import ConsentLetter, ConsentRecord

from ..clock import freeze_today
from ..factories import CaseFactory, ContactFactory, TermFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(pupil):
    return CaseFactory(pupil=pupil, support_type="sand_play")


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_coordinator_sends_and_prints_the_letter(client_for, coordinator, case, school):
    mum = ContactFactory(pupil=case.pupil, name="Alex Testparent", relationship="Mother")
    client = client_for(coordinator)
    response = client.post(
        reverse("consent_letter_create", args=[case.pk]),
        {"addressed_to": mum.pk, "sent_on": dt.date.today().isoformat()},
        follow=True,
    )
    page = response.content.decode()
    assert "Letter recorded as sent" in page
    assert "Awaiting answer (letter sent today)" in page
    assert "time to chase" not in page
    # What comes next, in words: a reminder if no answer comes, and no slot before consent.
    assert "A reminder letter sent" in page
    assert "No slot yet: a mentor and slot can be allocated once a parent or carer" in page
    letter = ConsentLetter.objects.get()
    text = pdf_text(client.get(reverse("consent_letter_pdf", args=[letter.pk])))
    assert "Dear Alex Testparent" in text
    assert "Robin Testchild" in text
    assert "Sand Play" in text
    assert "invite you to meet the mentor" in text
    assert "I give consent for my child to take part" in text
    assert school.name in text


def test_an_answer_awaited_too_long_says_it_is_time_to_chase(
    client_for, coordinator, pupil, school, monkeypatch
):
    TermFactory(academic_year__school=school)  # autumn 2026: school days to count
    freeze_today(monkeypatch, dt.date(2026, 11, 26))
    case = CaseFactory(pupil=pupil, opened_on=dt.date(2026, 9, 21))
    mum = ContactFactory(pupil=pupil, name="Alex Testparent", relationship="Mother")
    ConsentLetter.objects.create(
        case=case,
        addressed_to=mum,
        salutation="Dear Alex Testparent",
        body="Please reply.",
        sent_on=dt.date(2026, 10, 1),
        sent_by=coordinator,
    )
    page = client_for(coordinator).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert re.search(r"Awaiting answer \(\d\d school days since the letter\)", page)
    assert "time to chase: send a reminder letter or phone home." in page


def test_recording_consent_makes_the_case_ready_for_allocation(client_for, coordinator, case):
    response = client_for(coordinator).post(
        reverse("consent_record_create", args=[case.pk]),
        {
            "decision": "given",
            "given_by": "Alex Testparent",
            "relationship": "Mother",
            "method": "slip",
            "decided_on": dt.date.today().isoformat(),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Consent given" in page
    assert "ready for allocation" in page


def test_a_consent_answer_with_missing_fields_keeps_what_was_typed(client_for, coordinator, case):
    response = client_for(coordinator).post(
        reverse("consent_record_create", args=[case.pk]),
        {"decision": "given", "given_by": "Alex Testparent", "method": "phone"},
    )
    page = response.content.decode()
    assert "This field is required." in page
    assert 'value="Alex Testparent"' in page
    assert not ConsentRecord.objects.exists()


def test_only_the_coordinator_and_head_handle_consent(client_for, mentor, class_teacher, case):
    case.mentor = mentor
    case.save()
    letter_url = reverse("consent_letter_create", args=[case.pk])
    record_url = reverse("consent_record_create", args=[case.pk])
    assert client_for(mentor).post(letter_url, {}).status_code == 403
    assert client_for(mentor).get(record_url).status_code == 403
    assert client_for(class_teacher).get(record_url).status_code == 404


def test_the_letter_pdf_is_not_for_others(client_for, coordinator, mentor, office, case):
    from referrals import services

    letter = services.consent_letter_send(case=case, user=coordinator)
    url = reverse("consent_letter_pdf", args=[letter.pk])
    assert client_for(office).get(url).status_code == 404
    case.mentor = mentor
    case.save()
    assert client_for(mentor).get(url).status_code == 403
    # The case page lists the letter for the mentor, without a link they could not follow.
    page = client_for(mentor).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "No letter sent yet." not in page and url not in page
    assert (
        url in client_for(coordinator).get(reverse("case_detail", args=[case.pk])).content.decode()
    )


def test_editing_the_wording_refuses_unknown_placeholders(client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("letter_wording_edit"), {"body": "Hello {child_nmae}, from {school_name}."}
    )
    page = response.content.decode()
    assert "Unknown placeholder(s): {child_nmae}." in page
    assert "Hello {child_nmae}" in page


def test_the_letter_cannot_pull_anything_from_outside_our_static_files(
    client_for, coordinator, case, school
):
    """Whatever staff type into the wording is text, and the PDF fetches nothing remote."""
    from referrals import services

    hostile = (
        '<img src="http://127.0.0.1:9/tracker.png"> <link rel="stylesheet" '
        'href="https://example.org/x.css"> <img src="file:///etc/passwd"> {child_name}'
    )
    services.letter_wording_save(school=school, user=coordinator, body=hostile)
    letter = services.consent_letter_send(case=case, user=coordinator)
    text = pdf_text(client_for(coordinator).get(reverse("consent_letter_pdf", args=[letter.pk])))
    assert '<img src="http://127.0.0.1:9/tracker.png">' in text.replace("\n", " ")
    assert "root:" not in text  # /etc/passwd was not read
    assert "Robin Testchild" in text


def error_beside(page, field_id, message):
    """Is ``message`` shown as the error of the field ``field_id``?"""
    return re.search(
        rf'id="error_\d+_{field_id}"[^>]*>\s*<strong>{re.escape(message)}</strong>', page
    )


def test_a_letter_dated_before_the_case_opened_is_refused_beside_the_date(
    client_for, coordinator, pupil
):
    case = CaseFactory(pupil=pupil, opened_on=dt.date(2026, 11, 2))
    mum = ContactFactory(pupil=pupil, name="Alex Testparent", relationship="Mother")
    response = client_for(coordinator).post(
        reverse("consent_letter_create", args=[case.pk]),
        {"addressed_to": mum.pk, "sent_on": "2026-10-01"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    message = "The case opened on 02/11/2026; the letter cannot be dated before."
    assert error_beside(page, "id_sent_on", message)
    assert page.count(message) == 1
    assert 'value="2026-10-01"' in page
    assert re.search(rf'<option value="{mum.pk}" selected>', page)
    assert not ConsentLetter.objects.exists()


def test_an_answer_dated_before_the_case_or_its_letter_is_refused_beside_the_date(
    client_for, coordinator, pupil
):
    from referrals import services

    case = CaseFactory(pupil=pupil, opened_on=dt.date(2026, 11, 2))
    client = client_for(coordinator)
    answer = {
        "decision": "given",
        "given_by": "Alex Testparent",
        "relationship": "Mother",
        "method": "slip",
    }
    url = reverse("consent_record_create", args=[case.pk])
    page = client.post(url, {**answer, "decided_on": "2026-10-30"}).content.decode()
    assert error_beside(
        page, "id_decided_on", "The case opened on 02/11/2026; the answer cannot be dated before."
    )
    services.consent_letter_send(case=case, user=coordinator, sent_on=dt.date(2026, 11, 9))
    page = client.post(url, {**answer, "decided_on": "2026-11-05"}).content.decode()
    assert error_beside(
        page,
        "id_decided_on",
        "The first letter was sent on 09/11/2026; the answer to it cannot be dated before.",
    )
    assert 'value="Alex Testparent"' in page
    assert not ConsentRecord.objects.exists()


def test_no_letter_is_offered_once_consent_is_given_and_a_mentor_allocated(
    client_for, coordinator, mentor, case
):
    letter_button = "Record a letter as sent"
    client = client_for(coordinator)
    assert letter_button in client.get(reverse("case_detail", args=[case.pk])).content.decode()
    ConsentRecord.objects.create(
        case=case,
        decision=ConsentRecord.Decision.GIVEN,
        given_by="Alex Testparent",
        relationship="Mother",
        method=ConsentRecord.Method.SLIP,
        decided_on=case.opened_on,
        recorded_by=coordinator,
    )
    case.mentor = mentor
    case.save()
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Consent given" in page
    assert letter_button not in page
    assert "Record an answer" in page  # a withdrawal may still come


def test_the_answer_form_has_no_blank_decision_and_none_chosen(client_for, coordinator, case):
    client = client_for(coordinator)
    page = client.get(reverse("consent_record_create", args=[case.pk])).content.decode()
    decisions = re.findall(r'<input[^>]*name="decision"[^>]*>', page)
    assert [re.search(r'value="([^"]*)"', d).group(1) for d in decisions] == [
        "given",
        "refused",
        "withdrawn",
    ]
    assert not any("checked" in d for d in decisions)
    response = client.post(
        reverse("consent_record_create", args=[case.pk]),
        {"given_by": "Alex Testparent", "relationship": "Mother", "method": "slip"},
    )
    assert error_beside(response.content.decode(), "id_decision", "This field is required.")
    assert not ConsentRecord.objects.exists()


def test_a_whole_form_error_of_the_answer_is_shown_once(client_for, coordinator, case):
    from referrals import services

    services.consent_record(
        case=case,
        user=coordinator,
        decision="refused",
        given_by="Alex Testparent",
        relationship="Mother",
        method="phone",
        decided_on=case.opened_on,
    )
    response = client_for(coordinator).post(
        reverse("consent_record_create", args=[case.pk]),
        {
            "decision": "given",
            "given_by": "Alex Testparent",
            "relationship": "Mother",
            "method": "slip",
            "decided_on": case.opened_on.isoformat(),
        },
    )
    page = response.content.decode()
    message = "This case is closed; consent can no longer be recorded."
    assert page.count(message) == 1
    assert re.search(rf'role="alert">\s*<p class="mb-0">{re.escape(message)}</p>', page)
