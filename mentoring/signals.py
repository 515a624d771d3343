"""The core's signals, and its receivers of Django's.

``case_closed``: sent, inside the closing transaction, whichever app closes a case (the
coordinator closing it in reviews, a parent refusing consent in referrals), with ``case``,
``user`` and ``on`` (the closing date). The apps built on the core free what the case held
(sessions: its place in a slot), without the closers importing them.

Sign-ins, sign-outs and failed sign-ins go into the access log. Django sends those signals
whichever page or backend signs someone in (the sign-in page, a second step, django-axes in
front of the password check), so the log does not depend on how signing in is put together.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from .audit import record_access
from .models import AccessEvent

case_closed = Signal()


@receiver(user_logged_in, dispatch_uid="access_log_signed_in")
def signed_in(sender, request, user, **kwargs):
    record_access(request, AccessEvent.Action.LOGIN, "", user=user)


@receiver(user_logged_out, dispatch_uid="access_log_signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is not None:  # signing out when not signed in is nobody's event
        record_access(request, AccessEvent.Action.LOGOUT, "", user=user)


@receiver(user_login_failed, dispatch_uid="access_log_sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    typed = str(credentials.get(get_user_model().USERNAME_FIELD, ""))
    record_access(request, AccessEvent.Action.LOGIN_FAILED, "", username=typed)
