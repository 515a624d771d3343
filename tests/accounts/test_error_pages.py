"""When something goes wrong, plain words in the site's look, a way home, never a traceback."""

import pytest
from django.template.loader import get_template
from django.test import Client
from django.urls import path, reverse

from mentoring.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db


def broken_page(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [*site_urls, path("broken/", broken_page)]


def test_page_not_found(client_for, mentor, settings):
    settings.DEBUG = False
    response = client_for(mentor).get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page
    assert f'href="{reverse("home")}"' in page
    assert "Traceback" not in page and "Mentoring" in page
    assert "Content-Security-Policy" in response


def test_not_allowed(client_for, mentor):
    response = client_for(mentor).get(reverse("roster_import"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "You cannot do that" in page and f'href="{reverse("home")}"' in page


@pytest.mark.urls("tests.accounts.test_error_pages")
def test_server_error(client_for, mentor, settings):
    settings.DEBUG = False
    client = client_for(mentor)
    client.raise_request_exception = False
    response = client.get("/broken/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page and 'href="/"' in page
    assert "secret internal detail" not in page and "Traceback" not in page
    assert "css/app.css" in page  # the site's look


def test_the_server_error_page_renders_with_no_request_at_all():
    page = get_template("500.html").render()
    assert "Something went wrong" in page


def test_a_stale_form_gets_a_plain_explanation(mentor):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "mentor", "password": "x"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "That form had gone out of date" in page and "Nothing was saved" in page
