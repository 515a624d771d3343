"""The teacher's initial referral: bad input gets a clear message and saves nothing."""

import re

import pytest
from django.urls import reverse

from referrals.models import Criterion, Referral

from ..factories import CaseFactory, make_referral, referral_lists

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_data(school, pupil):
    referral_lists(school)

    def data(**changes):
        values = {
            "pupil": pupil.pk,
            "criteria": [Criterion.objects.get(school=school, name="Low self-esteem").pk],
            "needs_and_strengths": "Quiet in class, kind to younger children.",
            "already_tried": "Seating plan; a buddy at playtime.",
            "pupil_willing": "yes",
            "submit": "",
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}

    return data


def test_a_teacher_submits_a_referral_for_their_pupil(client_for, class_teacher, pupil, form_data):
    response = client_for(class_teacher).post(reverse("referral_create"), form_data(), follow=True)
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.NEW and referral.submitted_at
    assert referral.referred_by == class_teacher
    assert [c.name for c in referral.criteria.all()] == ["Low self-esteem"]
    assert "Referral submitted to the mentoring coordinator." in response.content.decode()


def test_a_draft_is_saved_without_criteria_and_finished_later(
    client_for, class_teacher, pupil, form_data
):
    client = client_for(class_teacher)
    client.post(reverse("referral_create"), form_data(criteria=None, submit=None, draft=""))
    draft = Referral.objects.get()
    assert draft.status == Referral.Status.DRAFT and draft.submitted_at is None
    client.post(reverse("referral_edit", args=[draft.pk]), form_data())
    draft.refresh_from_db()
    assert draft.status == Referral.Status.NEW


def test_submitting_without_a_criterion_is_refused_by_the_field(
    client_for, class_teacher, form_data
):
    response = client_for(class_teacher).post(reverse("referral_create"), form_data(criteria=None))
    page = response.content.decode()
    assert "Choose at least one referral criterion that applies." in page
    assert 'value="Quiet in class, kind to younger children."' in page or (
        "Quiet in class, kind to younger children." in page
    )  # nothing the teacher typed is lost
    assert not Referral.objects.exists()


def test_a_pupil_the_referrer_cannot_see_is_refused(
    client_for, class_teacher, other_class_pupil, form_data
):
    response = client_for(class_teacher).post(
        reverse("referral_create"), form_data(pupil=other_class_pupil.pk)
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_second_open_referral_is_refused_with_a_link_to_the_first(
    client_for, class_teacher, pupil, form_data
):
    first = make_referral(pupil, class_teacher)
    response = client_for(class_teacher).post(reverse("referral_create"), form_data())
    page = response.content.decode()
    assert "already has an open referral" in page
    assert reverse("referral_detail", args=[first.pk]) in page
    assert Referral.objects.count() == 1


def test_the_form_says_so_before_typing_when_the_pupil_has_an_open_case(
    client_for, class_teacher, pupil, mentor
):
    CaseFactory(pupil=pupil, mentor=mentor)
    page = client_for(class_teacher).get(reverse("referral_create"), {"pupil": pupil.pk})
    text = page.content.decode()
    assert "already has an open case" in text
    assert "Ask the mentoring coordinator about it" in text  # a teacher cannot open the case


def test_submitting_twice_is_refused(client_for, class_teacher, pupil, form_data):
    """A double click on "Submit" makes one referral; the second post is told why."""
    client = client_for(class_teacher)
    client.post(reverse("referral_create"), form_data())
    again = client.post(reverse("referral_create"), form_data())
    assert "already has an open referral" in again.content.decode()
    assert Referral.objects.count() == 1
    submitted = Referral.objects.get()
    resubmit = client.post(reverse("referral_edit", args=[submitted.pk]), form_data())
    assert resubmit.status_code == 403  # a submitted referral is no longer the teacher's to edit


def test_short_term_needs_details(client_for, class_teacher, form_data):
    response = client_for(class_teacher).post(
        reverse("referral_create"), form_data(short_term="on")
    )
    assert "Say what the short-term difficulty is." in response.content.decode()
    assert not Referral.objects.exists()


def test_every_missing_part_is_said_at_once(client_for, class_teacher, form_data):
    """No second round: the criterion is asked for with the short-term details."""
    data = form_data(short_term="on", criteria=None)
    page = client_for(class_teacher).post(reverse("referral_create"), data).content.decode()
    assert "Say what the short-term difficulty is." in page
    assert "Choose at least one referral criterion that applies." in page
    assert not Referral.objects.exists()


def test_a_retired_criterion_stays_readable_on_old_referrals(
    client_for, class_teacher, pupil, coordinator
):
    referral = make_referral(pupil, class_teacher)
    criterion = referral.criteria.get()
    criterion.active = False
    criterion.save()
    page = client_for(coordinator).get(reverse("referral_detail", args=[referral.pk]))
    assert f"{criterion.name} (retired)" in page.content.decode()


def test_the_duplicate_is_said_once_with_its_link(client_for, class_teacher, pupil, form_data):
    first = make_referral(pupil, class_teacher)
    response = client_for(class_teacher).post(reverse("referral_create"), form_data())
    page = response.content.decode()
    assert page.count("already has an open referral") == 1
    assert re.search(r'role="alert" id="duplicate-notice">\s*Robin Testchild already has', page)
    assert reverse("referral_detail", args=[first.pk]) in page
    assert 'value="Quiet in class, kind to younger children."' in page or (
        "Quiet in class, kind to younger children.</textarea>" in page
    )
