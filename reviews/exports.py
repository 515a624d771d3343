"""CSV exports of the programme: the dashboard's figures, and one anonymised row per case.

The case-level export is for the school's own analysis in a spreadsheet. It names no pupil
and carries no UPN or date of birth; its dates are given as the month and the term only;
no free text written about a child is included. A pupil's characteristics are there, as
fair-access analysis needs them, so the file is still about children: each download is
recorded in the access log by the view.
"""

import csv
import io
from collections import defaultdict

from django.db.models import Avg, Min
from django.utils import timezone

from mentoring.models import Term
from referrals.models import Referral
from sessions.models import SessionRecord

from . import pack
from .fair_access import COLUMNS
from .models import Answer, CaseClosure, Questionnaire

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(header, rows):
    """CSV text (with a byte-order mark, so that spreadsheet programs read it as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


# --- The dashboard's figures -----------------------------------------------------------------

FIGURES_HEADER = ["Section", "Figure", "Group", "Value"]


def _breakdown_rows(section, breakdown):
    for cell in breakdown.cells:
        yield section, breakdown.caption, cell.label, cell.shown
    yield section, breakdown.caption, breakdown.total_label, breakdown.total


def _wait_rows(section, figure, wait):
    yield section, figure, "Pupils", wait.count
    yield section, figure, "Median days", wait.median
    yield section, figure, "Longest days", wait.longest


def figure_rows(figures):
    """The dashboard's figures as (section, figure, group, value), as the page shows them."""
    period = figures["period"]
    yield "Period", "Period", "From", f"{period.starts_on:%d/%m/%Y}"
    yield "Period", "Period", "To", f"{period.ends_on:%d/%m/%Y}"
    caseload = figures["caseload"]
    yield "Caseload", "Cases in the programme", "During the period", caseload.total
    yield "Caseload", "Cases in the programme", "Opened", caseload.opened
    yield "Caseload", "Cases in the programme", "Closed", caseload.closed
    yield "Caseload", "Cases in the programme", "Open at the end", caseload.open_at_end
    mentors = figures["mentors"]
    for row in mentors.rows:
        figure = f"Mentor: {row.name}"
        yield "Caseload per mentor", figure, "Hours a week for mentoring", row.hours
        yield "Caseload per mentor", figure, "Hours booked in weekly slots", row.booked_hours
        yield (
            "Caseload per mentor",
            figure,
            f"Cases open on {mentors.as_at:%d/%m/%Y}",
            (row.open_cases),
        )
        yield "Caseload per mentor", figure, "Cases during the period", row.cases_in_period
    waiting = figures["waiting"]
    yield from _breakdown_rows("Waiting list", waiting.waiting_now)
    yield from _wait_rows("Waiting list", "Days waiting so far", waiting.waiting_now_days)
    to_decision = waiting.to_decision
    yield "Waiting times", "Referral to decision", "Decisions", to_decision.decided
    yield "Waiting times", "Referral to decision", "Median days", to_decision.median
    yield "Waiting times", "Referral to decision", "Longest days", to_decision.longest
    yield from _wait_rows("Waiting times", "Decision to first session", waiting.to_first_session)
    yield from _wait_rows("Waiting times", "Accepted, still to start", waiting.still_to_start)
    referrals = figures["referrals"]
    yield from _breakdown_rows("Referrals", referrals.by_state)
    yield from _breakdown_rows("Referrals", referrals.decisions)
    yield from _breakdown_rows("Referrals", figures["criteria"])
    yield from _breakdown_rows("Referrals", figures["sources"])
    sessions = figures["sessions"]
    for label, count in sessions.rows:
        yield "Sessions", "Sessions expected", label, count
    yield "Sessions", "Sessions expected", "Expected", sessions.figures.expected
    for row in figures["outcomes"].rows:
        yield "Outcomes", f"Mean staff rating: {row.area}", "Entry", row.entry
        yield "Outcomes", f"Mean staff rating: {row.area}", "Exit", row.exit
        yield (
            "Outcomes",
            f"Mean staff rating: {row.area}",
            "Pupils at entry",
            row.entry_pupils.shown,
        )
        yield "Outcomes", f"Mean staff rating: {row.area}", "Pupils at exit", row.exit_pupils.shown
        yield "Outcomes", f"Mean staff rating: {row.area}", "Change", row.change_display
        yield "Outcomes", f"Mean staff rating: {row.area}", "Pupils with both", row.both.shown
    yield from _breakdown_rows("Closures", figures["closures"])
    reviews = figures["reviews"]
    yield "Reviews", "Termly reviews", "Cases in a weekly slot", reviews.cases
    yield "Reviews", "Termly reviews", "Due this term, not yet decided", reviews.due_this_term
    yield "Reviews", "Termly reviews", "Overdue", reviews.overdue
    yield "Reviews", "Termly reviews", "Not reviewed last term", reviews.missed_last_term
    yield "Reviews", "Termly reviews", "Next review date passed", reviews.next_date_passed
    for table in figures["fair_access"].tables:
        for row in table.rows:
            for column, name in COLUMNS:
                share = getattr(row, column)
                figure = f"Fair access: {table.heading}"
                yield "Fair access", figure, f"{row.label}: {name}", share.shown
                yield "Fair access", figure, f"{row.label}: {name}, share", share.percent_shown
        for column, name in COLUMNS:
            yield (
                "Fair access",
                f"Fair access: {table.heading}",
                f"Total: {name}",
                (table.totals[column]),
            )


