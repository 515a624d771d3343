"""The school's own referral criteria and barriers, edited by the coordinator."""

import pytest
from django.urls import reverse

from referrals.models import Barrier, Criterion

pytestmark = pytest.mark.django_db


def test_a_new_school_starts_from_the_policys_lists(client_for, coordinator, school):
    client = client_for(coordinator)
    page = client.get(reverse("referral_lists", args=["criteria"])).content.decode()
    assert "Start from the mentoring policy" in page
    client.post(reverse("referral_lists", args=["criteria"]), {"load_policy_lists": ""})
    assert Criterion.objects.filter(school=school).count() == 9
    assert Barrier.objects.filter(school=school, name="Bullying").exists()


def test_the_coordinator_renames_retires_and_adds(client_for, coordinator, school):
    client = client_for(coordinator)
    client.post(reverse("referral_lists", args=["criteria"]), {"load_policy_lists": ""})
    items = list(Criterion.objects.filter(school=school))
    data = {
        "form-TOTAL_FORMS": len(items) + 1,
        "form-INITIAL_FORMS": len(items),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
    }
    for i, item in enumerate(items):
        data.update({f"form-{i}-id": item.pk, f"form-{i}-name": item.name})
        data[f"form-{i}-position"] = item.position
        if i != 0:
            data[f"form-{i}-active"] = "on"
    data.update({f"form-{len(items)}-name": "Young carer", f"form-{len(items)}-position": 20})
    data[f"form-{len(items)}-active"] = "on"
    response = client.post(reverse("referral_lists", args=["criteria"]), data, follow=True)
    assert "The list of referral criteria is saved." in response.content.decode()
    assert not Criterion.objects.get(pk=items[0].pk).active
    assert Criterion.objects.get(school=school, name="Young carer").active


@pytest.mark.parametrize("persona", ["class_teacher", "mentor", "office", "sendco"])
def test_only_the_coordinator_and_head_edit_the_lists(client_for, persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("referral_lists", args=["criteria"])).status_code == 403
    assert client_for(user).get(reverse("letter_wording_edit")).status_code == 403
