from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mentoring import permissions
from mentoring.forms_util import apply_service

from .. import record_parts, services
from ..forms import SafeguardingActionForm, SessionRecordForm
from ._helpers import redact


def session_record(request, pk):
    """One record: read it (redacted when restricted), or change it while that is allowed."""
    record = get_object_or_404(
        permissions.visible_session_records(request.user).select_related(
            "case__pupil", "case__school", "author", "slot"
        ),
        pk=pk,
    )
    readable = permissions.can_read_session_notes(request.user, record)
    editable = readable and permissions.can_edit_session_record(
        request.user, record, timezone.now()
    )
    if request.method == "POST" and not editable:
        raise PermissionDenied
    form, parts = None, []
    if editable:
        first_meeting = record.explained_role or not services.first_held(record.case)
        form = SessionRecordForm(request.POST or None, instance=record, first_meeting=first_meeting)
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
    redact(request.user, [record], permissions.can_read_session_notes)
    context = {
        "record": record,
        "form": form,
        "parts": parts,
        "revisions": record.history.count() - 1,
        "dsl": permissions.can_handle_safeguarding(request.user, record.case),
        "action_form": SafeguardingActionForm(initial={"action": record.dsl_action}),
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
    record = get_object_or_404(permissions.safeguarding_alerts(request.user), pk=pk)
    form = SafeguardingActionForm(request.POST)
    if form.is_valid():
        services.safeguarding_acknowledge(
            record=record, user=request.user, action=form.cleaned_data["action"]
        )
        messages.success(request, "Marked as seen, with what you have done.")
    else:
        messages.error(request, "Say what you have done.")
    return redirect("session_record", record.pk)
