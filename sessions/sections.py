"""What the sessions app adds to landing pages and to the case page."""

from django.utils import timezone

from mentoring import permissions
from mentoring.case_page import case_section
from mentoring.landing import section
from mentoring.models import Case, Role
from referrals.sections import consent_records
from referrals.services import consent_in_force_from

from .book import Adherence, AttendanceBook, SessionBook, adherence, running_between
from .models import Allocation
from .school_years import chosen_year, school_years, year_span
from .views._helpers import redact
from .week import mentor_allocations, my_week


@section(Role.MENTOR, "sessions/sections/this_week.html", order=1)
def mentor_this_week(user, schools):
    this_week, earlier = my_week(mentor_allocations(user), timezone.localdate())
    return {"title": "This week's sessions", "this_week": this_week, "earlier": earlier}


@section(Role.COORDINATOR, "sessions/sections/ready.html", order=6)
def ready_for_allocation(user, schools):
    today = timezone.localdate()
    waiting = (
        Case.objects.filter(school_id__in=schools, status=Case.Status.OPEN)
        .exclude(allocations__isnull=False)
        .select_related("pupil", "pupil__school_class")
        .prefetch_related("consent_records")
        .order_by("opened_on")
    )
    ready = [c for c in waiting if consent_in_force_from(c.consent_records.all(), today)]
    # This school year's, as on the adherence page the figure links to.
    year = chosen_year(school_years(schools), None, today)
    since, until = year_span(year, today)
    allocations = Allocation.objects.filter(slot__school_id__in=schools)
    if year is not None:
        allocations = running_between(allocations, since, until)
    book = AttendanceBook(allocations, until=until, since=since)
    school = Adherence()
    for figures in adherence(book, until, since=since).values():
        school += figures
    return {"title": "Allocation and sessions", "cases": ready, "figures": school, "year": year}


@section(Role.DSL, "sessions/sections/safeguarding.html", order=1)
def dsl_alerts(user, schools):
    alerts = permissions.safeguarding_alerts(user).filter(dsl_seen_at__isnull=True)
    alerts = list(alerts.select_related("case__pupil", "author").order_by("date"))
    return {"title": "Safeguarding concerns to see", "alerts": alerts, "urgent": bool(alerts)}


class _CaseBook(SessionBook):
    """One case's book: the page has the case, its school and pupil already, so the
    allocations bring only what the section shows of their slots (``related`` is the same
    hook AttendanceBook narrows)."""

    related = ["slot", "slot__room", "slot__mentor"]


@case_section("sessions/sections/case_sessions.html", order=30)
def case_sessions(user, case):
    today = timezone.localdate()
    book = _CaseBook(Allocation.objects.filter(case=case), until=today)
    for allocation in book.allocations:
        allocation.case = case  # the page's own case: never fetched again
    sessions = [s for a in book.allocations for s in book.sessions(a)]
    records = [s.record for s in sessions if s.record is not None]
    for record in records:
        # Whether a flagged note may be read depends on the case's school: one query per
        # flagged record without this.
        record.case = case
        # Readable unless redact says otherwise; the template asks every row, and a missing
        # attribute is a slow failed lookup there.
        record.hidden = False
    redact(user, records, permissions.can_read_session_notes)
    current = next((a for a in reversed(book.allocations) if a.ended_on is None), None)
    # The book knows the slot's dates and moves for its whole block: no further query.
    upcoming = [] if current is None else book.sessions(current, until=current.slot.last_day)
    may_allocate = (
        permissions.can_allocate(user, case) and current is None and case.status == Case.Status.OPEN
    )
    consent_given = may_allocate and consent_in_force_from(consent_records(case), today)
    return {
        "case": case,
        "allocation": current,
        "next_session": next(
            (s for s in upcoming if s.held_on >= today and s.record is None), None
        ),
        "sessions": list(reversed(sessions)),
        "figures": adherence(book, today).get(case.pk),
        "can_allocate": may_allocate and consent_given,
        # Why there is no button yet, for the one who would press it.
        "awaits_consent": may_allocate and not consent_given,
        "can_change": current is not None and permissions.can_change_slot(user, current.slot),
        "can_log": permissions.can_log_session(user, case),
    }
