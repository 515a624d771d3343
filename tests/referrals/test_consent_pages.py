"""Consent letters and answers, through the case page, and the letter read back from its PDF."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from referrals.models import ConsentLetter, ConsentRecord

from ..factories import CaseFactory, ContactFactory

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
    assert "Letter recorded as sent" in response.content.decode()
    assert "Awaiting answer (0 school days)" in response.content.decode()
    letter = ConsentLetter.objects.get()
    text = pdf_text(client.get(reverse("consent_letter_pdf", args=[letter.pk])))
    assert "Dear Alex Testparent" in text
    assert "Robin Testchild" in text
    assert "Sand Play" in text
    assert "invite you to meet the mentor" in text
    assert "I give consent for my child to take part" in text
    assert school.name in text


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
