from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from mentoring import permissions
from mentoring.forms_util import apply_service

from .. import services
from ..forms import AllocationForm, JoinGroupForm, SessionMoveForm, SlotChangeForm


def allocate(request, pk):
    """The coordinator gives a case its mentor and fixed weekly slot, or a place in a group."""
    case = permissions.get_case_or_404(request.user, pk)
    if not permissions.can_allocate(request.user, case):
        raise PermissionDenied
    join = "join" in request.POST
    form = AllocationForm(None if join else (request.POST or None), school=case.school)
    group_form = JoinGroupForm(
        request.POST if join else None, slots=services.joinable_slots(case.school)
    )
    if request.method == "POST" and join and group_form.is_valid():
        done = apply_service(
            group_form,
            lambda: services.join_group(
                case=case, slot=group_form.cleaned_data["slot"], user=request.user
            ),
        )
    elif request.method == "POST" and not join and form.is_valid():
        done = apply_service(
            form, lambda: services.allocate(case=case, user=request.user, **form.cleaned_data)
        )
    else:
        done = None
    if done:
        messages.success(
            request, f"{case.pupil.first_name} is allocated: {done.slot} with {done.slot.mentor}."
        )
        return redirect("case_detail", case.pk)
    context = {
        "case": case,
        "form": form,
        "group_form": group_form,
        "booked": services.booked_slots(case.school),
    }
    return render(request, "sessions/allocate.html", context)


def slot_change(request, pk):
    slot = get_object_or_404(
        permissions.visible_slots(request.user).select_related("school"), pk=pk
    )
    if not permissions.can_change_slot(request.user, slot):
        raise PermissionDenied
    form = SlotChangeForm(request.POST or None, instance=slot)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        reason = form.cleaned_data["reason"]
        slot.refresh_from_db()
        done = apply_service(
            form,
            lambda: services.slot_change(slot=slot, user=request.user, reason=reason, **changes),
        )
        if done:
            messages.success(request, "The slot is changed; the reason is in its history.")
            return redirect("slot_change", slot.pk)
    if request.method == "POST":
        # The form put the refused values on the slot; the page shows it as it is stored.
        slot.refresh_from_db()
    return render(request, "sessions/slot_change.html", {"slot": slot, "form": form})


def session_move(request, pk, day):
    """Move one week's session (a trip, an assembly); the fixed slot stays as it is."""
    slot = get_object_or_404(permissions.visible_slots(request.user), pk=pk)
    if not permissions.can_move_session(request.user, slot):
        raise PermissionDenied
    try:
        original = date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    form = SessionMoveForm(request.POST or None, record=slot, day=original)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.session_move(
                slot=slot, user=request.user, original_date=original, **form.cleaned_data
            ),
        )
        if done:
            messages.success(request, "This week's session is moved; the fixed slot stays.")
            return redirect("my_week" if slot.mentor_id == request.user.pk else "home")
    context = {"slot": slot, "form": form, "day": original}
    return render(request, "sessions/session_move.html", context)
