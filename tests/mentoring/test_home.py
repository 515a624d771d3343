"""Every role lands on a page with real content for that role."""

import pytest
from django.urls import reverse

from mentoring.models import Role

from ..factories import CaseFactory, PupilFactory, staff

pytestmark = pytest.mark.django_db


def home(client_for, user):
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_office_lands_on_the_roster_and_set_up(client_for, office, pupil, other_class_pupil):
    page = home(client_for, office)
    assert "Roster and set-up" in page
    assert "2</span> pupils on roll" in page
    assert reverse("roster_import") in page


def test_mentor_lands_on_their_caseload(client_for, mentor, case, other_case):
    page = home(client_for, mentor)
    assert "My caseload" in page
    assert case.pupil.full_name in page
    assert other_case.pupil.full_name not in page


def test_coordinator_lands_on_cases_and_capacity(
    client_for, coordinator, case, other_case, mentor, other_mentor
):
    page = home(client_for, coordinator)
    assert "Cases and staff capacity" in page
    assert "2</span> open cases" in page
    assert "Mina Staffperson" in page and "Milo Staffperson" in page
    assert "Mentors&#x27; capacity" in page or "Mentors' capacity" in page


def test_class_teacher_lands_on_their_class(client_for, class_teacher, pupil, other_class_pupil):
    page = home(client_for, class_teacher)
    assert "My class" in page
    assert pupil.full_name in page
    assert other_class_pupil.full_name not in page


def test_head_who_is_also_dsl_sees_both_roles(client_for, school, case):
    head_dsl = staff(school, Role.HEAD, Role.DSL, username="headdsl", first_name="Harriet")
    page = home(client_for, head_dsl)
    assert "Head teacher · Designated safeguarding lead" in page
    assert "The mentoring programme" in page and "Safeguarding" in page


def test_sendco_lands_on_cases_of_pupils_with_sen(client_for, sendco, school, mentor):
    with_sen = PupilFactory(school=school, legal_first_name="Kit", sen_status="K")
    without = PupilFactory(school=school, legal_first_name="Lee")
    CaseFactory(pupil=with_sen, mentor=mentor)
    CaseFactory(pupil=without, mentor=mentor)
    page = home(client_for, sendco)
    assert "Kit Testchild" in page and "Lee Testchild" not in page


def test_account_without_a_role_is_told_what_to_do(client_for, db):
    from ..factories import UserFactory

    page = home(client_for, UserFactory())
    assert "no role in a school yet" in page