def figures_csv(figures):
    return to_csv(FIGURES_HEADER, figure_rows(figures))


# --- One anonymised row per case -------------------------------------------------------------

CASES_HEADER = [
    "Case number",
    "Year group",
    "Gender",
    "SEN status",
    "Pupil premium",
    "EAL",
    "Looked after",
    "Ethnicity",
    "Support",
    "Referred (month)",
    "Referred (term)",
    "Opened (month)",
    "Opened (term)",
    "Closed (month)",
    "Closed (term)",
    "Days from referral to decision",
    "Days from decision to first session",
    "Sessions expected in the period",
    "Sessions held in the period",
    "Mean staff rating at entry",
    "Mean staff rating at exit",
    "Closure reason",
]


def _yes_no(value):
    return "Yes" if value else "No"


class _Terms:
    def __init__(self, school):
        self.terms = list(
            Term.objects.filter(academic_year__school=school)
            .select_related("academic_year")
            .order_by("starts_on")
        )

    def of(self, day):
        if day is None:
            return ""
        return next((str(t) for t in self.terms if t.starts_on <= day <= t.ends_on), "Holiday")


def _month(day):
    return f"{day:%Y-%m}" if day else ""


def case_rows(school, period, today=None):
    """One row per case in the programme during the period (see CASES_HEADER). A fixed
    number of queries, whatever the number of cases."""
    today = today or timezone.localdate()
    cases = list(pack.term_cases(school, period).order_by("pk"))
    case_ids = [c.pk for c in cases]
    terms = _Terms(school)
    referrals = {
        case_id: (submitted, decided)
        for case_id, submitted, decided in Referral.objects.filter(case_id__in=case_ids)
        .exclude(submitted_at=None)
        .values_list("case_id", "submitted_at", "decided_at")
    }
    first_held = dict(
        SessionRecord.objects.filter(case_id__in=case_ids, attendance=SessionRecord.Attendance.HELD)
        .values("case_id")
        .annotate(first=Min("date"))
        .values_list("case_id", "first")
    )
    ratings = defaultdict(dict)
    for case_id, stage, mean in (
        Answer.objects.filter(
            administration__case_id__in=case_ids,
            administration__questionnaire__kind=Questionnaire.Kind.STAFF_RATING,
        )
        .values("administration__case_id", "administration__stage")
        .annotate(mean=Avg("value"))
        .values_list("administration__case_id", "administration__stage", "mean")
    ):
        ratings[case_id][stage] = round(mean, 1)
    reasons = dict(
        CaseClosure.objects.filter(case_id__in=case_ids).values_list("case_id", "reason")
    )
    reason_labels = dict(CaseClosure.Reason.choices)
    attendance = pack.attendance_by_case(case_ids, period, today)
    for case in cases:
        pupil = case.pupil
        submitted, decided = referrals.get(case.pk, (None, None))
        submitted_on = timezone.localdate(submitted) if submitted else None
        decided_on = timezone.localdate(decided) if decided else None
        first = first_held.get(case.pk)
        figures = attendance.get(case.pk)
        closed_reason = ""
        if case.closed_on:
            closed_reason = reason_labels.get(reasons.get(case.pk), case.closed_reason or "")
        yield [
            case.reference,
            pupil.get_year_group_display(),
            pupil.get_gender_display(),
            pupil.get_sen_status_display(),
            _yes_no(pupil.pupil_premium),
            _yes_no(pupil.eal),
            _yes_no(pupil.looked_after),
            pupil.ethnicity or "Not recorded",
            case.get_support_type_display(),
            _month(submitted_on),
            terms.of(submitted_on),
            _month(case.opened_on),
            terms.of(case.opened_on),
            _month(case.closed_on),
            terms.of(case.closed_on),
            (decided_on - submitted_on).days if submitted_on and decided_on else "",
            (first - decided_on).days if first and decided_on else "",
            figures.expected if figures else 0,
            figures.held if figures else 0,
            ratings[case.pk].get("entry", ""),
            ratings[case.pk].get("exit", ""),
            closed_reason,
        ]


def cases_csv(school, period, today=None):
    return to_csv(CASES_HEADER, case_rows(school, period, today))
