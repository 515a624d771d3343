from . import permissions
from .accounts.middleware import second_step_due
from .models import Role

# With room to spare for wide letters (tests/e2e/test_main_menu.py checks the demo's menus).
MENU_CHARACTERS_AT_1200PX = 95


def navigation(request):
    """The menu shows only what the user may open; the views still check for themselves."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if hasattr(request, "second_step"):
        step = request.second_step
    else:
        # A page rendered outside the middleware (a PDF for a request built by hand) has
        # no second step to wait for, nor the is_verified() that would tell.
        step = second_step_due(user) if hasattr(user, "is_verified") else None
    if step:
        # Before the second step, nothing to open but that step (and signing out).
        return {"second_step_due": True}
    items = [("home", "Home")]
    if permissions.can_see_queue(user):
        items.append(("referral_queue", "Referrals"))
    elif permissions.can_refer(user):
        items.append(("my_referrals", "My referrals"))
    if permissions.has_role(user, Role.MENTOR):
        items.append(("my_week", "My week"))
    if permissions.has_role(user, Role.DSL):
        items.append(("safeguarding_alerts", "Safeguarding"))
    if permissions.can_list_cases(user):
        items.append(("case_list", "Cases"))
    if permissions.sees_any_pupil(user):
        items.append(("pupil_list", "Pupils"))
    if permissions.review_list_schools(user):
        items.append(("review_lists", "Reviews"))
    if permissions.dashboard_schools(user):
        items.append(("dashboard", "Dashboard"))
    if permissions.review_pack_schools(user):
        items.append(("review_packs", "Review packs"))
    if permissions.can_view_adherence(user):
        items.append(("adherence", "Adherence"))
    if permissions.programme_schools(user) or permissions.can_see_training(user):
        items.append(("programme", "Programme"))
    if permissions.can_view_staff(user):
        items.append(("staff_list", "Staff"))
    if permissions.can_manage_setup(user) or user.is_superuser:
        items.append(("admin:index", "Set-up"))
    return {"nav_items": items, "nav_expand": _unfolds_from(items, user)}


def _unfolds_from(items, user):
    """Bootstrap's breakpoint from which the menu is shown unfolded, on one line: 1200px (xl)
    when it fits there, else 1400px (xxl); below, it is behind the "Menu" button.

    At 1200px the header is 1,140px wide. The brand, "Sign out", "Hide screen" and the gaps
    take about 330px, which leaves about 100 characters of the menu's type for the links,
    each with padding worth about 3, and the user's name. Measured with the demo: the
    mentor's menu needs 60 of them, the head's and the coordinator's about 120.
    """
    width = sum(len(label) + 3 for _, label in items) + len(user.display_name)
    return "xl" if width <= MENU_CHARACTERS_AT_1200PX else "xxl"
