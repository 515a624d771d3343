"""The programme page: its meetings, mentors' training and the resources library in one
place; and the head's notice that the mentoring policy is due for review."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .. import permissions
from ..landing import section
from ..models import Role, School
from ..policy import policy_review_notice


def programme_links(user):
    """(url name, title, what it holds) of each part of the programme the user may open."""
    links = []
    if permissions.programme_schools(user):
        links.append(
            (
                "programme_meeting_list",
                "Programme meetings",
                "End-of-block, termly and annual meetings: notes, decisions and actions.",
            )
        )
    if permissions.can_see_training(user):
        links.append(
            ("training_list", "Mentor training", "Courses done and renewals due, per mentor.")
        )
    if permissions.programme_schools(user):
        links.append(
            (
                "resource_list",
                "Resources library",
                "Activities, worksheets, guidance and books shared by the school's mentors.",
            )
        )
    return links


def programme(request):
    links = programme_links(request.user)
    if not links:
        raise PermissionDenied
    return render(request, "mentoring/programme.html", {"links": links})


# --- Sections ----------------------------------------------------------------------------------


@section(Role.HEAD, "mentoring/sections/policy_review.html", order=5)
def policy_review(user, schools):
    notices = []
    for school in School.objects.filter(pk__in=schools).order_by("name"):
        notice = policy_review_notice(school)
        if notice:
            due, overdue = notice
            notices.append({"school": school, "due": due, "overdue": overdue})
    if not notices:
        return None
    return {"title": "Mentoring policy review", "notices": notices}
