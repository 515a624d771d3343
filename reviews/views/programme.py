"""Programme meetings: the mentors and the coordinator at the end of each block, each term
and each year, with what they decided and the actions agreed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from mentoring import conflicts, permissions
from mentoring.forms_util import apply_service
from mentoring.landing import section
from mentoring.models import Role, School

from .. import programme_meetings as programme
from ..forms_programme import ProgrammeMeetingForm, edited_action_forms, new_action_forms


def _agreed(rows):
    return [row.cleaned_data for row in rows if row.cleaned_data]


def programme_meeting_list(request):
    if not permissions.programme_schools(request.user):
        raise PermissionDenied
    context = {
        "meetings": programme.meetings_for(request.user),
        "can_add": permissions.can_manage_programme(request.user),
    }
    return render(request, "reviews/programme/meeting_list.html", context)


def programme_meeting_detail(request, pk):
    meeting = permissions.get_programme_meeting_or_404(request.user, pk)
    meeting = programme.meeting_detail(meeting)
    can_edit = permissions.can_manage_programme(request.user, school=meeting.school_id)
    for action in meeting.actions.all():
        action.can_mark_done = not action.done_on and (
            can_edit or action.owner_id == request.user.pk
        )
    context = {"meeting": meeting, "can_edit": can_edit}
    return render(request, "reviews/programme/meeting_detail.html", context)


def programme_meeting_create(request):
    """The coordinator records a meeting, with the actions agreed at it; a coordinator of
    several schools chooses the school (``?school=``), the first by name unless they do."""
    schools = list(School.objects.filter(pk__in=permissions.programme_manage_schools(request.user)))
    if not schools:
        raise PermissionDenied
    chosen = request.GET.get("school", "")
    school = next((s for s in schools if str(s.pk) == chosen), schools[0])
    form = ProgrammeMeetingForm(request.POST or None, school=school)
    actions = new_action_forms(request.POST or None, school)
    if request.method == "POST" and all([form.is_valid(), actions.is_valid()]):
        data = {**form.cleaned_data, "actions": _agreed(actions)}
        meeting = apply_service(
            form,
            lambda: programme.programme_meeting_record(school=school, user=request.user, **data),
        )
        if meeting:
            messages.success(request, f"{meeting} recorded.")
            return redirect("programme_meeting", meeting.pk)
    context = {"form": form, "actions": actions, "agreed": [], "school": school}
    if len(schools) > 1:
        context["schools"] = schools
    return render(request, "reviews/programme/meeting_form.html", context)


def programme_meeting_edit(request, pk):
    """The coordinator corrects the meeting, ticks actions done, or adds actions."""
    meeting = permissions.get_programme_meeting_or_404(request.user, pk)
    if not permissions.can_manage_programme(request.user, school=meeting.school_id):
        raise PermissionDenied
    data = request.POST or None
    form = ProgrammeMeetingForm(data, instance=meeting, school=meeting.school)
    agreed, actions = edited_action_forms(data, meeting), new_action_forms(data, meeting.school)
    if request.method == "POST" and all(
        [form.is_valid(), actions.is_valid()] + [row.is_valid() for row in agreed]
    ):

        def save():
            for row in agreed:
                conflicts.check(row)
            return programme.programme_meeting_update(
                meeting=form.instance,
                user=request.user,
                attendees=form.cleaned_data["attendees"],
                actions=[(row.instance, row.cleaned_data["done"]) for row in agreed],
                new_actions=_agreed(actions),
            )

        if apply_service(form, save):
            messages.success(request, f"{meeting} saved.")
            return redirect("programme_meeting", meeting.pk)
    context = {"form": form, "actions": actions, "agreed": agreed, "meeting": meeting}
    return render(request, "reviews/programme/meeting_form.html", context)


@require_POST
def programme_action_done(request, pk):
    """The owner (or the school's coordinator) marks a programme action done."""
    visible = permissions.programme_actions_visible_to(request.user).select_related("meeting")
    action = get_object_or_404(visible, pk=pk)
    if not permissions.can_mark_programme_action_done(request.user, action):
        raise PermissionDenied
    # Read before anything is saved: a request too big to read is refused whole.
    back_home = request.POST.get("back") == "home"
    try:
        programme.programme_action_done(action=action, user=request.user)
        messages.success(request, f"Done: {action.action}")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    readable = action.meeting.school_id in permissions.programme_schools(request.user)
    if readable and not back_home:
        return redirect("programme_meeting", action.meeting_id)
    return redirect("home")


urlpatterns = [
    path("programme-meetings/", programme_meeting_list, name="programme_meeting_list"),
    path("programme-meetings/new/", programme_meeting_create, name="programme_meeting_create"),
    path("programme-meetings/<int:pk>/", programme_meeting_detail, name="programme_meeting"),
    path(
        "programme-meetings/<int:pk>/edit/", programme_meeting_edit, name="programme_meeting_edit"
    ),
    path("programme-actions/<int:pk>/done/", programme_action_done, name="programme_action_done"),
]


# --- Sections ----------------------------------------------------------------------------------


def my_programme_actions(user, schools):
    """Open actions from programme meetings that the user owns, whatever role they hold."""
    actions = programme.open_programme_actions_for(user)
    if not actions:
        return None
    overdue = sum(action.overdue for action in actions)
    return {"title": "My actions from programme meetings", "actions": actions, "overdue": overdue}


for _role in Role:
    section(_role, "reviews/programme/sections/my_actions.html", order=30)(my_programme_actions)
