from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from .. import audit, permissions
from ..filters import PupilFilter
from ..models import Pupil


def pupil_list(request):
    pupils = permissions.visible_pupils(request.user).select_related("school_class", "school")
    classes = permissions.visible_classes(request.user)
    filters = PupilFilter(request.GET, queryset=pupils, classes=classes)
    page = Paginator(filters.qs.order_by("legal_last_name", "legal_first_name", "pk"), 50)
    context = {
        "filter": filters,
        "page": page.get_page(request.GET.get("page")),
        "can_import": permissions.can_import_pupils(request.user),
    }
    template = "mentoring/_pupil_rows.html" if request.htmx else "mentoring/pupil_list.html"
    return render(request, template, context)


def pupil_detail(request, pk):
    pupil = permissions.get_pupil_or_404(request.user, pk)
    context = {
        "pupil": pupil,
        "contacts": pupil.contacts.all(),
        "cases": permissions.visible_cases(request.user)
        .filter(pupil=pupil)
        .select_related("mentor"),
        "can_view_history": permissions.can_view_pupil_history(request.user, pupil),
        "can_see_access_log": permissions.can_see_access_log(request.user, pupil),
        "can_export": permissions.can_export_subject_access(request.user, pupil),
    }
    return render(request, "mentoring/pupil_detail.html", context)


def pupil_history(request, pk):
    pupil = permissions.get_pupil_or_404(request.user, pk)
    if not permissions.can_view_pupil_history(request.user, pupil):
        raise PermissionDenied
    contacts = Pupil.contacts.rel.related_model.history.filter(pupil_id=pupil.pk)
    entries = audit.timeline(
        audit.entries_for(pupil.history.all(), lambda r: "the pupil record"),
        audit.entries_for(contacts, lambda r: f"the parent/carer record of {r.name}"),
    )
    return render(request, "mentoring/history.html", {"subject": pupil, "entries": entries})
