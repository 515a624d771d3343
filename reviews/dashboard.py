"""The programme dashboard's figures, for a term or any run of dates, for one school.

Shares its figures with the termly review pack (``reviews.pack``): cases in the period,
referrals and decisions, waiting from referral to decision, sessions expected against held,
outcomes at entry and exit, and closures come from the pack's own functions, given a period
instead of a term. Added here: each mentor's caseload against their hours, the waiting list
as it stands, the wait from decision to first session, referrals by criterion and by who
referred, reviews overdue, and fair access (``reviews.fair_access``).

The dashboard is for the head and the coordinator, who know the children, so its counts are
shown in full, except in fair access, which is about groups of pupils: there counts under 5
are hidden. ``dashboard_figures`` takes a fixed number of queries whatever the number of
cases, referrals or sessions.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from mentoring.models import Case, Role, StaffMember, StaffRole, Term
from referrals.models import Criterion, Referral
from sessions.models import Allocation, SessionRecord, Slot

from . import pack
from .charts import inline_svg
from .fair_access import fair_access
from .models import TermlyReview

# --- The period ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A term, or any run of days: what the pack's figures need is ``starts_on``/``ends_on``."""

    starts_on: date
    ends_on: date
    term: Term | None = None
    name: str = ""  # an academic year's, "2025/26"

    @property
    def label(self):
        if self.term is not None:
            return str(self.term)
        if self.name:
            return self.name
        return f"{self.starts_on:%-d %B %Y} to {self.ends_on:%-d %B %Y}"

    @property
    def during(self):
        """How captions say when: "this term", "this year" or "in this period"."""
        if self.term is not None:
            return "this term"
        return "this year" if self.name else "in this period"

    @property
    def slug(self):
        if self.term is not None:
            return pack.term_slug(self.term)
        if self.name:
            return self.name.replace("/", "-")
        return f"{self.starts_on:%Y-%m-%d}-to-{self.ends_on:%Y-%m-%d}"

    @classmethod
    def of_term(cls, term):
        return cls(term.starts_on, term.ends_on, term)


def default_period(school, today=None):
    """The term containing today, or else the latest that has started; with no terms set up,
    the school year so far (from 1 September)."""
    today = today or timezone.localdate()
    term = pack.find_term(school, "current", today=today)
    if term is not None:
        return Period.of_term(term)
    year = today.year if today.month >= 9 else today.year - 1
    return Period(date(year, 9, 1), today)


# --- Small helpers ---------------------------------------------------------------------------


def _median(days):
    if not days:
        return None
    return Decimal(str(statistics.median(days))).quantize(Decimal("0.1"))


@dataclass
class Wait:
    """Days waited by a set of pupils: how many, the median and the longest."""

    count: int
    median: Decimal | None
    longest: int | None

    @classmethod
    def of(cls, days):
        return cls(len(days), _median(days), max(days) if days else None)


def _inline(breakdown):
    """Give a pack breakdown its chart as inline SVG for the page."""
    breakdown.svg = inline_svg(
        breakdown.chart, title=breakdown.caption, description=breakdown.chart_alt
    )
    return breakdown


def _count_breakdown(caption, first_column, unit, counts, labels, *, total, alt, **kwargs):
    breakdown = pack._breakdown(
        caption, first_column, unit, counts, labels, protect=False, total=total, **kwargs
    )
    return _inline(pack._chart_for(breakdown, alt_prefix=alt))


# --- Caseload per mentor ---------------------------------------------------------------------


@dataclass
class MentorRow:
    name: str
    hours: Decimal | None
    booked_minutes: int
    open_cases: int
    cases_in_period: int

    @property
    def booked_hours(self):
        return (Decimal(self.booked_minutes) / 60).quantize(Decimal("0.1"))

    @property
    def percent_booked(self):
        if not self.hours:
            return None
        return round(100 * self.booked_minutes / (self.hours * 60))


@dataclass
class Caseloads:
    as_at: date
    rows: list
    svg: str = ""
    chart: str = ""
    chart_alt: str = ""


