from django.shortcuts import render

from .. import landing, permissions


def home(request):
    """Each member of staff lands on the sections of the roles they hold."""
    roles = permissions.all_roles(request.user)
    context = {"roles": roles, "sections": landing.sections_for(request.user)}
    return render(request, "mentoring/home.html", context)
