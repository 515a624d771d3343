"""Mentors' training: the records, and the renewals due that the coordinator sees."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from .. import permissions, training
from ..forms_training import TrainingRecordForm
from ..forms_util import apply_service
from ..landing import section
from ..models import Role, School, TrainingRecord


def training_list(request):
    if not permissions.can_see_training(request.user):
        raise PermissionDenied
    records = list(training.records_for(request.user))
    context = {
        "records": records,
        "renewals": training.renewals_due(records),
        "can_record": permissions.can_record_training(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "mentoring/training/training_list.html", context)


def _form_page(request, record, school):
    form = TrainingRecordForm(request.POST or None, instance=record, school=school)
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form, lambda: training.training_record_save(record=form.instance, user=request.user)
        )
        if saved:
            messages.success(request, f"{saved.course} saved for {saved.mentor}.")
            return redirect("training_list")
    return render(
        request, "mentoring/training/training_form.html", {"form": form, "record": record}
    )


def training_create(request):
    schools = sorted(permissions.training_schools(request.user))
    if not schools:
        raise PermissionDenied
    school = School.objects.get(pk=schools[0])
    return _form_page(request, TrainingRecord(school=school), school)


def training_edit(request, pk):
    record = permissions.get_training_record_or_404(request.user, pk)
    if not permissions.can_record_training(request.user, school=record.school_id):
        raise PermissionDenied
    return _form_page(request, record, record.school)


# --- Sections ----------------------------------------------------------------------------------


@section(Role.COORDINATOR, "mentoring/training/sections/renewals.html", order=20)
def training_renewals(user, schools):
    records = TrainingRecord.objects.filter(school_id__in=schools).select_related("mentor")
    renewals = training.renewals_due(records)
    if not renewals:
        return None
    return {"title": "Training renewals due", "renewals": renewals}
