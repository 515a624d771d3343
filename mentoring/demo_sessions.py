"""Demo sessions: the mentors' weekly slots and the records of the weeks gone by.

Called by ``demo.seed`` after the referrals, so that every case has its consent. Everything
goes through the session services, as the pages would: the coordinator allocates each case
a fixed weekly slot (one of them a small group) and the mentor logs their own records.

Blocks start about seven weeks before today (never before the parents' consent) and are
long enough to run through the current week, so "my week" has sessions to show, and
adherence has figures: most past sessions are recorded, a few were missed, the most recent
ones are still due, one is overdue and one record is flagged to the DSL.

Seeding is keyed on the case: a case that already has a slot keeps it, and a session that
already has a record is left alone, so a second run creates nothing and changes nothing.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from referrals.models import ConsentRecord
from sessions import services
from sessions.book import SessionBook
from sessions.models import Allocation, SessionRecord
from sessions.schedule import block_session_dates, calendar_for_block, first_weekday_on_or_after

from .demo_referrals import _fill
from .models import Room

A = SessionRecord.Attendance
MON, TUE, WED, THU, FRI = range(5)

# Blocks start about this long before today, and last 6-8 school weeks (the policies).
BLOCK_STARTED = dt.timedelta(weeks=7)
MIN_WEEKS, MAX_WEEKS = 6, 8


@dataclass(frozen=True)
class Note:
    """A held session: what was done, how the pupil says they feel (1-5), what is next."""

    done: str
    feeling: int
    next_steps: str
    concern: bool = False  # flagged to the DSL


@dataclass(frozen=True)
class Missed:
    attendance: str
    reason: str = ""


@dataclass(frozen=True)
class Plan:
    """The records of one pupil's sessions, in order.

    ``notes`` go to the held sessions one after another (the first is the first meeting,
    with its checklist ticked), or for a group to the sessions by number, as the group does
    the same thing whoever is away; ``missed`` maps a session's number (0: the first of the
    block) to why it did not happen. ``concern`` replaces the note of the last recorded
    held session and flags it to the DSL. ``unlogged`` leaves the last session before this
    week without a record, so the mentor has one overdue.
    """

    notes: tuple
    missed: dict = field(default_factory=dict)
    concern: Note | None = None
    unlogged: bool = False
    by_session: bool = False

    def note(self, number, held):
        """The note of session ``number``, the ``held``-th held one (0: the first)."""
        index = number if self.by_session else held
        if index == 0:
            return self.notes[0]
        rest = self.notes[1:] or self.notes
        return rest[(index - 1) % len(rest)]


@dataclass(frozen=True)
class DemoSlot:
    weekday: int
    starts_at: dt.time
    minutes: int
    room: str
    plan: Plan
    group: bool = False  # the small group: the ``small_group`` referrals' cases join it


FIRST_MEETING = (
    "First meeting: explained who I am and why we meet, why {name} was referred, our "
    "boundaries and rules, the target card and action plan, when the sessions end, what "
    "stays private and what I must pass on, that I may pop into class, and what I tell "
    "parents and teachers. "
)

GROUP_NOTES = (
    Note(
        "First group meeting with two other Year 6 pupils: explained my role, why we meet as "
        "a group, the group rules (listen, no put-downs, what is said here stays here unless "
        "someone is at risk), targets, when the group ends and what I share with home and "
        "class. {name} helped write the rules on the poster.",
        3,
        "Each brings one thing they are proud of next week.",
    ),
    Note(
        "Team challenge: the tallest tower from ten sheets of paper. {name} shared ideas and "
        "let the others try theirs first.",
        4,
        "Talk about what makes a good friend next week.",
    ),
    Note(
        "Made a group poster of what makes a good friend. {name} said being left out is "
        "the worst thing and that the group feels safe.",
        3,
        "Role-play joining a game at lunchtime next week.",
    ),
    Note(
        "Role-played joining in a game and what to say when someone says no. {name} took "
        "the lead in one scene and tried the words at lunchtime with the others.",
        4,
        "Each tries one new lunchtime activity this week; report back.",
    ),
    Note(
        "Planned a lunchtime board-game club the three of them will run for Year 4. "
        "{name} made the sign-up sheet.",
        5,
        "Ask Mr Cradock for a table in the hall on Thursdays.",
    ),
)

# In the order of demo.CASES.
SLOTS = (
    # mentor (Mrs Hartfield), 6 hours a week.
    DemoSlot(
        TUE,
        dt.time(10, 45),
        45,
        "Learning Mentor Room",
        Plan(
            (
                Note(
                    FIRST_MEETING + "{name} chose a target: say one thing {he} did well "
                    "each day. Made a 'things I am good at' list together; {he} found four.",
                    3,
                    "Bring the list next week and add one thing from class. Ask Ms "
                    "Marchbank to look out for a moment to praise.",
                ),
                Note(
                    "Looked at the list: {name} added 'helping the younger ones at lunch'. "
                    "Played a strengths card game; read two cards aloud without being asked.",
                    4,
                    "Read a short joke to me next week. Share the target card with Ms Marchbank.",
                ),
                Note(
                    "Read {his} joke aloud and laughed at it. Talked about the page {he} "
                    "tore out on Tuesday and what to say instead ('I can fix it').",
                    3,
                    "A fix-it card for {his} tray; check in with Mrs Ellerby on Thursday.",
                ),
            ),
        ),
    ),
    DemoSlot(
        WED,
        dt.time(13, 15),
        45,
        "Learning Mentor Room",
        Plan(
            (
                Note(
                    FIRST_MEETING + "Pencils out from the start: {name} drew {his} house "
                    "and the cat, and talked about the cat most of the time.",
                    3,
                    "Same room and time next week; the drawings stay in {his} folder.",
                ),
                Note(
                    "{name} drew a boat in a storm and talked about having 'two houses' at "
                    "weekends. Calm all session; did not want to stop.",
                    2,
                    "Keep the routine the same. Tell Ms Ferraby that Mondays are hardest.",
                ),
                Note(
                    "Drew the boat again, with the sun out this time. Said the weekend at "
                    "Dad's was 'good but short'. Only one outburst in class this week.",
                    4,
                    "Start a 'good things' page at the back of the folder.",
                ),
            ),
            unlogged=True,
        ),
    ),
    DemoSlot(
        MON,
        dt.time(9, 15),
        45,
        "Learning Mentor Room",
        Plan(
            (
                Note(
                    FIRST_MEETING + "{name} set a target: one calm lunchtime a week. Very "
                    "clear about what goes wrong with the friendship group.",
                    3,
                    "Target card started; ask Mrs Linwood about a lunchtime club place.",
                ),
                Note(
                    "Two calm lunchtimes. Wrote a short account of last week's trip "
                    "together: more than {he} has written in class for weeks, and proud of it.",
                    4,
                    "Share the writing with Mrs Linwood. New target: finish one piece of "
                    "writing a week.",
                ),
                Note(
                    "One piece of writing finished. Role-played what to say when the "
                    "friendship group leaves {him} out, and how to walk away.",
                    3,
                    "Try the walk-away plan at lunch this week; review next time.",
                ),
                Note(
                    "Checked the target card: two pieces of writing finished. Talked about "
                    "chess club, which {name} now goes to on Wednesdays.",
                    4,
                    "Keep the writing target; ask a friend from chess club to sit together.",
                ),
            ),
            missed={1: Missed(A.CANCELLED, "Year 5 trip to Larkspur Hill country park.")},
            concern=Note(
                "Worked on the target card. {name} said {he} is often left alone at home in "
                "the evenings; passed to the DSL straight after the session.",
                2,
                "The DSL follows it up. Usual session next week.",
                concern=True,
            ),
        ),
    ),
    DemoSlot(
        THU,
        dt.time(13, 30),
        45,
        "Nurture Room",
        Plan(
            (
                Note(
                    FIRST_MEETING + "Made a visual timetable of our sessions together. "
                    "{name} told me all about the branch line near {his} gran's house.",
                    3,
                    "Bring a map next week; start turn-taking games.",
                ),
                Note(
                    "Played a turn-taking board game; {name} waited for {his} turn each time "
                    "with one reminder and said 'good move' to me once.",
                    3,
                    "Same game next week with a Year 6 partner joining for ten minutes.",
                ),
                Note(
                    "Talked about the secondary school open evening; wrote a list of "
                    "questions to ask on the visit. Worried about the size of the building.",
                    2,
                    "Ask Mr Cradock about an extra transition visit with a small group.",
                ),
                Note(
                    "Practised three ways to start a conversation; used one with a Year 6 "
                    "boy who joined us at the end. Much calmer about the move.",
                    4,
                    "Try one opener at lunchtime; tell me about it next week.",
                ),
            ),
            missed={3: Missed(A.PUPIL_ABSENT, "Off sick (the office confirmed).")},
        ),
    ),
    # mentor2 (Mr Thistlewood), 3 hours a week.
    DemoSlot(
        THU,
        dt.time(9, 30),
        45,
        "Sand Play Room",
        Plan(
            (
                Note(
                    "First meeting, short and gentle. In simple words: who I am, why we "
                    "meet, the sand room's rules, when we meet and when we stop, and that "
                    "what {name} makes stays here unless I am worried. {name} buried the "
                    "small animals and found them again and again, whispering their names.",
                    3,
                    "Same time next week; tell the Year 1 TA it went well.",
                ),
                Note(
                    "Built a house in the sand with a fence all round; put a small girl "
                    "figure inside and a dog at the gate. Talked a little more today.",
                    3,
                    "Same tray and figures next week.",
                ),
            ),
        ),
    ),
    DemoSlot(
        MON,
        dt.time(14, 0),
        45,
        "Learning Mentor Room",
        Plan(
            (
                Note(
                    FIRST_MEETING + "{name} picked a target: walk away and tell an adult "
                    "when playtime gets heated. Loves football: we used a match as a model.",
                    3,
                    "Target card to the head's Friday report; review next week.",
                ),
                Note(
                    "Went through the week: two playtimes when {he} walked away. Drew a "
                    "'calm-down ladder' together and put it in {his} planner.",
                    4,
                    "Use the ladder this week; a job as football monitor if it goes well.",
                ),
            ),
            missed={1: Missed(A.MENTOR_ABSENT, "On a first-aid course; too late for cover.")},
        ),
    ),
    DemoSlot(
        FRI,
        dt.time(13, 15),
        45,
        "Nurture Room",
        Plan(
            GROUP_NOTES, missed={2: Missed(A.PUPIL_ABSENT, "Dentist appointment.")}, by_session=True
        ),
        group=True,
    ),
)

# The pupils who join the small group, in the order of the ``small_group`` referrals.
GROUP_PLANS = (
    Plan(GROUP_NOTES, by_session=True),
    Plan(GROUP_NOTES, missed={3: Missed(A.PUPIL_ABSENT, "Off sick.")}, by_session=True),
)


def _consent_from(case):
    """The day the parents gave consent, or None."""
    given = case.consent_records.filter(decision=ConsentRecord.Decision.GIVEN)
    return min(given.values_list("decided_on", flat=True), default=None)


def _block(calendar, weekday, not_before, today):
    """(first day, school weeks, session dates) of a block that runs through this week."""
    start = first_weekday_on_or_after(max(today - BLOCK_STARTED, not_before), weekday)
    # On a school day, not in half-term or on an INSET day.
    for _ in range(MAX_WEEKS):
        if calendar.is_school_day(start):
            break
        start += dt.timedelta(weeks=1)
    this_week = first_weekday_on_or_after(today - dt.timedelta(days=today.weekday()), weekday)
    counted, day = 0, start
    while day <= this_week:
        counted += calendar.is_term_time(day)
        day += dt.timedelta(weeks=1)
    # One school week more than it takes to reach this week, within the policy's 6-8.
    weeks = min(max(MIN_WEEKS, counted + 1), MAX_WEEKS)
    dates, _ = block_session_dates(weekday, start, weeks, calendar)
    return start, weeks, dates


def seed_sessions(school, users, cases, group_cases, today):
    """Slots for ``cases`` (in the order of demo.CASES) and ``group_cases``, then records."""
    coordinator = users["coordinator"]
    rooms = {room.name: room for room in Room.objects.filter(school=school)}
    calendar = calendar_for_block(school, today - BLOCK_STARTED)
    plans = {}
    for case, spec in zip(cases, SLOTS, strict=True):
        consent_on = _consent_from(case)
        if consent_on is None or case.mentor is None:
            continue
        allocation = Allocation.objects.filter(case=case).select_related("slot").first()
        if allocation is None:
            start, weeks, dates = _block(
                calendar, spec.weekday, consent_on + dt.timedelta(days=1), today
            )
            if not dates:  # no term time ahead (a demo started in the summer holidays)
                continue
            allocation = services.allocate(
                case=case,
                user=coordinator,
                mentor=case.mentor,
                room=rooms[spec.room],
                weekday=spec.weekday,
                starts_at=spec.starts_at,
                duration=spec.minutes,
                block_starts_on=start,
                block_weeks=weeks,
            )
        plans[case.pk] = spec.plan
        if spec.group:
            _join_group(allocation.slot, group_cases, coordinator, plans)
    _log_sessions(school, plans, today)


def _join_group(slot, group_cases, coordinator, plans):
    for case, plan in zip(group_cases, GROUP_PLANS, strict=False):
        consent_on = _consent_from(case)
        if consent_on is None:
            continue
        if not Allocation.objects.filter(case=case).exists():
            starts_on = max(slot.block_starts_on, consent_on + dt.timedelta(days=1))
            if starts_on > slot.last_day:
                continue
            services.join_group(case=case, slot=slot, user=coordinator, starts_on=starts_on)
        plans[case.pk] = plan


def _log_sessions(school, plans, today):
    """The mentors' records of past sessions, leaving this week's and recent ones due."""
    monday = today - dt.timedelta(days=today.weekday())
    book = SessionBook(Allocation.objects.filter(case_id__in=list(plans)), until=today)
    calendar = book.calendar(school.pk) if book.allocations else None
    for allocation in book.allocations:
        plan = plans[allocation.case_id]
        sessions = list(enumerate(book.sessions(allocation)))
        earlier = [(number, s) for number, s in sessions if s.date < monday]
        if plan.unlogged and earlier:
            earlier = earlier[:-1]
        # Sessions within the school's grace period are still "due": not logged yet.
        logged = [
            (number, s)
            for number, s in earlier
            if sum(1 for _ in calendar.school_days(s.date + dt.timedelta(days=1), today))
            > school.session_overdue_after
        ]
        held_numbers = [n for n, _ in logged if n not in plan.missed]
        flagged = held_numbers[-1] if plan.concern and held_numbers else None
        held = 0
        for number, session in logged:
            missed = plan.missed.get(number)
            if session.record is None:
                concern = plan.concern if number == flagged else None
                _log(session, missed, concern or plan.note(number, held), held == 0)
            if missed is None:
                held += 1


def _log(session, missed, note, first):
    slot, case = session.slot, session.case
    ended = timezone.make_aware(dt.datetime.combine(session.date, slot.ends_at))
    record = SessionRecord(
        case=case,
        slot=slot,
        date=session.date,
        created_at=ended + dt.timedelta(minutes=20),
    )
    if missed is not None:
        record.attendance = missed.attendance
        record.cancel_reason = missed.reason
    else:
        record.what_was_done = _fill(note.done, case.pupil)
        record.pupil_feeling = note.feeling
        record.next_steps = _fill(note.next_steps, case.pupil)
        record.safeguarding_concern = note.concern
        if first:
            for name in SessionRecord.FIRST_MEETING_FIELDS:
                setattr(record, name, True)
    services.session_record_save(record=record, user=slot.mentor, today=timezone.localdate())
