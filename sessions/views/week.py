from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from mentoring import permissions
from mentoring.forms_util import apply_service
from mentoring.models import Role

from .. import record_parts, services
from ..forms import SessionRecordForm
from ..models import Allocation, SessionRecord
from ..week import mentor_allocations, my_week, week_bounds


def my_week_page(request):
    """The mentor's home: this week's sessions and any earlier ones still to log."""
    if not permissions.has_role(request.user, Role.MENTOR):
        raise PermissionDenied
    today = timezone.localdate()
    this_week, earlier = my_week(mentor_allocations(request.user), today)
    monday, friday = week_bounds(today)
    context = {"this_week": this_week, "earlier": earlier, "monday": monday, "friday": friday}
    return render(request, "sessions/my_week.html", context)


def session_log(request, case_pk, day):
    """Log one week's session: attendance, what was done, the pupil's feeling, next steps."""
    case = permissions.get_case_or_404(request.user, case_pk)
    if not permissions.can_log_session(request.user, case):
        raise PermissionDenied
    try:
        day = date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    existing = SessionRecord.objects.filter(case=case, date=day).first()
    if existing is not None:
        return redirect("session_record", existing.pk)
    allocation = (
        Allocation.objects.filter(case=case, slot__mentor=request.user)
        .select_related("slot")
        .last()
    )
    if allocation is None:
        raise Http404
    record = SessionRecord(case=case, slot=allocation.slot, date=day, author=request.user)
    data = request.POST or None
    form = SessionRecordForm(data, instance=record, first_meeting=not services.first_held(case))
    parts = record_parts.build(record, data)
    if request.method == "POST" and record_parts.all_valid(form, parts):
        saved = apply_service(
            form, lambda: record_parts.save_with(parts, record=form.instance, user=request.user)
        )
        if saved:
            messages.success(
                request, f"Session of {day:%A %-d %B} recorded for {case.pupil.first_name}."
            )
            return redirect("my_week")
    context = {"form": form, "parts": parts, "case": case, "day": day, "slot": allocation.slot}
    return render(request, "sessions/session_log.html", context)
