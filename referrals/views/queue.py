from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import render
from django.utils import timezone

from mentoring import permissions
from mentoring.calendar import SchoolCalendar
from mentoring.forms_util import RowPaths

from ..filters import DECIDED, STATUS_CHOICES, QueueFilter
from ..models import ConsentLetter, ConsentRecord, Referral
from ..services import consent_state

S = Referral.Status
# The filters that choose a tab or an order rather than narrow the list within its tab.
NOT_NARROWING = {"status", "order"}


def _count_from_tabs(filters, counts, waiting_total):
    """How many referrals the list holds when no filter narrows it within its tab: the tabs
    have counted them already, which spares the paginator its own count. None otherwise."""
    chosen = filters.form.cleaned_data
    if any(chosen.get(name) for name in filters.filters if name not in NOT_NARROWING):
        return None
    status = chosen.get("status")
    if not status:
        return waiting_total
    if status not in dict(STATUS_CHOICES):
        return None  # a list with no tab (awaiting consent): nothing has counted it yet
    return counts.get(status, 0)


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
    counts = dict(queue.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    counts[DECIDED] = counts.get(S.ACCEPTED, 0) + counts.get(S.DECLINED, 0)
    tabs = [(value, label, counts.get(value, 0)) for value, label in STATUS_CHOICES]
    waiting_total = sum(n for v, _, n in tabs if v != DECIDED)
    paginator = Paginator(rows, 50)
    listed = _count_from_tabs(filters, counts, waiting_total)
    if listed is not None:
        paginator.count = listed
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    calendars = {}
    detail_path = RowPaths("referral_detail")
    for referral in page:
        referral.detail_path = detail_path(referral.pk)
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
    context = {
        "filter": filters,
        "page": page,
        "tabs": tabs,
        "current_status": filters.form.cleaned_data.get("status") or "",
        "waiting_total": waiting_total,
        "can_edit_lists": permissions.can_edit_referral_lists(request.user),
    }
    template = "referrals/_queue_rows.html" if request.htmx else "referrals/queue.html"
    return render(request, template, context)
