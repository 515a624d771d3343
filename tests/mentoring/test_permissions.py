"""Who may see what: case content, caseloads, classes, and nothing across schools."""

import pytest
from django.urls import reverse

from mentoring import permissions
from mentoring.models import Role

from ..factories import CaseFactory, PupilFactory, SchoolClassFactory, assign, staff
from ..pages import mentions

pytestmark = pytest.mark.django_db


def test_office_cannot_open_a_case(client_for, office, case):
    response = client_for(office).get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 404
    assert case.pupil.full_name.encode() not in response.content


def test_office_has_no_case_list_and_no_cases_on_a_pupil_page(client_for, office, case):
    client = client_for(office)
    assert client.get(reverse("case_list")).status_code == 403
    page = client.get(reverse("pupil_detail", args=[case.pupil.pk]))
    assert page.status_code == 200
    assert b"Mentoring" not in page.content.split(b"<main")[1]  # no mentoring section


def test_mentor_opens_own_case(client_for, mentor, case):
    response = client_for(mentor).get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert case.pupil.full_name in response.content.decode()


def test_mentor_cannot_open_another_mentors_case(client_for, mentor, other_case):
    """404, not 403: the other mentor's case is not revealed to exist."""
    client = client_for(mentor)
    assert client.get(reverse("case_detail", args=[other_case.pk])).status_code == 404
    assert client.get(reverse("case_history", args=[other_case.pk])).status_code == 404
    assert client.get(reverse("pupil_detail", args=[other_case.pupil.pk])).status_code == 404
    listing = client.get(reverse("case_list"), {"status": "open"}).content.decode()
    assert not mentions(listing, other_case.pupil.full_name)


def test_class_teacher_sees_only_their_class(client_for, class_teacher, pupil, other_class_pupil):
    client = client_for(class_teacher)
    listing = client.get(reverse("pupil_list")).content.decode()
    assert pupil.legal_last_name in listing and pupil.first_name in listing
    assert not mentions(listing, other_class_pupil.first_name)
    assert client.get(reverse("pupil_detail", args=[pupil.pk])).status_code == 200
    assert client.get(reverse("pupil_detail", args=[other_class_pupil.pk])).status_code == 404


def test_class_teacher_sees_no_case_content(client_for, class_teacher, case):
    client = client_for(class_teacher)
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("case_list")).status_code == 403


def test_teaching_assistant_sees_their_class(client_for, teaching_assistant, pupil):
    listing = client_for(teaching_assistant).get(reverse("pupil_list")).content.decode()
    assert pupil.first_name in listing


@pytest.fixture
def elsewhere(other_school):
    """Another school of the trust, with its own staff, pupil and case."""
    klass = SchoolClassFactory(school=other_school, name="Willow", year_group=3)
    pupil = PupilFactory(school=other_school, school_class=klass, legal_first_name="Faraway")
    mentor = staff(other_school, Role.MENTOR, username="far_mentor", last_name="Farmentor")
    leaders = staff(
        other_school,
        Role.COORDINATOR,
        Role.HEAD,
        Role.OFFICE,
        Role.DSL,
        Role.SENDCO,
        username="far_lead",
        last_name="Farlead",
    )
    assign(leaders, klass)
    return {
        "pupil": pupil,
        "case": CaseFactory(pupil=pupil, mentor=mentor),
        "mentor": mentor,
        "leader": leaders,
    }


def test_nothing_crosses_between_schools(client_for, elsewhere, coordinator, head, office, case):
    """Even holding every role, staff of one school see nothing of another's."""
    ours = case
    for user in (coordinator, head, office):
        assert not permissions.visible_pupils(user).filter(pk=elsewhere["pupil"].pk).exists()
        assert not permissions.visible_cases(user).filter(pk=elsewhere["case"].pk).exists()
    far = client_for(elsewhere["leader"])
    assert far.get(reverse("pupil_detail", args=[ours.pupil.pk])).status_code == 404
    assert far.get(reverse("case_detail", args=[ours.pk])).status_code == 404
    assert far.get(reverse("pupil_history", args=[ours.pupil.pk])).status_code == 404
    assert not mentions(far.get(reverse("pupil_list")).content.decode(), ours.pupil.first_name)
    cases = far.get(reverse("case_list"), {"status": "open"}).content.decode()
    assert not mentions(cases, ours.pupil.first_name) and "Faraway" in cases
    staff_page = far.get(reverse("staff_list")).content.decode()
    assert "Farmentor" in staff_page and not mentions(staff_page, "Mina")


def test_office_set_up_screens_are_scoped_to_their_school(client_for, office, pupil, elsewhere):
    client = client_for(office)
    listing = client.get(reverse("admin:mentoring_pupil_changelist")).content.decode()
    assert pupil.legal_first_name in listing
    assert "Faraway" not in listing
    other = reverse("admin:mentoring_pupil_change", args=[elsewhere["pupil"].pk])
    assert client.get(other, follow=True).redirect_chain  # sent away: not in their scope
    assert "Faraway" not in client.get(other, follow=True).content.decode()


def test_only_the_office_reaches_set_up(client_for, mentor, coordinator, class_teacher, office):
    for user in (mentor, coordinator, class_teacher):
        response = client_for(user).get(reverse("admin:index"), follow=True)
        assert response.status_code == 403
        assert "You cannot do that" in response.content.decode()
    assert "Roster, calendar" in client_for(office).get(reverse("admin:index")).content.decode()


def test_pupil_history_is_for_office_and_leaders(client_for, pupil, mentor, class_teacher, head):
    url = reverse("pupil_history", args=[pupil.pk])
    assert client_for(class_teacher).get(url).status_code == 403
    assert client_for(head).get(url).status_code == 200
    assert client_for(mentor).get(url).status_code == 404  # not on their caseload
