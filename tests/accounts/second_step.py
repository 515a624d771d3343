"""Passing two-step sign-in in tests, for the personas and browser journeys that need it."""

import time

import django_otp
from django.http import HttpRequest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentoring.accounts.services import authenticator_for
from mentoring.permissions import second_factor_required


def needs_second_step(user):
    return second_factor_required(user) or authenticator_for(user) is not None


def phone_for(user):
    """The user's authenticator app: theirs if set up, else a new one, as if set up."""
    return authenticator_for(user) or TOTPDevice.objects.create(
        user=user, name="Test phone", confirmed=True
    )


def pass_second_step(client, user):
    """Mark a test client's session as verified by the user's app, as typing a code does."""
    request = HttpRequest()
    request.user = user
    request.session = client.session
    django_otp.login(request, phone_for(user))
    request.session.save()


def code_now(device):
    """The code the app shows now.

    The server takes each step's code once; when an earlier sign-in in the same test used this
    step's, the next step's is given (the server allows one step either side), or, failing
    that, the next step is waited for.
    """
    while True:
        device.refresh_from_db()
        now = (int(time.time()) - device.t0) // device.step + device.drift
        ahead = max(0, device.last_t + 1 - now)
        if ahead <= device.tolerance:
            code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead)
            return f"{code:0{device.digits}d}"
        time.sleep(1)
