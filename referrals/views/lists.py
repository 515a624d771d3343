from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import modelformset_factory
from django.shortcuts import get_object_or_404, redirect, render

from mentoring import permissions
from mentoring.models import School

from .. import services
from ..models import Barrier, Criterion

LISTS = {"criteria": Criterion, "barriers": Barrier}


def referral_lists(request, kind):
    """The school's referral criteria or barriers: add, rename, reorder or retire items."""
    schools = permissions.referral_list_schools(request.user)
    if not schools or kind not in LISTS:
        raise PermissionDenied
    school = get_object_or_404(School, pk=min(schools))
    if request.method == "POST" and "load_policy_lists" in request.POST:
        services.school_lists_ensure(school=school)
        messages.success(request, "The policy's criteria and barriers are loaded.")
        return redirect("referral_lists", kind)
    model = LISTS[kind]
    FormSet = modelformset_factory(
        model, fields=["name", "position", "active"], extra=2, can_delete=False
    )
    formset = FormSet(request.POST or None, queryset=model.objects.filter(school=school))
    if request.method == "POST" and formset.is_valid():
        for form in formset:
            if form.has_changed() and form.cleaned_data.get("name"):
                item = form.save(commit=False)
                item.school = school
                item.save()
        messages.success(request, f"The list of {model._meta.verbose_name_plural} is saved.")
        return redirect("referral_lists", kind)
    context = {
        "formset": formset,
        "kind": kind,
        "title": model._meta.verbose_name_plural,
        "empty": not model.objects.filter(school=school).exists(),
    }
    return render(request, "referrals/lists.html", context)
