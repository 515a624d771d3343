"""Closing a case with its case study, and reopening it as a new episode."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from mentoring import permissions
from mentoring.case_page import case_section
from mentoring.forms_util import apply_service
from mentoring.models import Case

from .. import closure
from ..forms_termly import ClosureForm
from ..models import CaseClosure


def _closing_case(request, pk):
    case = permissions.get_case_or_404(request.user, pk)
    if not permissions.can_close_case(request.user, case):
        raise PermissionDenied
    return case


def case_close(request, pk):
    """Close the case: why, when, and its short case study; its slot ends with it."""
    case = _closing_case(request, pk)
    if case.status == Case.Status.CLOSED:
        if request.method != "POST":
            messages.info(request, "This case is already closed.")
            return redirect("case_detail", case.pk)
        # Closed from another tab or by someone else while this form was open: keep what was
        # typed on the page to copy from, rather than dropping it with a redirect.
        return _closed_meanwhile(request, case)
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form, lambda: closure.case_close(case=case, user=request.user, **form.cleaned_data)
        )
        if done:
            messages.success(request, f"The case is closed: {done.get_reason_display().lower()}.")
            return redirect("case_detail", case.pk)
    context = {
        "case": case,
        "form": form,
        "missing_exits": closure.exit_questionnaires_missing(case),
        "allocations": case.allocations.filter(ended_on=None).select_related("slot__room"),
    }
    return render(request, "reviews/closure/close.html", context)


def _closed_meanwhile(request, case):
    """The form as it was posted, to read and copy from: unbound (no errors), the texts
    read-only and the reason fixed, with who closed the case, when and why. A refused consent
    closes a case with no case study, so the case itself says when and why."""
    form = ClosureForm(initial=request.POST.dict())
    for name, field in form.fields.items():
        # A browser lets a select change even when it is readonly.
        field.widget.attrs["disabled" if name == "reason" else "readonly"] = True
    closure = CaseClosure.objects.filter(case=case).select_related("closed_by").first()
    context = {
        "case": case,
        "form": form,
        "closed_meanwhile": True,
        "closed_by": closure.closed_by if closure else None,
        "closed_why": closure.get_reason_display() if closure else case.closed_reason,
    }
    return render(request, "reviews/closure/close.html", context)


def case_reopen(request, pk):
    """A new block of support: a new episode that continues this closed case."""
    case = _closing_case(request, pk)
    error = None
    if request.method == "POST":
        try:
            episode = closure.case_reopen(case=case, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                f"A new episode is open for {case.pupil.first_name}. Record the parents' consent "
                "for it before a slot can be allocated.",
            )
            return redirect("case_detail", episode.pk)
    return render(request, "reviews/closure/reopen.html", {"case": case, "error": error})


def _next_episode(case):
    try:
        return case.next_episode
    except ObjectDoesNotExist:
        return None


def _visible(user, case):
    """The case if the user may open it, else None (a link must not reveal it)."""
    if case is None or not permissions.visible_cases(user).filter(pk=case.pk).exists():
        return None
    return case


@case_section("reviews/closure/sections/case_closure.html", order=5)
def case_closure(user, case):
    """A closed case's closure and case study, and the links between episodes."""
    earlier = _visible(user, case.previous_episode)
    closed = case.status == Case.Status.CLOSED
    if not (closed or earlier):
        return None
    following = _next_episode(case)
    try:
        record = case.closure
    except ObjectDoesNotExist:
        record = None
    return {
        "title": "Closure" if closed else "Episodes",
        "case": case,
        "closed": closed,
        "closure": record,
        "earlier": earlier,
        "later": _visible(user, following),
        "can_reopen": closed and following is None and permissions.can_close_case(user, case),
    }


@case_section("reviews/closure/sections/case_close.html", order=95)
def case_close_action(user, case):
    """For the coordinator, the way to close an open case."""
    if case.status == Case.Status.CLOSED or not permissions.can_close_case(user, case):
        return None
    return {"case": case}


urlpatterns = [
    path("cases/<int:pk>/close/", case_close, name="case_close"),
    path("cases/<int:pk>/reopen/", case_reopen, name="case_reopen"),
]
