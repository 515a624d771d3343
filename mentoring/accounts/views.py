"""Two-step sign-in: the code page, setting up an authenticator app, backup codes.

Every page here is about the signed-in member of staff's own account, so there is nothing
to look up through mentoring.permissions beyond being signed in (LoginRequiredMiddleware).
"""

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from mentoring.forms_util import apply_service
from mentoring.permissions import second_factor_required

from .forms import SetUpForm, VerifyForm
from .models import BackupCodeDevice
from .services import (
    authenticator_for,
    authenticator_preview,
    backup_codes_for,
    has_authenticator,
    make_backup_codes,
    new_authenticator_key,
    set_up_authenticator,
)

# The key of an app being set up waits in the session until a code confirms it.
PENDING_KEY = "accounts_pending_authenticator_key"
# New backup codes wait in the session until the page that shows them once.
FRESH_CODES = "accounts_fresh_backup_codes"
FEW_BACKUP_CODES = 3


def _next(request):
    """Where to go after this step: the page asked for, if it is one of ours."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


def _with_next(url_name, next_url):
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _verified(request, device):
    # A new session key once the second step is passed, as at sign-in.
    request.session.cycle_key()
    django_otp.login(request, device)


@require_http_methods(["GET"])
def two_factor(request):
    user = request.user
    backup = backup_codes_for(user)
    context = {
        "authenticator": authenticator_for(user),
        "required": second_factor_required(user),
        "backup_codes_left": backup.unused if backup else 0,
    }
    return render(request, "accounts/two_factor.html", context)


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not has_authenticator(user):
        return redirect(_with_next("two_factor_setup", _next(request)))
    form = VerifyForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        _verified(request, form.device)
        if isinstance(form.device, BackupCodeDevice):
            _say_backup_codes_left(request, form.device.unused)
        return redirect(_next(request))
    return render(request, "accounts/verify.html", {"form": form, "next": _next(request)})


def _say_backup_codes_left(request, left):
    text = f"You used a backup code: {left} left."
    if left <= FEW_BACKUP_CODES:
        text += " Make a new set on the Two-step sign-in page before they run out."
    messages.warning(request, text)


@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    user = request.user
    if has_authenticator(user) and not user.is_verified():
        return redirect(_with_next("two_factor_verify", _next(request)))
    key = request.session.get(PENDING_KEY) or new_authenticator_key()
    request.session[PENDING_KEY] = key
    form = SetUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        device = apply_service(form, lambda: set_up_authenticator(user=user, key=key, code=code))
        if device is not None:
            del request.session[PENDING_KEY]
            _verified(request, device)
            request.session[FRESH_CODES] = make_backup_codes(user=user)
            messages.success(request, "Two-step sign-in is on for your account.")
            return redirect(_with_next("backup_codes", _next(request)))
    preview = authenticator_preview(user, key)
    context = {
        "form": form,
        "qr_code": segno.make(preview.config_url, error="m").svg_data_uri(scale=5),
        "secret": _grouped(b32encode(preview.bin_key).decode("ascii")),
        "required": second_factor_required(user),
        "replacing": has_authenticator(user),
        "next": _next(request),
    }
    return render(request, "accounts/setup.html", context)


def _grouped(text, size=4):
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@require_http_methods(["GET", "POST"])
def backup_codes(request):
    user = request.user
    if request.method == "POST":
        if not (user.is_verified() and has_authenticator(user)):
            messages.error(request, "Set up an authenticator app first.")
            return redirect("two_factor")
        request.session[FRESH_CODES] = make_backup_codes(user=user)
        return redirect("backup_codes")
    backup = backup_codes_for(user)
    context = {
        "codes": request.session.pop(FRESH_CODES, None),
        "left": backup.unused if backup else 0,
        "can_make_new": user.is_verified() and has_authenticator(user),
        "next": _next(request),
    }
    return render(request, "accounts/backup_codes.html", context)
