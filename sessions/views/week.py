from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
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
    # Posted after a record of that day was saved (in another tab, say): the form comes back
    # with what was typed, the service's refusal and a link to the saved record.
    existing = SessionRecord.objects.filter(case=case, date=day).first()
    if existing is not None and request.method != "POST":
        return redirect("session_record", existing.pk)
    allocation = (
        Allocation.objects.filter(case=case, slot__mentor=request.user)
        .select_related("slot")
        .last()
    )
    if allocation is None:
        raise Http404
    context = {"case": case, "day": day, "slot": allocation.slot, "existing": existing}
    if request.method != "POST":
        refusal = _refusal(case, allocation.slot, day)
        if refusal:
            return render(request, "sessions/session_log_refused.html", {**context, **refusal})
    record = SessionRecord(case=case, slot=allocation.slot, date=day, author=request.user)
    data = request.POST or None
    form = SessionRecordForm(data, instance=record, first_meeting=services.first_meeting(record))
    parts = record_parts.build(record, data)
    if existing is not None:  # the typed input's own errors show too, beside the refusal
        record_parts.all_valid(form, parts)
        form.add_error(None, services.ALREADY_RECORDED)
    elif request.method == "POST" and record_parts.all_valid(form, parts):
        saved = apply_service(
            form, lambda: record_parts.save_with(parts, record=form.instance, user=request.user)
        )
        if saved:
            messages.success(
                request, f"Session of {day:%A %-d %B} recorded for {case.pupil.first_name}."
            )
            return redirect("my_week")
    return render(request, "sessions/session_log.html", {**context, "form": form, "parts": parts})


def _refusal(case, slot, day):
    """Why no session can be logged on ``day``, found before anything is typed: the
    service's own rules, so the page and the save never disagree."""
    try:
        services.check_session_date(case=case, slot=slot, day=day, today=timezone.localdate())
    except ValidationError as exc:
        return {"reasons": exc.messages}
    return None
