"""Expected sessions and their records for many cases at once, in a fixed number of queries.

"My week", adherence and the case page all read through a SessionBook (the adherence page
through its lighter AttendanceBook), so the rules of what was expected live in schedule.py
alone and no list costs a query per row.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from mentoring.calendar import SchoolCalendar
from mentoring.models import ClosureDay, Term
from referrals.models import ConsentRecord

from .models import Allocation, SessionMove, SessionRecord
from .schedule import expected_dates, slot_dates

# The labels get_attendance_display() gives, for attendance read without its record.
ATTENDANCE = dict(SessionRecord.Attendance.choices)

ALLOCATION_RELATED = [
    "slot",
    "slot__school",
    "slot__room",
    "slot__mentor",
    "case",
    "case__school",
    "case__pupil",
    "case__pupil__school_class",
]
# What the adherence figures and their rows show: the pupil, the slot with its room and mentor.
ATTENDANCE_RELATED = ["slot", "slot__room", "slot__mentor", "case", "case__pupil"]


@dataclass
class Session:
    """One expected session of one case, with its record if there is one."""

    allocation: Allocation
    date: date
    record: SessionRecord | None
    move: SessionMove | None
    status: str = ""

    @property
    def case(self):
        return self.allocation.case

    @property
    def slot(self):
        return self.allocation.slot

    @property
    def held_on(self):
        """The day it takes place: the week's slot day, or the day it was moved to."""
        return self.date if self.move is None else timezone.localtime(self.move.moved_to).date()


def _calendars(allocations, until):
    """{school id: SchoolCalendar} covering every block of the allocations' slots and the
    week after ``until``, for all their schools in two queries."""
    spans = {}
    for a in allocations:
        slot = a.slot
        first, last = spans.get(slot.school_id, (slot.block_starts_on, until))
        spans[slot.school_id] = (min(first, slot.block_starts_on), max(last, slot.block_ends_on))
    if not spans:
        return {}
    spans = {school: (first, last + timedelta(days=7)) for school, (first, last) in spans.items()}
    start = min(first for first, _ in spans.values())
    end = max(last for _, last in spans.values())
    terms, closures = defaultdict(list), defaultdict(set)
    for term in Term.objects.filter(
        academic_year__school_id__in=spans, starts_on__lte=end, ends_on__gte=start
    ).select_related("academic_year"):
        first, last = spans[term.academic_year.school_id]
        if term.starts_on <= last and term.ends_on >= first:
            terms[term.academic_year.school_id].append(term)
    for school_id, day in ClosureDay.objects.filter(
        school_id__in=spans, date__range=(start, end)
    ).values_list("school_id", "date"):
        first, last = spans[school_id]
        if first <= day <= last:
            closures[school_id].add(day)
    return {
        school: SchoolCalendar(tuple(terms[school]), frozenset(closures[school]))
        for school in spans
    }


class _TermWeeks:
    """A school's calendar that remembers which days are term time: the slots of one school
    walk the same weeks, block after block."""

    def __init__(self, calendar):
        self.calendar = calendar
        self.closures = calendar.closures
        self.known = {}

    def is_term_time(self, day):
        if day not in self.known:
            self.known[day] = self.calendar.is_term_time(day)
        return self.known[day]


class _Schedule:
    """The allocations with their slots' calendars and the cases' consent: what it takes to
    know which sessions were expected."""

    related = ALLOCATION_RELATED

    def __init__(self, allocations, until):
        self.until = until
        self.allocations = list(allocations.select_related(*self.related))
        self.case_ids = {a.case_id for a in self.allocations}
        self.consent = defaultdict(list)
        for record in ConsentRecord.objects.filter(case_id__in=self.case_ids):
            self.consent[record.case_id].append(record)
        self.calendars = _calendars(self.allocations, until)
        self._term_weeks = {school: _TermWeeks(c) for school, c in self.calendars.items()}
        self._slot_dates = {}

    def calendar(self, school_id):
        return self.calendars[school_id]

    def expected_dates(self, allocation, until=None):
        """The dates of every session expected for the allocation up to ``until`` (default:
        the book's). A slot's dates are worked out once, however many cases share it."""
        slot = allocation.slot
        if slot.pk not in self._slot_dates:
            self._slot_dates[slot.pk] = slot_dates(slot, self._term_weeks[slot.school_id])
        return expected_dates(
            allocation,
            self._slot_dates[slot.pk],
            self.consent[allocation.case_id],
            until=until or self.until,
        )


