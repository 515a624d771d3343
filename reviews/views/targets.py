"""The action plan (SMART targets and their progress) and observations of the pupil."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from mentoring import permissions
from mentoring.case_page import case_section
from mentoring.forms_util import apply_service
from mentoring.models import Case
from sessions import record_parts

from .. import targets as services
from ..forms_targets import ObservationForm, TargetForm, TargetProgressPart, TargetStatusForm
from ..models import Target

record_parts.register(TargetProgressPart())


def _work_case(request, pk):
    """The case, if the user sees it (else 404) and may work on it (else 403)."""
    case = permissions.get_case_or_404(request.user, pk)
    if not permissions.can_work_on_case(request.user, case):
        raise PermissionDenied
    return case


def _back_to(case, anchor):
    return redirect(reverse("case_detail", args=[case.pk]) + f"#{anchor}")


def target_add(request, pk):
    """Add a SMART target to the case's action plan."""
    case = _work_case(request, pk)
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = apply_service(
            form, lambda: services.target_add(case=case, user=request.user, **form.cleaned_data)
        )
        if target:
            messages.success(request, f"Target added to the action plan: {target}.")
            return _back_to(case, "case-targets")
    return render(request, "reviews/targets/target_form.html", {"case": case, "form": form})


def target_detail(request, pk):
    """One target: what it is, every note of progress, and (for its workers) its status."""
    target = get_object_or_404(
        Target.objects.filter(case__in=permissions.visible_cases(request.user)).select_related(
            "case__pupil", "case__school", "set_by"
        ),
        pk=pk,
    )
    case = target.case
    can_change = permissions.can_work_on_case(request.user, case)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    form = TargetStatusForm(request.POST or None, initial={"status": target.status}, record=target)
    if request.method == "POST" and form.is_valid():
        changed = apply_service(
            form,
            lambda: services.target_set_status(
                target=target, user=request.user, **form.cleaned_data
            ),
        )
        if changed:
            messages.success(request, f"The target is now {changed.get_status_display().lower()}.")
            return redirect("target_detail", target.pk)
    context = {
        "target": target,
        "case": case,
        "entries": services.progress_history(request.user, target),
        "form": form if can_change and case.status == Case.Status.OPEN else None,
    }
    return render(request, "reviews/targets/target_detail.html", context)


def observation_add(request, pk):
    """Record a classroom, playground or other observation of the pupil."""
    case = _work_case(request, pk)
    form = ObservationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        observation = apply_service(
            form,
            lambda: services.observation_add(case=case, user=request.user, **form.cleaned_data),
        )
        if observation:
            messages.success(request, f"{observation} recorded.")
            return _back_to(case, "case-observations")
    return render(request, "reviews/targets/observation_form.html", {"case": case, "form": form})


@case_section("reviews/targets/sections/action_plan.html", order=35)
def case_action_plan(user, case):
    return {
        "case": case,
        "targets": services.action_plan(case),
        "can_add": permissions.can_work_on_case(user, case) and case.status == Case.Status.OPEN,
    }


@case_section("reviews/targets/sections/observations.html", order=45)
def case_observations(user, case):
    return {
        "case": case,
        "observations": services.observations(case),
        "can_add": permissions.can_work_on_case(user, case) and case.status == Case.Status.OPEN,
    }


urlpatterns = [
    path("cases/<int:pk>/targets/new/", target_add, name="target_add"),
    path("targets/<int:pk>/", target_detail, name="target_detail"),
    path("cases/<int:pk>/observations/new/", observation_add, name="observation_add"),
]
