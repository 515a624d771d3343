"""What a member of staff sees once locked out: the sign-in page, saying why and for how long."""

from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render

from .durations import in_words


def lockout_message():
    return (
        "Too many failed attempts for this username from this address. "
        f"Try again in {in_words(settings.AXES_COOLOFF_TIME)}."
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the sign-in form again, with the lockout message.

    Every further attempt during the lockout starts the wait again
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the full wait is the true one.
    """
    username = get_client_username(request, credentials) or ""
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": request.POST.get("next", ""),
        "lockout_message": lockout_message(),
    }
    return render(request, "registration/login.html", context, status=429)
