"""Notices of new referrals and decisions (see mentoring.notify: no child's details)."""

from django.urls import reverse

from mentoring.models import Role, User
from mentoring.notify import send_link_email


def new_referral(referral):
    coordinators = User.objects.filter(
        is_active=True,
        memberships__school=referral.school_id,
        memberships__roles__role=Role.COORDINATOR,
    ).values_list("email", flat=True)
    send_link_email(
        "Mentoring: a new referral to look at",
        reverse("referral_queue"),
        ["A new referral is waiting in the mentoring referral queue."],
        coordinators,
    )


def referral_decided(referral):
    send_link_email(
        "Mentoring: a decision on your referral",
        reverse("referral_detail", args=[referral.pk]),
        ["The mentoring panel has made a decision on a referral you made."],
        [referral.referred_by.email] if referral.referred_by.is_active else [],
    )
