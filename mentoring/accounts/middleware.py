"""What every request to the app goes through once signed in.

- ``SessionTimeoutMiddleware``: a session ends after SIGN_OUT_WHEN_IDLE without a request,
  and SIGN_OUT_AFTER from sign-in whatever happens; the member of staff lands on the sign-in
  page with a message saying why. The clock starts in ``start_session_clock``, connected to
  Django's ``user_logged_in`` signal in ``AccountsConfig.ready``.
- ``SecondFactorMiddleware``: after the password, those who must
  (``permissions.second_factor_required``) or who chose to use two-step sign-in see nothing
  but the code page, or the set-up page if they have no authenticator app yet, until the
  session is verified.
- ``NoStoreMiddleware``: no page shown to a signed-in member of staff is kept by the browser
  or a proxy, so a child's details are not in the cache of a shared school computer.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect

from mentoring.permissions import second_factor_required

from .durations import in_words
from .services import has_authenticator

SIGNED_IN_AT = "accounts_signed_in_at"
LAST_SEEN = "accounts_last_seen"
# The last-seen time is saved at most this often, not on every request.
LAST_SEEN_RESOLUTION = 60

# Pages a signed-in member of staff may open before the second step.
OPEN_BEFORE_SECOND_STEP = {"logout"}


def start_session_clock(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        _start_clock(session)


def _start_clock(session):
    now = time.time()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now


def _url_name(request):
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


def _page_path(request):
    """The page the member of staff was on: for htmx, the page, not the fragment."""
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.current_url_abs_path:
        return htmx.current_url_abs_path
    if request.method == "GET":
        return request.get_full_path()
    return None


def _go_to(request, url_name):
    url = reverse(url_name)
    page = _page_path(request)
    if page:
        url += "?" + urlencode({"next": page})
    if getattr(request, "htmx", None):
        # A fragment swapped into the page would show the sign-in form inside it.
        return HttpResponseClientRedirect(url)
    return redirect(url)


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = self._expired(request.session, time.time())
            if reason:
                logout(request)
                messages.info(request, reason)
                return _go_to(request, "login")
        return self.get_response(request)

    @staticmethod
    def _expired(session, now):
        """Why the session has ended, if it has; otherwise this request counts as use."""
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen = session.get(LAST_SEEN, signed_in_at)
        if signed_in_at is None:
            # A session from before these limits: its clock starts now.
            _start_clock(session)
            return None
        if now - signed_in_at > settings.SIGN_OUT_AFTER.total_seconds():
            return (
                "You were signed out because you signed in more than "
                f"{in_words(settings.SIGN_OUT_AFTER)} ago. Sign in again to carry on."
            )
        if now - last_seen > settings.SIGN_OUT_WHEN_IDLE.total_seconds():
            return (
                "You were signed out because the site had not been used for "
                f"{in_words(settings.SIGN_OUT_WHEN_IDLE)}. Sign in again to carry on."
            )
        if now - last_seen > LAST_SEEN_RESOLUTION:
            session[LAST_SEEN] = now
        return None


def second_step_due(user):
    """The page a signed-in user must pass before any other (a code, or setting up the
    app), or None."""
    if not user.is_authenticated or user.is_verified():
        return None
    if has_authenticator(user):
        return "two_factor_verify"
    if second_factor_required(user):
        return "two_factor_setup"
    return None


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Kept on the request for the header, which then asks no second time.
        step = request.second_step = second_step_due(request.user)
        here = _url_name(request) if step else None
        if step and here != step and here not in OPEN_BEFORE_SECOND_STEP:
            return _go_to(request, step)
        return self.get_response(request)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
