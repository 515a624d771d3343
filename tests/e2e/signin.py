"""Signing in as a member of staff does, for the journeys and the crawler."""

from playwright.sync_api import expect

from mentoring.models import User

from ..accounts.second_step import code_now, needs_second_step, phone_for
from .sizes import menu


def sign_in_on(page, base_url, username, password):
    """Sign in through the real form, as a member of staff would, with a code from their app."""
    user = User.objects.get(username=username)
    phone = phone_for(user) if needs_second_step(user) else None
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if phone is not None:
        page.wait_for_url(f"{base_url}/accounts/two-step/code/**")
        page.get_by_label("Code").fill(code_now(phone))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base_url}/")
    return page


def sign_out(page):
    """Sign out from the menu and wait for the sign-in page, so the next sign-in starts clean."""
    menu(page).get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
