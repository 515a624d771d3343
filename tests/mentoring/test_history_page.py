"""The history page says who changed what, and when, in plain words."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring import roster
from referrals.models import ConsentRecord
from referrals.services import consent_record
from sessions.services import allocate, session_move, slot_change

from ..factories import CaseFactory, RoomFactory, TermFactory

pytestmark = pytest.mark.django_db


def admin_form_data(pupil, **changes):
    """The set-up screen's form for a pupil, as the browser would post it."""
    data = {
        "school": pupil.school_id,
        "upn": pupil.upn,
        "legal_first_name": pupil.legal_first_name,
        "legal_last_name": pupil.legal_last_name,
        "preferred_name": pupil.preferred_name,
        "date_of_birth": pupil.date_of_birth.strftime("%d/%m/%Y"),
        "year_group": pupil.year_group,
        "school_class": pupil.school_class_id or "",
        "gender": pupil.gender,
        "sen_status": pupil.sen_status,
        "ethnicity": "",
        "date_left": "",
        "contacts-TOTAL_FORMS": 0,
        "contacts-INITIAL_FORMS": 0,
        "contacts-MIN_NUM_FORMS": 0,
        "contacts-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    return data


def test_an_edit_in_set_up_shows_who_changed_what(client_for, office, head, pupil):
    url = reverse("admin:mentoring_pupil_change", args=[pupil.pk])
    response = client_for(office).post(url, admin_form_data(pupil, preferred_name="Robbie"))
    assert response.status_code == 302, response.content.decode()[:2000]

    page = client_for(head).get(reverse("pupil_history", args=[pupil.pk])).content.decode()
    assert "Olive Staffperson</strong> changed the pupil record" in page
    assert "Preferred name: (blank) → Robbie" in page


def test_a_re_import_shows_in_the_history(client_for, office, school, school_class, pupil):
    row = (
        "upn,legal_first_name,legal_last_name,date_of_birth,year_group,class,sen_status\n"
        f"{pupil.upn},{pupil.legal_first_name},{pupil.legal_last_name},"
        f"{pupil.date_of_birth:%d/%m/%Y},3,Oak,K\n"
    )
    result = roster.import_pupils(school=school, data=row.encode(), user=office)
    assert result.updated == 1, result.errors

    page = client_for(office).get(reverse("pupil_history", args=[pupil.pk])).content.decode()
    assert "Olive Staffperson</strong> changed the pupil record" in page
    assert "(Roster import)" in page
    assert "SEN status: None → SEN support" in page

    again = roster.import_pupils(school=school, data=row.encode(), user=office)
    assert again.unchanged == 1 and again.updated == 0
    assert pupil.history.count() == 2  # created, then the one real change


def test_contact_changes_are_in_the_pupil_history(client_for, head, pupil):
    from ..factories import ContactFactory

    contact = ContactFactory(pupil=pupil, name="Jo Testparent")
    contact.phone = "07700 900123"
    contact.save()
    page = client_for(head).get(reverse("pupil_history", args=[pupil.pk])).content.decode()
    assert "created the parent/carer record of Jo Testparent" in page
    assert "Phone: 07700 900000 → 07700 900123" in page


def test_the_case_history_shows_its_slot_and_consent_with_reasons(
    client_for, school, pupil, coordinator, mentor
):
    """What the forms promise ("kept in the slot's history") can be read on the case's history
    page: a slot change with its reason, a one-off move, the allocation and the consent."""
    TermFactory(academic_year__school=school)
    case = CaseFactory(pupil=pupil, opened_on=dt.date(2026, 9, 1))
    consent_record(
        case=case,
        user=coordinator,
        decision=ConsentRecord.Decision.GIVEN,
        given_by="Pat Testparent",
        relationship="Mother",
        method=ConsentRecord.Method.SLIP,
        decided_on=dt.date(2026, 9, 1),
    )
    slot = allocate(
        case=case,
        user=coordinator,
        mentor=mentor,
        room=RoomFactory(school=school, name="Learning Mentor Room"),
        weekday=1,
        starts_at=dt.time(10, 30),
        duration=30,
        block_starts_on=dt.date(2026, 9, 7),
        block_weeks=6,
    ).slot
    slot_change(
        slot=slot, user=coordinator, reason="Assembly moved to Tuesdays", starts_at=dt.time(13, 0)
    )
    session_move(
        slot=slot,
        user=mentor,
        original_date=dt.date(2026, 9, 15),
        moved_to=timezone.make_aware(dt.datetime(2026, 9, 16, 13, 0)),
        reason="Class trip",
    )
    page = html.unescape(
        client_for(coordinator).get(reverse("case_history", args=[case.pk])).content.decode()
    )
    assert f"{coordinator}</strong> changed the slot (Tuesdays)" in page
    assert "(Assembly moved to Tuesdays)" in page and "Start time: 10:30 → 13:00" in page
    assert (
        f"{mentor}</strong> created the session of 15 September 2026, "
        "moved to Wednesday 16 September 13:00 (Class trip)"
    ) in page
    assert f"{coordinator}</strong> created the allocation to a slot" in page
    assert f"{coordinator}</strong> created the parental consent" in page
    assert "System</strong> created the session" not in page  # a move is its mover's
