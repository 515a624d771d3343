"""Deny by default: every URL of the project sends an anonymous visitor to sign in."""

import pytest
from django.urls import reverse

from ..urlwalk import example_path, walk

# Pages that must be reachable before signing in: the sign-in page, and the calendar feed,
# which a calendar app fetches without signing in (its secret link is the key).
PUBLIC = {"login", "calendar_feed"}


ALL_ROUTES = {(p.name, example_path(p.route)) for p in walk()}
ROUTES = sorted(((n, p) for n, p in ALL_ROUTES if n not in PUBLIC), key=str)


def test_the_walk_finds_the_whole_urlconf():
    names = {name for name, _ in ALL_ROUTES}
    assert {"home", "pupil_list", "case_detail", "roster_import", "logout"} <= names
    assert any(path.startswith("/setup/") for _, path in ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), ROUTES, ids=[p for _, p in ROUTES])
def test_anonymous_visitor_is_sent_to_sign_in(client, name, path):
    for method in (client.get, client.post):
        response = method(path, follow=True)
        login = reverse("login")
        assert response.redirect_chain, f"{path} answered {response.status_code} without sign-in"
        final = response.redirect_chain[-1][0]
        assert final.startswith(login), f"{path} led to {final}, not the sign-in page"
        assert b"Sign in" in response.content


@pytest.mark.django_db
def test_the_sign_in_page_is_open_to_everyone(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'<label for="id_username"' in response.content


@pytest.mark.django_db
def test_the_calendar_feed_shows_nothing_without_its_secret(client):
    response = client.get(reverse("calendar_feed", args=["guessed-token"]))
    assert response.status_code == 404
    assert b"VCALENDAR" not in response.content
