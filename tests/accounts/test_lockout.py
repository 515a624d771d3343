"""Repeated failed sign-ins lock out one username from one address, and say for how long."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from ..factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

SCHOOL_ADDRESS = "203.0.113.10"  # the whole school's staff share this address
HOME_ADDRESS = "198.51.100.7"
LOCKED = "Too many failed attempts for this username from this address. Try again in 15 minutes."


def sign_in(username, password, address, client=None):
    client = client or Client()
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(username, address, times):
    for _ in range(times):
        response = sign_in(username, "not-the-password", address)
    return response


def signed_in(response):
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def test_four_failures_only_say_the_password_was_wrong(mentor):
    response = fail("mentor", SCHOOL_ADDRESS, 4)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    # The message, not the username box, takes the focus (static/js/form-errors.js).
    assert "autofocus" not in response.content.decode()
    assert signed_in(sign_in("mentor", DEMO_PASSWORD, SCHOOL_ADDRESS))


def test_the_fifth_failure_locks_out_that_username_from_that_address(mentor):
    response = fail("mentor", SCHOOL_ADDRESS, 5)
    page = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in page
    assert 'name="username"' in page and 'value="mentor"' in page  # still the sign-in page

    # Even the right password is refused until the wait is over.
    response = sign_in("mentor", DEMO_PASSWORD, SCHOOL_ADDRESS)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_the_same_username_from_another_address_still_signs_in(mentor):
    fail("mentor", SCHOOL_ADDRESS, 5)
    assert signed_in(sign_in("mentor", DEMO_PASSWORD, HOME_ADDRESS))


def test_colleagues_at_the_same_address_still_sign_in(mentor, other_mentor):
    fail("mentor", SCHOOL_ADDRESS, 5)
    assert signed_in(sign_in("mentor2", DEMO_PASSWORD, SCHOOL_ADDRESS))


def test_a_successful_sign_in_clears_earlier_failures(mentor):
    fail("mentor", SCHOOL_ADDRESS, 4)
    assert signed_in(sign_in("mentor", DEMO_PASSWORD, SCHOOL_ADDRESS))
    response = fail("mentor", SCHOOL_ADDRESS, 4)
    assert response.status_code == 200


def test_the_limit_and_the_wait_are_settings(mentor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(hours=1)
    response = fail("mentor", SCHOOL_ADDRESS, 3)
    assert response.status_code == 429
    assert "Try again in 1 hour." in response.content.decode()


def test_behind_a_trusted_proxy_the_lockout_keys_on_the_forwarded_address(mentor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(5):
        Client().post(
            reverse("login"),
            {"username": "mentor", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=SCHOOL_ADDRESS,
        )
    # The same proxy forwarding someone at another address: not locked out.
    response = Client().post(
        reverse("login"),
        {"username": "mentor", "password": DEMO_PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=f"{SCHOOL_ADDRESS}, {HOME_ADDRESS}",
    )
    assert signed_in(response)
