"""The annual report for governors: the programme over one academic year, as a PDF.

Anonymised as the governors' termly pack is (``reviews.pack``, audience "governors"): no
pupil is named, and no UPN, date of birth, case reference or free text about a child is
given; every count of pupils or cases under 5 shows as "fewer than 5", with one more hidden
wherever a printed total would give it away; means drawn from fewer than 5 pupils are
hidden. Sessions are counted, not pupils, so their figures are shown in full.

The figures are the pack's and the dashboard's, over the year: caseload, the year term by
term, referrals and decisions, waiting times, sessions, outcomes at entry and exit,
closures, and fair access. Rendered through the one PDF renderer (``mentoring.pdf``).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from mentoring.models import AcademicYear, Case, Term
from mentoring.pdf import render_pdf
from referrals.models import Referral
from sessions.book import Adherence, SessionBook
from sessions.models import Allocation

from . import pack
from .dashboard import Period, recorded_sessions
from .fair_access import fair_access

TEMPLATE = "pdf/annual_report.html"


def year_name(start_year):
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def start_year_of(day):
    return day.year if day.month >= 9 else day.year - 1


def year_period(school, start_year):
    """The school's academic year starting in ``start_year``: its own dates when set up,
    otherwise 1 September to 31 August."""
    year = AcademicYear.objects.filter(school=school, starts_on__year=start_year).first()
    if year is not None:
        return Period(year.starts_on, year.ends_on, name=year.name)
    return Period(date(start_year, 9, 1), date(start_year + 1, 8, 31), name=year_name(start_year))


def years_to_choose(school, today=None):
    """Start years of the school's academic years that have begun, and of every year since
    its first case, newest first (a year before the calendar was set up still has cases)."""
    today = today or timezone.localdate()
    years = {
        d.year
        for d in AcademicYear.objects.filter(school=school, starts_on__lte=today).values_list(
            "starts_on", flat=True
        )
    }
    first_case = (
        Case.objects.filter(school=school).order_by("opened_on").values_list("opened_on", flat=True)
    ).first()
    current = start_year_of(today)
    if first_case is not None:
        years.update(range(start_year_of(first_case), current))
    years.add(current)
    return sorted(years, reverse=True)


@dataclass
class TermRow:
    """One term of the year: counts of cases, referrals and closures, and sessions; a term
    that has not begun has none (``begun`` False)."""

    term: str
    cases: pack.Cell | None = None
    referrals: pack.Cell | None = None
    closed: pack.Cell | None = None
    sessions: Adherence | None = None

    @property
    def begun(self):
        return self.cases is not None


def term_rows(school, period, cases, referrals_made, attendance_sessions, today):
    """The year term by term. Counts of pupils under 5 are hidden, as in every table here:
    the referrals and closures columns add up to the year's totals, printed elsewhere, so
    they are suppressed as columns with a total.

    A term that has not begun by ``today`` is listed without figures: counted, it would
    show the cases open today as if they were its caseload, and nothing held of nothing
    expected."""
    terms = list(
        Term.objects.filter(
            academic_year__school=school,
            starts_on__lte=period.ends_on,
            ends_on__gte=period.starts_on,
        )
        .select_related("academic_year")
        .order_by("starts_on")
    )
    begun = [t for t in terms if pack.has_begun(t, today)]
    cells = defaultdict(list)
    sessions = []
    for term in begun:
        in_term = [
            c
            for c in cases
            if c.opened_on <= term.ends_on
            and (c.closed_on is None or c.closed_on >= term.starts_on)
        ]
        cells["cases"].append(pack.Cell(str(term), len(in_term)))
        made = sum(1 for day in referrals_made if term.starts_on <= day <= term.ends_on)
        cells["referrals"].append(pack.Cell(str(term), made))
        closed = sum(
            1 for c in cases if c.closed_on and term.starts_on <= c.closed_on <= term.ends_on
        )
        cells["closed"].append(pack.Cell(str(term), closed))
        held = Adherence()
        for session in attendance_sessions:
            if term.starts_on <= session.date <= term.ends_on:
                held.add(session)
        sessions.append(held)
    for column in cells.values():
        pack.suppress(column, protect=True)
    rows = [
        TermRow(str(t), cells["cases"][i], cells["referrals"][i], cells["closed"][i], sessions[i])
        for i, t in enumerate(begun)
    ]
    return rows + [TermRow(str(t)) for t in terms[len(begun) :]]


def _sessions_of_year(case_ids, period, today):
    """Every expected session of the year up to today, each with its record (if any)."""
    until = min(today, period.ends_on)
    if until < period.starts_on:
        return []
    book = SessionBook(Allocation.objects.filter(case_id__in=case_ids), until=until)
    found = []
    for allocation in book.allocations:
        for session in book.sessions(allocation, until=until):
            if session.date >= period.starts_on:
                found.append(session)
    return found


def annual_context(school, start_year, today=None):
    """Everything the annual report shows, anonymised for governors."""
    today = today or timezone.localdate()
    period = year_period(school, start_year)
    cases = list(pack.term_cases(school, period))
    case_ids = [c.pk for c in cases]
    sessions = _sessions_of_year(case_ids, period, today)
    attendance = defaultdict(Adherence)
    for session in sessions:
        attendance[session.allocation.case_id].add(session)
    referrals = pack.referral_figures(school, period, protect=True, during="this year")
    start, end = pack._in_term(period)
    made_days = [
        timezone.localdate(at)
        for at in Referral.objects.filter(
            school=school, submitted_at__gte=start, submitted_at__lt=end
        )
        .exclude(status=Referral.Status.DRAFT)
        .values_list("submitted_at", flat=True)
    ]
    title = f"Annual report of the mentoring programme, {period.label}, {school}"
    return {
        "school": school,
        "period": period,
        "title": title,
        "as_at": min(today, period.ends_on),
        "small": pack.SMALL,
        "fewer": pack.FEWER,
        "for_governors": True,
        "caseload": pack.caseload_figures(cases, period, protect=True),
        "terms": term_rows(school, period, cases, made_days, sessions, today),
        "referrals": referrals,
        "sessions": pack.session_figures(
            attendance, period, today, during="this year", protect=True
        ),
        "recorded": recorded_sessions(case_ids, period),
        "outcomes": pack.outcome_figures(school, case_ids, period, protect=True),
        "closures": pack.closure_figures(cases, period, protect=True, during="this year"),
        "fair_access": fair_access(school, period, inline=False),
    }


def render_annual_report(school, start_year, user=None, today=None) -> bytes:
    context = annual_context(school, start_year, today)
    if user is not None:
        context["printed_by"] = str(user)
    return render_pdf(TEMPLATE, context, title=context["title"])
