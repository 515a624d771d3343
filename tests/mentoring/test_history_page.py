"""The history page says who changed what, and when, in plain words."""

import pytest
from django.urls import reverse

from mentoring import roster

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
