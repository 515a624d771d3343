"""Browser journeys in Debian's headless Chromium, driven by Playwright against a live server."""

import os
from pathlib import Path

import pytest

from mentoring.models import User

from ..accounts.second_step import code_now, needs_second_step, phone_for

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"Chromium not found at {CHROMIUM} (apt install chromium)"
                    )
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Never download a browser: use the system's, with its calls home switched off.
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def sign_in(live_server, page):
    """Sign in through the real form, as a member of staff would, with a code from their app."""

    def go(username, password):
        user = User.objects.get(username=username)
        phone = phone_for(user) if needs_second_step(user) else None
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        if phone is not None:
            page.wait_for_url(f"{live_server.url}/accounts/two-step/code/**")
            page.get_by_label("Code").fill(code_now(phone))
            page.get_by_role("button", name="Continue").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return go
