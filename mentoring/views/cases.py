from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from .. import audit, case_page, permissions, retention
from ..case_history import case_entries
from ..filters import CaseFilter
from ..models import AccessEvent


def case_list(request):
    if not permissions.can_list_cases(request.user):
        raise PermissionDenied
    cases = permissions.visible_cases(request.user).select_related(
        "pupil", "pupil__school_class", "mentor"
    )
    filters = CaseFilter(request.GET or {"status": "open"}, queryset=cases)
    page = Paginator(filters.qs.order_by("-opened_on", "pk"), 50)
    context = {"filter": filters, "page": page.get_page(request.GET.get("page"))}
    return render(request, "mentoring/case_list.html", context)


def case_detail(request, pk):
    case = permissions.get_case_or_404(request.user, pk)
    context = {
        "case": case,
        "sections": case_page.sections_for(request.user, case),
        "can_view_history": permissions.can_view_case_history(request.user, case),
        "can_see_access_log": permissions.can_see_access_log(request.user, case.pupil),
        "review_date": retention.case_review_date(case)
        if permissions.can_see_review_date(request.user, case)
        else None,
    }
    what = f"the case page ({case.reference})"
    audit.record_access(
        request, AccessEvent.Action.VIEW, what, school=case.school, pupil=case.pupil
    )
    return render(request, "mentoring/case_detail.html", context)


def case_history(request, pk):
    case = permissions.get_case_or_404(request.user, pk)
    if not permissions.can_view_case_history(request.user, case):
        raise PermissionDenied
    context = {"subject": case, "entries": case_entries(case)}
    return render(request, "mentoring/history.html", context)