def caseloads(school, cases, period, today):
    """Each mentor: hours a week for mentoring, hours booked in weekly slots running on the
    day the figures are as at, cases open that day and cases during the period."""
    as_at = min(today, period.ends_on)
    members = list(
        StaffMember.objects.filter(school=school, roles__role=Role.MENTOR)
        .select_related("user")
        .distinct()
    )
    booked = Counter()
    running = (
        Slot.objects.filter(school=school, block_starts_on__lte=as_at, block_ends_on__gte=as_at)
        .exclude(ended_on__lt=as_at)
        .values_list("mentor_id", "duration")
    )
    for mentor_id, minutes in running:
        booked[mentor_id] += minutes
    during, open_then = Counter(), Counter()
    names = {}
    for case in cases:
        if case.mentor_id is None:
            continue
        names[case.mentor_id] = str(case.mentor)
        during[case.mentor_id] += 1
        if case.opened_on <= as_at and (case.closed_on is None or case.closed_on > as_at):
            open_then[case.mentor_id] += 1
    rows = []
    for member in members:
        user_id = member.user_id
        names.pop(user_id, None)
        rows.append(
            MentorRow(
                str(member.user),
                member.mentoring_hours,
                booked[user_id],
                open_then[user_id],
                during[user_id],
            )
        )
    for user_id, name in names.items():  # mentored here in the period, no longer a mentor
        label = f"{name} (no longer a mentor)"
        rows.append(MentorRow(label, None, booked[user_id], open_then[user_id], during[user_id]))
    rows.sort(key=lambda r: r.name)
    result = Caseloads(as_at, rows)
    if rows:
        alt = "Bar chart of each mentor's hours a week for mentoring against hours booked: " + (
            "; ".join(
                f"{r.name} {f'{r.hours} hours' if r.hours is not None else 'no hours set'}, "
                f"{r.booked_hours} booked"
                for r in rows
            )
        )
        result.chart, result.chart_alt = pack._bar_chart(
            [r.name for r in rows],
            [
                ("Hours for mentoring", [float(r.hours or 0) for r in rows]),
                ("Hours booked in slots", [float(r.booked_hours) for r in rows]),
            ],
            alt=alt + ".",
            integers=False,
        )
        result.svg = inline_svg(
            result.chart, title="Mentors' hours and bookings", description=result.chart_alt
        )
    return result


# --- Waiting ---------------------------------------------------------------------------------

WAITING_STATES = (
    Referral.Status.NEW,
    Referral.Status.UNDER_DISCUSSION,
    Referral.Status.PRIORITISED,
    Referral.Status.WAITLISTED,
)


@dataclass
class Waiting:
    """The waiting list as it stands today, and how long pupils waited in the period."""

    waiting_now: object  # Breakdown of undecided referrals by where they are
    waiting_now_days: Wait
    to_decision: object  # reviews.pack.Waiting: referral to decision, decisions in the period
    to_first_session: Wait
    still_to_start: Wait


def waiting_list(school, today):
    referrals = list(
        Referral.objects.filter(school=school, status__in=WAITING_STATES).only(
            "status", "submitted_at", "decided_at"
        )
    )
    days = [r.days_waiting(today) for r in referrals if r.submitted_at]
    breakdown = _count_breakdown(
        "Waiting for a decision today",
        "Where the referral is",
        "Referrals",
        Counter(r.status for r in referrals),
        [(s, s.label) for s in WAITING_STATES],
        total=len(referrals),
        total_label="Waiting",
        alt="Bar chart of referrals waiting for a decision today",
    )
    return breakdown, Wait.of(days)


