"""Expected sessions and their records for many cases at once, in a fixed number of queries.

"My week", adherence and the case page all read through a SessionBook, so the rules of
what was expected live in schedule.py alone and no list costs a query per row.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from mentoring.calendar import SchoolCalendar
from referrals.models import ConsentRecord

from .models import Allocation, SessionMove, SessionRecord
from .schedule import LOOKAHEAD, expected_for_allocation

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


class SessionBook:
    def __init__(self, allocations, until):
        self.until = until
        self.allocations = list(allocations.select_related(*ALLOCATION_RELATED))
        case_ids = {a.case_id for a in self.allocations}
        slot_ids = {a.slot_id for a in self.allocations}
        self.consent = defaultdict(list)
        for record in ConsentRecord.objects.filter(case_id__in=case_ids):
            self.consent[record.case_id].append(record)
        self.records = {
            (r.case_id, r.date): r
            for r in SessionRecord.objects.filter(case_id__in=case_ids).select_related("author")
        }
        self.moves = {
            (m.slot_id, m.original_date): m
            for m in SessionMove.objects.filter(slot_id__in=slot_ids)
        }
        self.calendars = {}
        by_school = defaultdict(list)
        for a in self.allocations:
            by_school[a.slot.school].append(a.slot)
        for school, slots in by_school.items():
            first = min(s.block_starts_on for s in slots)
            last = max(max(s.block_ends_on for s in slots), until) + timedelta(days=7)
            self.calendars[school.pk] = SchoolCalendar.for_school(
                school, first, min(last, first + LOOKAHEAD)
            )

    def calendar(self, school_id):
        return self.calendars[school_id]

    def sessions(self, allocation, until=None):
        """Every session expected for the allocation up to ``until`` (default: the book's)."""
        calendar = self.calendars[allocation.slot.school_id]
        expected = expected_for_allocation(
            allocation, calendar, self.consent[allocation.case_id], until=until or self.until
        )
        return [
            Session(
                allocation,
                e.date,
                self.records.get((allocation.case_id, e.date)),
                self.moves.get((allocation.slot_id, e.date)),
            )
            for e in expected
        ]


@dataclass
class Adherence:
    """Held against expected, and why the rest did not happen."""

    expected: int = 0
    held: int = 0
    reasons: Counter = field(default_factory=Counter)

    def add(self, session):
        self.expected += 1
        record = session.record
        if record is None:
            self.reasons["Not recorded yet"] += 1
        elif record.attendance == SessionRecord.Attendance.HELD:
            self.held += 1
        else:
            self.reasons[record.get_attendance_display()] += 1

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


def adherence(book, today):
    """{case_id: Adherence} for every case in the book, counting sessions up to today."""
    result = defaultdict(Adherence)
    for allocation in book.allocations:
        for session in book.sessions(allocation, until=today):
            result[allocation.case_id].add(session)
    return result
