"""Setting up an authenticator app and making backup codes."""

import secrets
import time

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .hashers import BACKUP_CODE_HASHER
from .models import BackupCode, BackupCodeDevice, normalise_code

AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODE_COUNT = 10
BACKUP_CODE_LENGTH = 10
# No 0/o or 1/l/i: the codes are copied from paper.
BACKUP_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def authenticator_for(user):
    """The user's authenticator app, once set up; None before."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_for(user):
    return BackupCodeDevice.objects.filter(user=user, confirmed=True).first()


def new_authenticator_key():
    return random_hex(20)


def authenticator_preview(user, key):
    """An unsaved device for ``key``: what the set-up page shows (QR code, secret)."""
    return TOTPDevice(user=user, key=key, name=AUTHENTICATOR_NAME, confirmed=False)


@transaction.atomic
def set_up_authenticator(*, user, key, code):
    """Keep the app whose key is ``key`` once it has shown a right code, in place of any other.

    Raises ValidationError when the code does not match.
    """
    device = authenticator_preview(user, key)
    code = "".join(str(code).split())
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time()
    # isdecimal, not isdigit: int() refuses digits such as "²", which isdigit accepts.
    if not (code.isdecimal() and totp.verify(int(code), tolerance=device.tolerance)):
        raise ValidationError(
            {"code": "That code did not match. Type the 6 digits the app shows now."}
        )
    device.confirmed = True
    device.drift = totp.drift
    # The code just used may not be used again to sign in.
    device.last_t = totp.t()
    # A new phone replaces the old one; sessions verified by the old one must verify again.
    TOTPDevice.objects.filter(user=user).delete()
    device.save()
    return device


def new_backup_code():
    return "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))


def format_code(code):
    """How a code is shown and printed: two groups of five."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


@transaction.atomic
def make_backup_codes(*, user, codes=None):
    """Replace the user's backup codes with a new set; returns the codes, to be shown once."""
    codes = [normalise_code(c) for c in codes] if codes else None
    codes = codes or [new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    device, _ = BackupCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "Backup codes", "confirmed": True}
    )
    device.codes.all().delete()
    for code in codes:
        BackupCode.objects.create(
            device=device, code_hash=make_password(code, hasher=BACKUP_CODE_HASHER)
        )
    device.throttle_reset()
    return [format_code(c) for c in codes]