class SessionBook(_Schedule):
    def __init__(self, allocations, until):
        super().__init__(allocations, until)
        self.records = {
            (r.case_id, r.date): r
            for r in SessionRecord.objects.filter(case_id__in=self.case_ids).select_related(
                "author"
            )
        }
        slot_ids = {a.slot_id for a in self.allocations}
        self.moves = {
            (m.slot_id, m.original_date): m
            for m in SessionMove.objects.filter(slot_id__in=slot_ids)
        }
        self.attendance = {key: record.attendance for key, record in self.records.items()}

    def sessions(self, allocation, until=None):
        """Every session expected for the allocation up to ``until`` (default: the book's)."""
        return [
            Session(
                allocation,
                day,
                self.records.get((allocation.case_id, day)),
                self.moves.get((allocation.slot_id, day)),
            )
            for day in self.expected_dates(allocation, until)
        ]


class AttendanceBook(_Schedule):
    """Only what adherence counts, for pages over many cases and years: each logged
    session's attendance, without the records' notes or the moves. With ``since``, only the
    records from that day on (a term's or a year's figures need no older ones)."""

    related = ATTENDANCE_RELATED

    def __init__(self, allocations, until, since=None):
        super().__init__(allocations, until)
        records = SessionRecord.objects.filter(case_id__in=self.case_ids, date__lte=until)
        if since is not None:
            records = records.filter(date__gte=since)
        records = records.order_by()  # looked up by date: sorting them is wasted
        self.attendance = {
            (case_id, day): attendance
            for case_id, day, attendance in records.values_list("case_id", "date", "attendance")
        }


@dataclass
class Adherence:
    """Held against expected, and why the rest did not happen."""

    expected: int = 0
    held: int = 0
    reasons: Counter = field(default_factory=Counter)

    def add(self, session):
        self.count(None if session.record is None else session.record.attendance)

    def count(self, attendance):
        """One more expected session, with its record's attendance (None: no record)."""
        self.tally([attendance])

    def tally(self, attendances):
        """Expected sessions given by their records' attendance (None: no record), in date
        order, so that reasons seen as often keep the order they first happened in."""
        for attendance, n in Counter(attendances).items():
            self.expected += n
            if attendance is None:
                self.reasons["Not recorded yet"] += n
            elif attendance == SessionRecord.Attendance.HELD:
                self.held += n
            else:
                self.reasons[ATTENDANCE.get(attendance, attendance)] += n

    def __iadd__(self, other):
        self.expected += other.expected
        self.held += other.held
        self.reasons.update(other.reasons)
        return self

    @property
    def reason_list(self):
        """[(reason, count)], most common first (templates cannot call Counter.items)."""
        return self.reasons.most_common()

    @property
    def percent(self):
        return round(100 * self.held / self.expected) if self.expected else None


def running_between(allocations, since, until):
    """The allocations that may have expected a session from ``since`` to ``until``: begun
    by then, on a slot whose block overlaps those days."""
    return allocations.filter(
        starts_on__lte=until, slot__block_starts_on__lte=until, slot__block_ends_on__gte=since
    )


def adherence(book, today, since=None):
    """{case_id: Adherence} for every case in the book (a SessionBook or an AttendanceBook),
    counting sessions up to today, and from ``since`` when given."""
    result, attendance = defaultdict(Adherence), book.attendance
    for allocation in book.allocations:
        case_id = allocation.case_id
        days = book.expected_dates(allocation, until=today)
        if since is not None:
            days = [day for day in days if day >= since]
        result[case_id].tally(attendance.get((case_id, day)) for day in days)
    return result
