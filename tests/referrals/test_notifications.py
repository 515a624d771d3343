"""Emails say only that there is something to look at, never who or what."""

import pytest
from django.core import mail
from django.utils import timezone

from referrals import services

from ..factories import make_referral

pytestmark = pytest.mark.django_db


def test_submitting_emails_the_coordinator_without_the_childs_details(
    class_teacher, coordinator, pupil, django_capture_on_commit_callbacks
):
    referral = make_referral(pupil, class_teacher, status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_save(
            referral=referral,
            user=class_teacher,
            criteria=list(referral.criteria.all()),
            barriers=[],
            submit=True,
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [coordinator.email]
    assert "/referrals/" in message.body
    for detail in (pupil.first_name, pupil.legal_last_name, pupil.upn, "playtimes"):
        assert detail not in message.body and detail not in message.subject


def test_a_decision_emails_the_referrer(
    class_teacher, coordinator, pupil, django_capture_on_commit_callbacks
):
    referral = make_referral(pupil, class_teacher)
    services.referral_prioritise(
        referral=referral,
        user=coordinator,
        priority=1,
        panel=[coordinator],
        prioritised_on=timezone.localdate(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_decide(
            referral=referral, user=coordinator, decision="declined", reason="Nurture group instead"
        )
    assert [m.to for m in mail.outbox] == [[class_teacher.email]]
    assert f"/referrals/{referral.pk}/" in mail.outbox[0].body
    assert (
        "Nurture group" not in mail.outbox[0].body and pupil.first_name not in mail.outbox[0].body
    )
