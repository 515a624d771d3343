"""Browser journeys in Debian's headless Chromium, driven by Playwright against a live server."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from .signin import sign_in_on
from .sizes import VIEWPORTS

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
def viewport():
    """Desktop size, unless the test is parametrized (``sizes.at_both_sizes``)."""
    return VIEWPORTS["desktop"]


@pytest.fixture
def browser_context_args(browser_context_args, viewport):
    return {**browser_context_args, "viewport": viewport}


@pytest.fixture
def demo_school(live_server):
    """The demo school, seeded into the database the live server serves."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def sign_in(live_server, page):
    def go(username, password):
        return sign_in_on(page, live_server.url, username, password)

    return go
