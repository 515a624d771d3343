from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import modelformset_factory
from django.shortcuts import get_object_or_404, redirect, render

from mentoring import permissions
from mentoring.models import School

from .. import services
from ..forms import SchoolListItemForm
from ..models import Barrier, Criterion

LISTS = {"criteria": Criterion, "barriers": Barrier}
LIST_ROWS = 200


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
        model,
        form=SchoolListItemForm,
        fields=["name", "position", "active"],
        extra=2,
        can_delete=False,
        # A tampered row count must not make the page build thousands of rows.
        max_num=LIST_ROWS,
        absolute_max=LIST_ROWS,
    )
    formset = FormSet(request.POST or None, queryset=model.objects.filter(school=school))
    if request.method == "POST":
        # One transaction: each row is checked under lock for a change saved meanwhile.
        with transaction.atomic():
            if formset.is_valid():
                for form in formset:
                    if form.has_changed() and form.cleaned_data.get("name"):
                        item = form.save(commit=False)
                        item.school = school
                        item.save()
                messages.success(
                    request, f"The list of {model._meta.verbose_name_plural} is saved."
                )
                return redirect("referral_lists", kind)
    context = {
        "formset": formset,
        "kind": kind,
        "title": model._meta.verbose_name_plural,
        "empty": not model.objects.filter(school=school).exists(),
    }
    return render(request, "referrals/lists.html", context)
