from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from .. import permissions, roster
from ..forms import RosterImportForm
from ..models import School


def roster_import(request):
    """Office staff upload the roster; "Check only" reports without changing anything."""
    if not permissions.can_import_pupils(request.user):
        raise PermissionDenied
    schools = School.objects.filter(pk__in=permissions.setup_schools(request.user))
    form = RosterImportForm(request.POST or None, request.FILES or None, schools=schools)
    result = None
    if request.method == "POST" and form.is_valid():
        result = roster.import_pupils(
            school=form.cleaned_data["school"],
            data=form.cleaned_data["file"].read(),
            user=request.user,
            dry_run="check" in request.POST,
        )
        if result.ok and not result.dry_run:
            messages.success(request, result.summary)
            return redirect("roster_import")
    return render(request, "mentoring/roster_import.html", {"form": form, "result": result})


def roster_template(request):
    if not permissions.can_import_pupils(request.user):
        raise PermissionDenied
    response = HttpResponse(roster.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster-template.csv"'
    return response