def first_session_waits(school, period, today):
    """From the panel's decision to accept, to the first session held, for referrals
    accepted in the period; and the days so far for those still to start."""
    start, end = pack._in_term(period)
    accepted = list(
        Referral.objects.filter(
            school=school,
            status=Referral.Status.ACCEPTED,
            decided_at__gte=start,
            decided_at__lt=end,
            case__isnull=False,
        ).values_list("case_id", "decided_at")
    )
    first = dict(
        SessionRecord.objects.filter(
            case_id__in=[c for c, _ in accepted], attendance=SessionRecord.Attendance.HELD
        )
        .values("case_id")
        .annotate(first=Min("date"))
        .values_list("case_id", "first")
    )
    started, waiting = [], []
    for case_id, decided_at in accepted:
        decided = timezone.localdate(decided_at)
        if case_id in first:
            started.append((first[case_id] - decided).days)
        else:
            waiting.append((today - decided).days)
    return Wait.of(started), Wait.of(waiting)


# --- Referrals by criterion and by source ----------------------------------------------------

# Who referred, by their role at the school; someone holding several counts under the first.
SOURCES = (
    Role.CLASS_TEACHER,
    Role.TEACHING_ASSISTANT,
    Role.SENDCO,
    Role.DSL,
    Role.HEAD,
    Role.COORDINATOR,
    Role.MENTOR,
    Role.OFFICE,
)
OTHER_SOURCE = "Other or former staff"


def _referrals_made(school, period):
    start, end = pack._in_term(period)
    return Referral.objects.filter(
        school=school, submitted_at__gte=start, submitted_at__lt=end
    ).exclude(status=Referral.Status.DRAFT)


def by_criterion(school, period):
    """Referrals made in the period, by each criterion ticked (a referral may tick several)."""
    made = _referrals_made(school, period)
    ticked = Counter(made.filter(criteria__isnull=False).values_list("criteria__name", flat=True))
    names = list(
        Criterion.objects.filter(school=school, active=True)
        .order_by("position", "name")
        .values_list("name", flat=True)
    )
    names += sorted(n for n in ticked if n not in names)  # retired since, but ticked then
    labels = [(n, n) for n in names]
    return _count_breakdown(
        f"Referrals made {period.during}, by criterion",
        "Criterion",
        "Referrals",
        ticked,
        labels,
        total=made.count(),
        total_label="Referrals made (one may tick several criteria)",
        alt=f"Bar chart of referrals made {period.during} by criterion",
    )


def by_source(school, period):
    """Referrals made in the period, by the referrer's role at the school."""
    referrers = list(_referrals_made(school, period).values_list("referred_by_id", flat=True))
    roles = defaultdict(set)
    for user_id, role in StaffRole.objects.filter(
        staff_member__school=school, staff_member__user_id__in=set(referrers)
    ).values_list("staff_member__user_id", "role"):
        roles[user_id].add(role)

    def source(user_id):
        held = roles.get(user_id, set())
        return next((Role(r).label for r in SOURCES if r in held), OTHER_SOURCE)

    counts = Counter(source(u) for u in referrers)
    labels = [(Role(r).label, Role(r).label) for r in SOURCES if counts.get(Role(r).label)]
    if counts.get(OTHER_SOURCE):
        labels.append((OTHER_SOURCE, OTHER_SOURCE))
    return _count_breakdown(
        f"Referrals made {period.during}, by who referred",
        "Referred by",
        "Referrals",
        counts,
        labels,
        total=len(referrers),
        alt=f"Bar chart of referrals made {period.during} by the referrer's role",
    )


# --- Reviews overdue -------------------------------------------------------------------------


@dataclass
class Reviews:
    """Termly reviews as they stand today, for open cases with a weekly slot."""

    current_term: Term | None
    due_this_term: int
    last_term: Term | None
    missed_last_term: int
    next_date_passed: int
    overdue: int
    cases: int = 0
    overdue_refs: list = field(default_factory=list)


