"""The main menu, wherever it is shown unfolded, sits on one line: a link that wraps under
the others, or a header two lines tall, reads as broken. Below that width it is behind the
"Menu" button. Checked for every demo role at the narrowest width of each breakpoint."""

import pytest
from django.test import RequestFactory

from mentoring import demo
from mentoring.context_processors import MENU_CHARACTERS_AT_1200PX, navigation
from mentoring.models import ClassStaff, Role, School

from ..factories import DEMO_PASSWORD, staff
from .signin import sign_in_on

ROLES = ["coordinator", "head", "sendco", "mentor", "mentor2", "teacher", "ta", "office"]
# And one at the limit of what unfolds from 1200px: a DSL who mentors and teaches a class,
# with a long name: together within 2 characters of the menu's budget.
AT_THE_LIMIT = "dsl_mentor"
# Bootstrap's xl and xxl breakpoints, from which a menu unfolds, and just below the first.
WIDTHS = [1199, 1200, 1400]


@pytest.fixture
def viewport():
    return {"width": WIDTHS[0], "height": 800}


@pytest.fixture
def at_the_limit(demo_school):
    school = School.objects.get()
    user = staff(
        school,
        Role.DSL,
        Role.MENTOR,
        username=AT_THE_LIMIT,
        first_name="Persephone",
        last_name="Montgomery-Fairweather",
    )
    ClassStaff.objects.create(user=user, school_class=school.classes.first())
    request = RequestFactory().get("/")
    request.user, request.second_step = user, None
    items = navigation(request)["nav_items"]
    used = sum(len(label) + 3 for _, label in items) + len(user.display_name)
    assert MENU_CHARACTERS_AT_1200PX - 2 <= used <= MENU_CHARACTERS_AT_1200PX, (used, items)


def test_an_unfolded_menu_is_one_line_and_the_shorter_ones_unfold_from_1200px(
    at_the_limit, live_server, new_context
):
    unfolded = {}
    for role in [*ROLES, AT_THE_LIMIT]:
        password = DEMO_PASSWORD if role == AT_THE_LIMIT else demo.DEMO_PASSWORD
        context = new_context()
        page = sign_in_on(context.new_page(), live_server.url, role, password)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            header = page.locator(".site-header")
            if header.get_by_role("button", name="Menu", exact=True).is_visible():
                continue
            unfolded.setdefault(role, width)
            # One line: the brand, every link, the name and the buttons shown have their middles
            # at the same height (a wrapped link's is a line, 40px, lower), and all of them are
            # on the screen (not pushed past its right edge).
            boxes = header.locator(".navbar-brand, .nav-link, .navbar-text, button").evaluate_all(
                """nodes => nodes.map(n => n.getBoundingClientRect())
                    .filter(r => r.width > 0)
                    .map(r => [Math.round(r.top + r.height / 2), Math.ceil(r.right)])"""
            )
            middles = [middle for middle, _ in boxes]
            assert max(middles) - min(middles) <= 4, (role, width, middles)
            assert max(right for _, right in boxes) <= width, (role, width, boxes)
        context.close()
    # The folded menu is the only one below 1200px; the longest unfold from 1400px.
    assert unfolded == {
        "coordinator": 1400,
        "head": 1400,
        "sendco": 1200,
        "mentor": 1200,
        "mentor2": 1200,
        "teacher": 1200,
        "ta": 1200,
        "office": 1200,
        AT_THE_LIMIT: 1200,
    }
