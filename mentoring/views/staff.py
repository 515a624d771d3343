from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import render

from .. import permissions
from ..models import Case, StaffRole


def staff_list(request):
    if not permissions.can_view_staff(request.user):
        raise PermissionDenied
    staff = (
        permissions.visible_staff(request.user)
        .select_related("user", "school")
        .prefetch_related(Prefetch("roles", queryset=StaffRole.objects.order_by("role")))
        .annotate(
            open_cases=Count(
                "user__caseload",
                filter=Q(user__caseload__status=Case.Status.OPEN)
                & Q(user__caseload__school=F("school")),
            )
        )
        .order_by("school__name", "user__last_name", "user__first_name")
    )
    return render(request, "mentoring/staff_list.html", {"staff": staff})
