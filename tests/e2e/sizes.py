"""The screen sizes the journeys run at, and the main menu as it is reached at each."""

import re

import pytest
from playwright.sync_api import expect

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "tablet": {"width": 768, "height": 1024}}

# A journey marked with this runs twice: at desktop and at tablet size.
at_both_sizes = pytest.mark.parametrize("viewport", list(VIEWPORTS.values()), ids=list(VIEWPORTS))


def menu(page):
    """The page's header with its main menu showing: on a narrower screen (below 1200px, or
    1400px for the longest menus) the menu is folded away behind a button, which a user
    presses first."""
    header = page.locator(".site-header")
    toggle = header.get_by_role("button", name="Menu", exact=True)
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        # Open, not still unfolding: a click on a link or button while the menu slides open
        # can land on nothing and be lost.
        expect(header.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    return header
