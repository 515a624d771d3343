"""Sessions end after 30 minutes unused and 12 hours after sign-in, whichever comes first."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from mentoring.accounts.middleware import LAST_SEEN, SIGNED_IN_AT

from ..factories import DEMO_PASSWORD
from ..pages import mentions

pytestmark = pytest.mark.django_db

MINUTE = 60
HOUR = 60 * MINUTE
IDLE_MESSAGE = (
    "You were signed out because the site had not been used for 30 minutes. "
    "Sign in again to carry on."
)
TOO_LONG_MESSAGE = (
    "You were signed out because you signed in more than 12 hours ago. Sign in again to carry on."
)


def as_if(client, *, signed_in_ago, last_seen_ago):
    """Move the session's clock back, as if time had passed since sign-in and the last page."""
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[LAST_SEEN] = now - last_seen_ago
    session.save()


def test_signing_in_starts_the_clock(mentor):
    client = Client()
    before = time.time()
    client.post(reverse("login"), {"username": "mentor", "password": DEMO_PASSWORD})
    assert before <= client.session[SIGNED_IN_AT] <= time.time()
    assert client.session[LAST_SEEN] == client.session[SIGNED_IN_AT]


def test_29_minutes_unused_is_fine_and_counts_as_use(client_for, mentor):
    client = client_for(mentor)
    as_if(client, signed_in_ago=2 * HOUR, last_seen_ago=29 * MINUTE)
    response = client.get(reverse("my_week"))
    assert response.status_code == 200
    assert time.time() - client.session[LAST_SEEN] < 5


def test_31_minutes_unused_signs_out_with_a_message(client_for, mentor, case):
    client = client_for(mentor)
    as_if(client, signed_in_ago=HOUR, last_seen_ago=31 * MINUTE)
    page = client.get(reverse("case_detail", args=[case.pk]), follow=True)
    url, _ = page.redirect_chain[0]
    assert url == reverse("login") + f"?next=%2Fcases%2F{case.pk}%2F"
    html = page.content.decode()
    assert IDLE_MESSAGE in html
    assert "Sign in" in html and not mentions(html, case.pupil.legal_first_name)
    assert "_auth_user_id" not in client.session
    # Signed out for good: the next page asks for a sign-in again, without the message.
    again = client.get(reverse("home"), follow=True).content.decode()
    assert IDLE_MESSAGE not in again and 'name="password"' in again


def test_12_hours_after_sign_in_signs_out_even_when_busy(client_for, coordinator):
    client = client_for(coordinator)
    as_if(client, signed_in_ago=12 * HOUR + 1, last_seen_ago=10)
    page = client.get(reverse("case_list"), follow=True)
    assert TOO_LONG_MESSAGE in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_just_under_12_hours_is_still_signed_in(client_for, coordinator):
    client = client_for(coordinator)
    as_if(client, signed_in_ago=12 * HOUR - MINUTE, last_seen_ago=10)
    assert client.get(reverse("case_list")).status_code == 200


def test_an_htmx_request_after_the_limit_sends_the_whole_page_to_sign_in(client_for, mentor):
    client = client_for(mentor)
    as_if(client, signed_in_ago=HOUR, last_seen_ago=HOUR)
    response = client.get(
        reverse("case_list"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/my-week/",
    )
    assert response["HX-Redirect"] == reverse("login") + "?next=%2Fmy-week%2F"


def test_the_cookie_never_outlives_the_12_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * HOUR
    assert settings.SIGN_OUT_WHEN_IDLE.total_seconds() == 30 * MINUTE


def test_weak_passwords_are_refused(mentor):
    for weak in ("password", "12345678", "mentor12", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=mentor)
    validate_password("larkspur-tadpole-orchard", user=mentor)
