"""Emails that something is waiting. They never carry a child's name or any case detail:
school mailboxes are read on shared screens and phones. The app works fully without them."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from mentoring.models import Role, User

logger = logging.getLogger(__name__)
FOOTER = "\n\nThis message holds no details of the child: sign in to read them."


def _send(subject, path, lines, recipients):
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    body = "\n".join(lines) + f"\n\n{settings.SITE_URL.rstrip('/')}{path}" + FOOTER
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError:
        # A mail server that is down must not undo the referral; the landing page shows it.
        logger.warning("Could not send the email %r", subject, exc_info=True)


def new_referral(referral):
    coordinators = User.objects.filter(
        is_active=True,
        memberships__school=referral.school_id,
        memberships__roles__role=Role.COORDINATOR,
    ).values_list("email", flat=True)
    _send(
        "Mentoring: a new referral to look at",
        reverse("referral_queue"),
        ["A new referral is waiting in the mentoring referral queue."],
        coordinators,
    )


def referral_decided(referral):
    _send(
        "Mentoring: a decision on your referral",
        reverse("referral_detail", args=[referral.pk]),
        ["The mentoring panel has made a decision on a referral you made."],
        [referral.referred_by.email] if referral.referred_by.is_active else [],
    )
