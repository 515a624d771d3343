"""Meetings about a case (parents, teachers, outside agencies) and the actions agreed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from mentoring import permissions
from mentoring.case_page import case_section
from mentoring.forms_util import apply_service
from mentoring.landing import section
from mentoring.models import Case, Role

from .. import meetings
from ..forms_meetings import MeetingForm, action_formset


def _with_actions(count):
    return "" if not count else f", with {count} action{'' if count == 1 else 's'}"


def meeting_create(request, pk):
    """Record a meeting about the case, with the actions agreed at it."""
    case = permissions.get_case_or_404(request.user, pk)
    if not permissions.can_work_on_case(request.user, case):
        raise PermissionDenied
    form = MeetingForm(request.POST or None)
    actions = action_formset(request.POST or None, case.school)
    if request.method == "POST" and all([form.is_valid(), actions.is_valid()]):
        agreed = [row.cleaned_data for row in actions if row.cleaned_data]
        meeting = apply_service(
            form,
            lambda: meetings.meeting_record(
                case=case, user=request.user, actions=agreed, **form.cleaned_data
            ),
        )
        if meeting:
            messages.success(request, f"{meeting} recorded{_with_actions(len(agreed))}.")
            return redirect("case_detail", case.pk)
    context = {"case": case, "form": form, "actions": actions}
    return render(request, "reviews/meetings/meeting_form.html", context)


@require_POST
def meeting_action_done(request, pk):
    """The owner (or the school's coordinator) marks an action done."""
    visible = permissions.actions_visible_to(request.user).select_related("meeting__case")
    action = get_object_or_404(visible, pk=pk)
    if not permissions.can_mark_action_done(request.user, action):
        raise PermissionDenied
    # Read before anything is saved: a request too big to read is refused whole.
    back = request.POST.get("next", "")
    try:
        meetings.action_done(action=action, user=request.user)
        messages.success(request, f"Done: {action.action}")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    # Back to the page the button was on: a path of this site, never a view name or another host.
    local = back.startswith("/")
    if local and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("home")


urlpatterns = [
    path("cases/<int:pk>/meetings/new/", meeting_create, name="meeting_create"),
    path("meeting-actions/<int:pk>/done/", meeting_action_done, name="meeting_action_done"),
]


# --- Sections ----------------------------------------------------------------------------------


@case_section("reviews/meetings/sections/case_meetings.html", order=50)
def case_meetings(user, case):
    records = list(meetings.case_meetings(case))
    coordinator = permissions.has_role(user, Role.COORDINATOR, school=case.school_id)
    is_open = case.status == Case.Status.OPEN
    for record in records:
        for action in record.actions.all():
            action.can_mark_done = is_open and (coordinator or action.owner_id == user.pk)
    return {
        "case": case,
        "meetings": records,
        "can_add": is_open and permissions.can_work_on_case(user, case),
    }


def my_actions(user, schools):
    """Open actions from meetings that the user owns, whatever role they hold."""
    actions = meetings.open_actions_for(user)
    if not actions:
        return None
    overdue = sum(action.overdue for action in actions)
    return {"title": "My actions from case meetings", "actions": actions, "overdue": overdue}


for _role in Role:
    section(_role, "reviews/meetings/sections/my_actions.html", order=3)(my_actions)
