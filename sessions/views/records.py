from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mentoring import permissions
from mentoring.audit import record_access
from mentoring.forms_util import apply_service
from mentoring.models import AccessEvent

from .. import record_parts, services
from ..forms import SafeguardingActionForm, SessionRecordForm
from ._helpers import redact


def _visible_record(records, pk):
    return get_object_or_404(
        records.select_related("case__pupil", "case__school", "author", "slot"), pk=pk
    )


def session_record(request, pk):
    """One record: read it (redacted when restricted), or change it while that is allowed."""
    record = _visible_record(permissions.visible_session_records(request.user), pk)
    readable = permissions.can_read_session_notes(request.user, record)
    editable = readable and permissions.can_edit_session_record(
        request.user, record, timezone.now()
    )
    if request.method == "POST" and not editable:
        raise PermissionDenied
    form, parts = None, []
    first_meeting = services.first_meeting(record)
    dsl = permissions.can_handle_safeguarding(request.user, record.case)
    if editable:
        form = SessionRecordForm(
            request.POST or None,
            instance=record,
            first_meeting=first_meeting,
            may_lift_flag=dsl,
        )
        parts = record_parts.build(record, request.POST or None)
        saved = (
            request.method == "POST"
            and record_parts.all_valid(form, parts)
            and apply_service(
                form,
                lambda: record_parts.save_with(parts, record=form.instance, user=request.user),
            )
        )
        if saved:
            messages.success(request, "The record is changed; its history keeps the earlier one.")
            return redirect("session_record", record.pk)
        if request.method == "POST":
            record.refresh_from_db()  # the page shows what is saved; the form keeps the rest
    return _record_page(
        request,
        record,
        form=form,
        parts=parts,
        locked=not editable,
        first_meeting=first_meeting,
        dsl=dsl,
    )


def _record_page(
    request,
    record,
    *,
    form=None,
    parts=(),
    action_form=None,
    locked=False,
    first_meeting=None,
    dsl=None,
):
    """The record's page; ``first_meeting`` and ``dsl`` when the caller has worked them out."""
    if first_meeting is None:
        first_meeting = services.first_meeting(record)
    if dsl is None:
        dsl = permissions.can_handle_safeguarding(request.user, record.case)
    redact(request.user, [record], permissions.can_read_session_notes)
    restricted = " (restricted note, not shown)" if getattr(record, "hidden", False) else ""
    what = f"the session record of {record.date:%-d %b %Y}{restricted}"
    record_access(
        request, AccessEvent.Action.VIEW, what, school=record.case.school, pupil=record.case.pupil
    )
    context = {
        "record": record,
        "form": form,
        "parts": parts,
        "revisions": record.history.count() - 1,
        # What was noted against the targets, as part of the record (none when restricted).
        "progress": []
        if getattr(record, "hidden", False)
        else record.target_progress.select_related("target").order_by("target__by_when", "pk"),
        "first_meeting": record.attendance == record.Attendance.HELD and first_meeting,
        # The author whose seven days are over is told why the form has gone, and who can.
        "locked": services.EDIT_WINDOW_PASSED
        if locked and record.author_id == request.user.pk
        else "",
        "dsl": dsl,
        "action_form": action_form
        or SafeguardingActionForm(initial={"action": record.dsl_action}, record=record),
    }
    return render(request, "sessions/session_record.html", context)


def safeguarding_alerts(request):
    if not permissions.has_role(request.user, permissions.Role.DSL):
        raise PermissionDenied
    alerts = (
        permissions.safeguarding_alerts(request.user)
        .select_related("case__pupil", "author", "dsl_seen_by")
        .order_by("dsl_seen_at", "-date")
    )
    return render(request, "sessions/safeguarding.html", {"alerts": alerts})


@require_POST
def safeguarding_acknowledge(request, pk):
    record = _visible_record(permissions.safeguarding_alerts(request.user), pk)
    form = SafeguardingActionForm(request.POST, record=record)
    done = form.is_valid() and apply_service(
        form,
        lambda: services.safeguarding_acknowledge(
            record=record,
            user=request.user,
            action=form.cleaned_data["action"],
            lift=form.cleaned_data["lift"],
        ),
    )
    if done:
        said = "Marked as seen, with what you have done."
        if not done.safeguarding_concern:
            said += " The flag is lifted; the note is no longer restricted."
        messages.success(request, said)
    elif form.conflict is not None:  # another DSL saved meanwhile: show theirs beside this
        record.refresh_from_db()
        return _record_page(request, record, action_form=form)
    else:
        for error in form.non_field_errors() or ["Say what you have done."]:
            messages.error(request, error)
    return redirect("session_record", record.pk)
