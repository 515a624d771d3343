"""The referral page: discussion, prioritisation and decision, as the panel does them."""

import datetime as dt
import html
import re

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
    page = response.content.decode()
    message = "The panel must give the referral a priority before deciding it."
    assert page.count(message) == 1
    assert re.search(rf'role="alert">\s*<p class="mb-0">{message}</p>', page)
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


def error_beside(page, field_id, message):
    """Is ``message`` shown as the error of the field ``field_id``, not only as a banner?"""
    return re.search(
        rf'id="error_\d+_{field_id}"[^>]*>\s*<strong>{re.escape(message)}</strong>', page
    )


def checked(page, name, value):
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*checked', page)


def test_a_refused_discussion_is_shown_again_with_what_was_typed(client_for, coordinator, referral):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = client_for(coordinator).post(
        reverse("referral_discuss", args=[referral.pk]),
        {"discussed_on": tomorrow, "with_whom": "Year 3 TA", "note": "Tearful at lunchtimes."},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert error_beside(page, "id_discussed_on", "The date cannot be in the future.")
    assert "Discussed on: The date cannot be in the future." not in page  # no banner
    assert f'value="{tomorrow}"' in page
    assert 'value="Year 3 TA"' in page
    assert "Tearful at lunchtimes.</textarea>" in page
    assert not referral.discussions.exists()


def test_a_priority_without_the_panel_keeps_the_chosen_priority(client_for, coordinator, referral):
    response = client_for(coordinator).post(
        reverse("referral_prioritise", args=[referral.pk]),
        {"priority": 2, "prioritised_on": TODAY},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert error_beside(page, "id_panel", "This field is required.")
    assert checked(page, "priority", "2")
    referral.refresh_from_db()
    assert referral.priority is None


def test_accepting_without_a_support_type_keeps_the_decision(
    client_for, coordinator, head, referral
):
    client = client_for(coordinator)
    client.post(
        reverse("referral_prioritise", args=[referral.pk]),
        {"priority": 1, "panel": [head.pk], "prioritised_on": TODAY},
    )
    response = client.post(
        reverse("referral_decide", args=[referral.pk]),
        {"decision": "accepted", "support_type": "", "reason": "Room free on Tuesdays."},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert error_beside(page, "id_support_type", "Choose the support to offer.")
    assert checked(page, "decision", "accepted")
    assert "Room free on Tuesdays.</textarea>" in page
    assert Referral.objects.get().status == Referral.Status.PRIORITISED


def test_a_recorded_discussion_still_redirects(client_for, coordinator, referral):
    response = client_for(coordinator).post(
        reverse("referral_discuss", args=[referral.pk]),
        {"discussed_on": TODAY, "with_whom": "Class teacher", "note": "Settling better."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("referral_detail", args=[referral.pk])


def test_a_priority_saved_meanwhile_is_shown_once_beside_the_kept_choice(
    client_for, coordinator, head, referral
):
    def opened_version(client):
        page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
        form = page[page.index(reverse("referral_prioritise", args=[referral.pk])) :]
        return html.unescape(re.search(r'name="opened_version" value="([^"]*)"', form).group(1))

    cora, hedda = client_for(coordinator), client_for(head)
    cora_opened, hedda_opened = opened_version(cora), opened_version(hedda)
    url = reverse("referral_prioritise", args=[referral.pk])
    form = {"panel": [coordinator.pk, head.pk], "prioritised_on": TODAY}
    assert cora.post(url, {**form, "priority": 1, "opened_version": cora_opened}).status_code == 302
    refused = hedda.post(url, {**form, "priority": 3, "opened_version": hedda_opened})
    assert refused.status_code == 200
    page = html.unescape(refused.content.decode())
    assert page.count("while you were editing") == 1  # the panel, not the panel and a banner
    assert checked(page, "priority", "3")
    assert Referral.objects.get().priority == 1
