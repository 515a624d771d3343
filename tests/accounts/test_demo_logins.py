"""The demo's head and coordinator can be signed in as without a phone, as README.md says."""

import io
import re
from base64 import b32decode
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentoring import demo
from mentoring.models import User

pytestmark = pytest.mark.django_db

README = (Path(settings.BASE_DIR) / "README.md").read_text()


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def sign_in(username, code):
    client = Client()
    client.post(reverse("login"), {"username": username, "password": demo.DEMO_PASSWORD})
    response = client.post(reverse("two_factor_verify"), {"code": code})
    return client, response


def test_readme_publishes_the_demo_keys_and_backup_codes():
    for username, key in demo.DEMO_AUTHENTICATOR_KEYS.items():
        assert key in README
        assert f"otpauth://totp/Mentoring:{username}?secret={key}" in README
        for code in demo.DEMO_BACKUP_CODES[username]:
            assert code in README


def test_the_published_key_and_backup_codes_sign_in(settings):
    seed()
    key = b32decode(demo.DEMO_AUTHENTICATOR_KEYS["head"])
    client, response = sign_in("head", f"{totp(key):06d}")
    assert response["Location"] == "/"
    assert "Hazel Whitcombe" in client.get("/").content.decode()

    client, response = sign_in("coordinator", "coordinator-demo-01")
    assert response["Location"] == "/"
    _, response = sign_in("coordinator", "coordinator-demo-01")
    assert "That code did not work" in response.content.decode()

    # Seeding again gives the used demo codes back, and makes nothing twice. (Only the
    # two-step part of seeding: the whole demo takes long, and its idempotence is tested
    # in tests/mentoring/test_seed_demo.py.)
    users = {
        user.username: user for user in User.objects.filter(username__in=["head", "coordinator"])
    }
    demo._seed_two_step_sign_in(users)
    _, response = sign_in("coordinator", "coordinator-demo-01")
    assert response["Location"] == "/"
    assert TOTPDevice.objects.filter(user__username="coordinator").count() == 1


def test_demo_codes_follow_the_published_pattern():
    for username, codes in demo.DEMO_BACKUP_CODES.items():
        assert all(re.fullmatch(rf"{username}-demo-\d\d", code) for code in codes)
