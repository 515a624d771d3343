"""Emails that something is waiting. They never carry a child's name or any case detail:
school mailboxes are read on shared screens and phones. The app works fully without them."""

import logging

from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger(__name__)
FOOTER = "\n\nThis message holds no details of the child: sign in to read them."


def send_link_email(subject, path, lines, recipients):
    """Email a short notice and a link to ``path`` on this site."""
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    body = "\n".join(lines) + f"\n\n{settings.SITE_URL.rstrip('/')}{path}" + FOOTER
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError:
        # A mail server that is down must not undo the work; the landing page shows it too.
        logger.warning("Could not send the email %r", subject, exc_info=True)
