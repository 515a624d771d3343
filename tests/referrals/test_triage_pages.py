"""The referral page: discussion, prioritisation and decision, as the panel does them."""

import datetime as dt

import pytest
from django.urls import reverse

from mentoring.models import Case
from referrals.models import Referral

from ..factories import make_referral

pytestmark = pytest.mark.django_db
TODAY = dt.date.today().isoformat()


@pytest.fixture
def referral(pupil, class_teacher):
    return make_referral(pupil, class_teacher)


def test_the_panel_moves_a_referral_from_new_to_accepted(
    client_for, coordinator, head, sendco, referral
):
    client = client_for(coordinator)
    client.post(
        reverse("referral_discuss", args=[referral.pk]),
        {"discussed_on": TODAY, "with_whom": "Class teacher", "note": "Unsettled since September."},
    )
    client.post(
        reverse("referral_prioritise", args=[referral.pk]),
        {"priority": 1, "panel": [head.pk, sendco.pk, coordinator.pk], "prioritised_on": TODAY},
    )
    response = client.post(
        reverse("referral_decide", args=[referral.pk]),
        {"decision": "accepted", "support_type": "drawing_talking"},
        follow=True,
    )
    page = response.content.decode()
    assert "Referral accepted." in page
    assert "Unsettled since September." in page
    assert "High priority" in page and "Hedda Staffperson" in page
    assert "Accepted by Cora Staffperson on" in page
    case = Case.objects.get(pupil=referral.pupil)
    assert case.get_support_type_display() == "Drawing & Talking"


def test_a_refused_move_is_shown_as_a_message(client_for, coordinator, referral):
    response = client_for(coordinator).post(
        reverse("referral_decide", args=[referral.pk]),
        {"decision": "accepted", "support_type": "mentoring"},
        follow=True,
    )
    assert (
        "The panel must give the referral a priority before deciding it."
        in response.content.decode()
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.NEW


def test_a_decline_without_a_reason_is_refused_by_the_field(client_for, coordinator, referral):
    response = client_for(coordinator).post(
        reverse("referral_decide", args=[referral.pk]), {"decision": "declined"}, follow=True
    )
    assert "Give the reason; the referrer will see it." in response.content.decode()
    assert Referral.objects.get().status == Referral.Status.NEW


def test_a_discussion_dated_in_the_future_is_refused(client_for, coordinator, referral):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = client_for(coordinator).post(
        reverse("referral_discuss", args=[referral.pk]),
        {"discussed_on": tomorrow, "with_whom": "TA", "note": "x"},
        follow=True,
    )
    assert "The date cannot be in the future." in response.content.decode()
    assert not referral.discussions.exists()


@pytest.mark.parametrize("action", ["referral_discuss", "referral_prioritise", "referral_decide"])
def test_the_referrer_cannot_triage_their_own_referral(client_for, class_teacher, referral, action):
    response = client_for(class_teacher).post(reverse(action, args=[referral.pk]), {})
    assert response.status_code == 403


def test_the_referrer_may_withdraw(client_for, class_teacher, referral):
    client_for(class_teacher).post(
        reverse("referral_withdraw", args=[referral.pk]), {"reason": "Settled now"}
    )
    referral.refresh_from_db()
    assert (
        referral.status == Referral.Status.WITHDRAWN and referral.withdrawn_reason == "Settled now"
    )