def review_status(school, today):
    terms = list(Term.objects.filter(academic_year__school=school).order_by("starts_on"))
    current = next((t for t in terms if t.starts_on <= today <= t.ends_on), None)
    last = next((t for t in reversed(terms) if t.ends_on < today), None)
    first_slot = dict(
        Allocation.objects.filter(case__school=school, case__status=Case.Status.OPEN)
        .values("case_id")
        .annotate(first=Min("starts_on"))
        .values_list("case_id", "first")
    )
    decided = defaultdict(dict)
    for case_id, term_id, next_on in (
        TermlyReview.objects.filter(case_id__in=list(first_slot))
        .exclude(decision="")
        .values_list("case_id", "term_id", "next_review_on")
    ):
        decided[case_id][term_id] = next_on
    due = missed = passed = 0
    overdue = []
    for case_id, first in sorted(first_slot.items()):
        reviews = decided.get(case_id, {})
        if current is not None and current.pk not in reviews:
            due += 1
        late = False
        if last is not None and first <= last.ends_on and last.pk not in reviews:
            missed += 1
            late = True
        latest = max((t for t in terms if t.pk in reviews), key=lambda t: t.starts_on, default=None)
        next_on = reviews.get(latest.pk) if latest else None
        if (
            next_on is not None
            and next_on < today
            and (current is None or current.pk not in reviews)
        ):
            passed += 1
            late = True
        if late:
            overdue.append(case_id)
    return Reviews(
        current,
        due,
        last,
        missed,
        passed,
        len(overdue),
        cases=len(first_slot),
        overdue_refs=[f"C{pk:05d}" for pk in overdue],
    )


# --- Sessions recorded -----------------------------------------------------------------------


@dataclass
class Recorded:
    """Session records written in the period, whatever the calendar expected: for dates with
    no term set up, the sessions expected are none, yet sessions may have been recorded."""

    total: int
    held: int
    not_held: list


def recorded_sessions(case_ids, period):
    counts = Counter(
        SessionRecord.objects.filter(
            case_id__in=case_ids, date__gte=period.starts_on, date__lte=period.ends_on
        ).values_list("attendance", flat=True)
    )
    held = counts.pop(SessionRecord.Attendance.HELD, 0)
    labels = dict(SessionRecord.Attendance.choices)
    not_held = [(labels.get(k, k), n) for k, n in counts.most_common()]
    return Recorded(held + sum(counts.values()), held, not_held)


# --- Everything ------------------------------------------------------------------------------


def dashboard_figures(school, period, today=None):
    """Every figure of the dashboard for ``school`` over ``period``."""
    today = today or timezone.localdate()
    cases = list(pack.term_cases(school, period))
    case_ids = [c.pk for c in cases]
    during = period.during
    referrals = pack.referral_figures(school, period, protect=False, during=during)
    for breakdown in (referrals.by_state, referrals.decisions, referrals.waiting.bands):
        _inline(breakdown)
    waiting_now, waiting_now_days = waiting_list(school, today)
    to_first, still_to_start = first_session_waits(school, period, today)
    attendance = pack.attendance_by_case(case_ids, period, today)
    sessions = pack.session_figures(attendance, period, today, during=during)
    sessions.svg = inline_svg(
        sessions.chart, title=f"Sessions expected {during}", description=sessions.chart_alt
    )
    outcomes = pack.outcome_figures(
        school, case_ids, period, protect=False, chart_width=pack.OUTCOME_CHART_WIDTH
    )
    if outcomes.chart:
        outcomes.svg = inline_svg(
            outcomes.chart,
            title="Mean staff rating at entry and exit",
            description=outcomes.chart_alt,
        )
    # The page shows the caseload's totals only, not its two charts.
    caseload = pack.caseload_figures(cases, period, protect=False, charts=False)
    return {
        "school": school,
        "period": period,
        "today": today,
        "as_at": min(today, period.ends_on),
        "caseload": caseload,
        "mentors": caseloads(school, cases, period, today),
        "referrals": referrals,
        "waiting": Waiting(
            waiting_now, waiting_now_days, referrals.waiting, to_first, still_to_start
        ),
        "criteria": by_criterion(school, period),
        "sources": by_source(school, period),
        "sessions": sessions,
        "recorded": recorded_sessions(case_ids, period),
        "outcomes": outcomes,
        "closures": _inline(pack.closure_figures(cases, period, protect=False, during=during)),
        "reviews": review_status(school, today),
        "fair_access": fair_access(school, period),
        "small": pack.SMALL,
    }
