from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import render
from django.utils import timezone

from mentoring import permissions
from mentoring.calendar import SchoolCalendar

from ..filters import DECIDED, STATUS_CHOICES, QueueFilter
from ..models import ConsentLetter, ConsentRecord, Referral
from ..services import consent_state

S = Referral.Status


def referral_queue(request):
    """The coordinator's queue: what is new, what has waited longest, what needs chasing."""
    if not permissions.can_see_queue(request.user):
        raise PermissionDenied
    queue = permissions.triage_queue(request.user)
    schools = permissions.schools_where(request.user, *permissions.PANEL_ROLES)
    filters = QueueFilter(request.GET, queryset=queue, schools=schools)
    rows = filters.qs.select_related(
        "pupil", "pupil__school_class", "referred_by", "case", "case__school"
    ).prefetch_related(
        "criteria",
        Prefetch("case__consent_letters", queryset=ConsentLetter.objects.order_by("sent_on")),
        Prefetch("case__consent_records", queryset=ConsentRecord.objects.all()),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    calendars = {}
    for referral in page:
        referral.waiting = referral.days_waiting(today)
        if referral.case:
            calendar = calendars.get(referral.school_id)
            if calendar is None:
                start = today - timezone.timedelta(days=365)
                calendar = SchoolCalendar.for_school(referral.case.school, start, today)
                calendars[referral.school_id] = calendar
            referral.consent_label, referral.needs_chasing = consent_state(
                referral.case,
                list(referral.case.consent_letters.all()),
                list(referral.case.consent_records.all()),
                calendar,
                today,
            )
    counts = dict(queue.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    counts[DECIDED] = counts.get(S.ACCEPTED, 0) + counts.get(S.DECLINED, 0)
    tabs = [(value, label, counts.get(value, 0)) for value, label in STATUS_CHOICES]
    context = {
        "filter": filters,
        "page": page,
        "tabs": tabs,
        "current_status": filters.form.cleaned_data.get("status") or "",
        "waiting_total": sum(n for v, _, n in tabs if v != DECIDED),
        "can_edit_lists": permissions.can_edit_referral_lists(request.user),
    }
    template = "referrals/_queue_rows.html" if request.htmx else "referrals/queue.html"
    return render(request, template, context)
