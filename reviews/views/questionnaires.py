"""Questionnaires: the coordinator's list and item editing, entry and exit administrations
on a case, licensed instrument scores, and the case page's section comparing entry with exit.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone

from mentoring import permissions
from mentoring.case_page import case_section
from mentoring.forms_util import apply_service
from mentoring.landing import section
from mentoring.models import Case, Role, School

from .. import questionnaires as services
from ..forms_questionnaires import (
    AdministrationForm,
    InstrumentScoreForm,
    ItemFormSet,
    QuestionnaireForm,
)
from ..models import Questionnaire
from ..services import ensure_open


def _schools(request):
    """Ids of the schools whose questionnaires the user manages."""
    schools = permissions.questionnaire_schools(request.user)
    if not permissions.can_manage_questionnaires(request.user) or not schools:
        raise PermissionDenied
    return schools


def _school(request):
    """One of them: ?school= picks it, else the first."""
    schools = _schools(request)
    chosen = request.GET.get("school") or min(schools)
    # isdecimal, not isdigit: int() refuses digits such as "²", which isdigit accepts.
    if not str(chosen).isdecimal() or int(chosen) not in schools:
        raise PermissionDenied
    return get_object_or_404(School, pk=chosen)


def _work_case(request, pk):
    """A case the user may record questionnaires for: 404 if hidden, 403 if only seen."""
    case = permissions.get_case_or_404(request.user, pk)
    if not permissions.can_work_on_case(request.user, case):
        raise PermissionDenied
    return case


def _refusal(case):
    """Why nothing can be recorded on the case, or None."""
    try:
        ensure_open(case)
    except ValidationError as exc:
        return exc.messages[0]
    return None


# --- The coordinator's questionnaires -------------------------------------------------------


def questionnaire_list(request):
    school = _school(request)
    if request.method == "POST" and "load_defaults" in request.POST:
        created = services.questionnaires_ensure_defaults(school=school, user=request.user)
        messages.success(request, f"{len(created)} default questionnaires loaded.")
        return redirect(f"{request.path}?school={school.pk}")
    questionnaires = services.school_questionnaires(school)
    context = {"school": school, "questionnaires": questionnaires}
    return render(request, "reviews/questionnaires/list.html", context)


def questionnaire_edit(request, pk=None):
    """Name, scale and questions; a questionnaire with answers is saved as a new version."""
    if pk is None:
        q, school = None, _school(request)
    else:
        versions = Questionnaire.objects.filter(school_id__in=_schools(request))
        q = services.current_version(get_object_or_404(versions, pk=pk))
        school = q.school
    formset = ItemFormSet(request.POST or None, initial=_rows(q), prefix="items")
    form = QuestionnaireForm(
        request.POST or None,
        initial={"name": q.name, "scale": q.scale} if q else {"scale": Questionnaire().scale},
        creating=q is None,
        name_locked=q is not None and services.name_locked(q),
        record=q,
        items=formset,
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        saved = apply_service(form, lambda: _save(request, school, q, form, formset))
        if saved:
            messages.success(request, _saved_message(q, saved))
            return redirect(f"{reverse('questionnaire_list')}?school={school.pk}")
    has_answers = q is not None and q.administrations.exists()
    context = {"school": school, "questionnaire": q, "form": form, "formset": formset}
    return render(request, "reviews/questionnaires/edit.html", {**context, "used": has_answers})


def _rows(q):
    if q is None:
        return None
    return [{"id": i.pk, "text": i.text, "outcome_area": i.outcome_area} for i in q.items.all()]


def _save(request, school, q, form, formset):
    return services.questionnaire_save(
        user=request.user,
        questionnaire=q,
        school=school,
        kind=form.cleaned_data.get("kind"),
        name=form.cleaned_data["name"],
        scale=form.cleaned_data["scale"],
        items=formset.items(),
    )


def _saved_message(before, saved):
    if before is None:
        return f"“{saved.name}” is added."
    if saved.pk != before.pk:
        return (
            f"“{saved.name}” had answers, so it is saved as version {saved.version}. "
            "Answers already recorded keep the questions they answered."
        )
    return f"“{saved.name}” is saved."


# --- On a case --------------------------------------------------------------------------------


def administration_choose(request, pk):
    case = _work_case(request, pk)
    context = {
        "case": case,
        "questionnaires": services.current_questionnaires(case.school),
        "refusal": _refusal(case),
    }
    return render(request, "reviews/questionnaires/choose.html", context)


def administration_create(request, pk, questionnaire):
    """One questionnaire given at entry or exit: every question must be answered."""
    case = _work_case(request, pk)
    q = get_object_or_404(services.current_questionnaires(case.school), pk=questionnaire)
    stage = "exit" if "entry" in services.recorded_stages(case, q) else "entry"
    form = AdministrationForm(request.POST or None, questionnaire=q, initial={"stage": stage})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("item_")}
        recorded = apply_service(
            form,
            lambda: services.administration_record(
                case=case, questionnaire=q, user=request.user, answers=form.answers(), **data
            ),
        )
        if recorded:
            messages.success(request, f"{recorded} recorded.")
            return redirect("case_detail", case.pk)
    context = {"case": case, "questionnaire": q, "form": form, "refusal": _refusal(case)}
    return render(request, "reviews/questionnaires/record.html", context)


def instrument_score_create(request, pk):
    case = _work_case(request, pk)
    form = InstrumentScoreForm(request.POST or None, initial={"scored_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        score = apply_service(
            form,
            lambda: services.instrument_score_record(
                case=case, user=request.user, **form.cleaned_data
            ),
        )
        if score:
            messages.success(request, f"{score.instrument} score recorded.")
            return redirect("case_detail", case.pk)
    context = {"case": case, "form": form, "refusal": _refusal(case)}
    return render(request, "reviews/questionnaires/instrument_score.html", context)


# --- Sections ----------------------------------------------------------------------------------


@case_section("reviews/questionnaires/case_section.html", order=40)
def case_questionnaires(user, case):
    # The case page is built only for a case the user may open: no need to ask again.
    return {
        "case": case,
        "comparisons": services.case_comparisons(case),
        "scores": list(services.case_instrument_scores(case)),
        "can_record": permissions.can_work_on_case(user, case) and case.status == Case.Status.OPEN,
        "can_manage": case.school_id in permissions.questionnaire_schools(user),
    }


@section(Role.COORDINATOR, "reviews/questionnaires/landing.html", order=60)
def coordinator_questionnaires(user, schools):
    return {"title": "Questionnaires"}


urlpatterns = [
    path("questionnaires/", questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", questionnaire_edit, name="questionnaire_create"),
    path("questionnaires/<int:pk>/edit/", questionnaire_edit, name="questionnaire_edit"),
    path(
        "cases/<int:pk>/questionnaires/",
        administration_choose,
        name="administration_choose",
    ),
    path(
        "cases/<int:pk>/questionnaires/<int:questionnaire>/",
        administration_create,
        name="administration_create",
    ),
    path(
        "cases/<int:pk>/instrument-scores/new/",
        instrument_score_create,
        name="instrument_score_create",
    ),
]
