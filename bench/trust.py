"""A multi-academy trust full of data, for the page and load benchmarks.

``build_trust(LARGE)`` makes 10 schools with 3,000 pupils, 300 open cases and 30,000 session
records over the last three school years: each school runs 30 weekly slots ("lanes"), and
each lane has held one case after another, the latest still open. Every case came from an
accepted referral with parental consent; it has targets with progress noted at sessions,
an entry questionnaire, a termly review and, once closed, an exit questionnaire and a
closure. Each school also has referrals waiting in its queue. ``build_trust(SMALL)`` makes
one school with a handful of cases, to compare query counts with.

Rows are made with ``bulk_create``, so no history is written: that is not read by the pages
measured. Everything is invented and the same on every run (one seed per school). Call
``setup_django()`` first (bench/casedata.py) with VAR_DIR and DATABASE_URL set.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

NOTES = [
    (
        "Played a feelings board game; {name} named feeling worried before spelling tests and "
        "we practised the words for asking to join a game at lunch.",
        "Try the joining-in words at lunch on Wednesday.",
    ),
    (
        "Drew a map of the playground with the safe places and the tricky ones; {name} chose "
        "the reading bench as a calm-down spot.",
        "Share the map with the class teacher.",
    ),
    (
        "Went through the target card: two green days, one amber. {name} read a finished "
        "piece of writing aloud and was proud of it.",
        "Keep the target card going; praise finished writing in class.",
    ),
    (
        "Talked about the weekend and the new house; {name} drew the new bedroom and listed "
        "what will stay the same.",
        "Keep the next session calm and familiar.",
    ),
]
FIRST_NAMES = [
    "Ada",
    "Alfie",
    "Amara",
    "Arlo",
    "Bea",
    "Cassius",
    "Della",
    "Eben",
    "Elowen",
    "Fenn",
    "Greer",
    "Hollis",
    "Ione",
    "Jory",
    "Kit",
    "Lark",
    "Marlo",
    "Nell",
    "Orrin",
    "Pip",
    "Quill",
    "Rook",
    "Sable",
    "Tamsin",
    "Ulla",
    "Vesper",
    "Wren",
    "Xan",
    "Yara",
    "Zeb",
]
SURNAMES = [
    "Ashcombe",
    "Bramblewick",
    "Cloudberry",
    "Dimmock",
    "Elderfield",
    "Fernhollow",
    "Gorsemoor",
    "Hazelbrook",
    "Inkpen",
    "Juniperwell",
    "Kestleigh",
    "Larchmont",
    "Mossbank",
    "Nettlefold",
    "Oakhanger",
    "Pebblestone",
    "Quarrendon",
    "Rushmere",
    "Sorrelby",
    "Thistledown",
]
YEAR_GROUPS = range(7)  # Reception to Year 6
CLASS_NAMES = ("Ash", "Elm")  # two classes in each year group
UNLOGGED_WEEKS = 2  # each open case's latest past sessions, not logged yet (My week shows them)


@dataclass(frozen=True)
class Scale:
    schools: int
    pupils: int  # per school
    lanes: int  # weekly slots per school, each with one open case
    records_per_lane: int  # session records kept in each lane, over its cases
    mentors: int  # per school
    queue: int  # referrals waiting in each school's queue


LARGE = Scale(schools=10, pupils=300, lanes=30, records_per_lane=100, mentors=3, queue=20)
SMALL = Scale(schools=1, pupils=42, lanes=3, records_per_lane=20, mentors=1, queue=3)
TINY = Scale(schools=1, pupils=14, lanes=2, records_per_lane=16, mentors=1, queue=2)
SCALES = {"large": LARGE, "small": SMALL, "tiny": TINY}


@dataclass
class Trust:
    """What the benchmarks need to sign in as: each role's users, school by school."""

    scale: Scale
    name: str
    schools: list = field(default_factory=list)
    users: dict = field(default_factory=dict)  # role name -> [users], first school first
    open_cases: list = field(default_factory=list)  # ids, first school first

    def first(self, role):
        return self.users[role][0]


def build_trust(scale, name="Benchmark", today=None, seed=2026):
    """The trust's schools and data. ``name`` starts its schools' names and (lower case) its
    usernames, so that a small and a large trust can share one database."""
    from django.db import connection, transaction
    from django.utils import timezone

    today = today or timezone.localdate()
    trust = Trust(scale, name)
    with transaction.atomic():
        for number in range(1, scale.schools + 1):
            _School(trust, number, today, random.Random(seed + number)).build()
    # A school's database has planner statistics (PostgreSQL's autovacuum gathers them after
    # a load like this one); without them the planner guesses, as no real server would.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return trust


def counts():
    """{model label: rows} of the main tables, for printing what was made."""
    from mentoring.models import Case, Pupil, School
    from referrals.models import Referral
    from reviews.models import Administration, TermlyReview
    from sessions.models import SessionRecord

    return {
        "schools": School.objects.count(),
        "pupils": Pupil.objects.count(),
        "open cases": Case.objects.open().count(),
        "closed cases": Case.objects.filter(status="closed").count(),
        "session records": SessionRecord.objects.count(),
        "referrals": Referral.objects.count(),
        "termly reviews": TermlyReview.objects.count(),
        "questionnaires given": Administration.objects.count(),
    }


class _School:
    """One school of the trust and all its data."""

    def __init__(self, trust, number, today, rng):
        self.trust, self.number, self.today, self.rng = trust, number, today, rng
        self.scale = trust.scale

    def build(self):
        self._school()
        self._calendar()
        self._staff()
        self._pupils()
        self._lanes()
        self._queue()

    # --- The school, its calendar and staff -----------------------------------------------

    def _school(self):
        from mentoring.models import Room, School, SchoolClass
        from referrals.services import school_lists_ensure
        from reviews.questionnaires import questionnaires_ensure_defaults

        n = self.number
        self.school = School.objects.create(
            name=f"{self.trust.name} Trust Academy {n}",
            address=f"{n} Imaginary Lane\nNowhereshire",
            head_name=f"Ms Head {n}",
        )
        self.trust.schools.append(self.school)
        self.rooms = Room.objects.bulk_create(
            Room(school=self.school, name=f"Mentor room {k + 1}") for k in range(self.scale.mentors)
        )
        self.classes = SchoolClass.objects.bulk_create(
            SchoolClass(school=self.school, name=f"{name} {year}", year_group=year)
            for year in YEAR_GROUPS
            for name in CLASS_NAMES
        )
        school_lists_ensure(school=self.school)
        questionnaires_ensure_defaults(school=self.school)

    def _calendar(self):
        from mentoring.calendar import SchoolCalendar
        from mentoring.demo import academic_start_year, school_calendar
        from mentoring.models import AcademicYear, ClosureDay, Term

        current = academic_start_year(self.today)
        terms, closures = [], []
        for start in range(current - 3, current + 1):
            dates, inset_days, holidays = school_calendar(start)
            year = AcademicYear.objects.create(
                school=self.school,
                name=f"{start}/{(start + 1) % 100:02d}",
                starts_on=dt.date(start, 9, 1),
                ends_on=dt.date(start + 1, 8, 31),
            )
            terms += [
                Term(
                    academic_year=year,
                    name=t.name,
                    starts_on=t.starts_on,
                    half_term_starts_on=t.half_term_starts_on,
                    half_term_ends_on=t.half_term_ends_on,
                    ends_on=t.ends_on,
                )
                for t in dates
            ]
            closures += [(day, "bank_holiday", name) for day, name in holidays.items()]
            closures += [(day, "inset", "INSET day") for day in inset_days]
        self.terms = Term.objects.bulk_create(terms)
        ClosureDay.objects.bulk_create(
            ClosureDay(school=self.school, date=day, kind=kind, description=text)
            for day, kind, text in sorted(set(closures))
        )
        self.calendar = SchoolCalendar(tuple(self.terms), frozenset(day for day, _, _ in closures))
        self.current_term = next(
            (t for t in self.terms if t.starts_on <= self.today <= t.ends_on),
            max((t for t in self.terms if t.starts_on <= self.today), key=lambda t: t.starts_on),
        )

    def _staff(self):
        from decimal import Decimal

        from django.contrib.auth.hashers import make_password
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from mentoring.models import ClassStaff, Role, StaffMember, StaffRole, User

        password = make_password(None)  # nobody signs in with a password: sessions are made
        n = self.number
        people = [
            ("head", "Hedda", (Role.HEAD, Role.DSL)),
            ("coordinator", "Cora", (Role.COORDINATOR,)),
            ("sendco", "Sasha", (Role.SENDCO,)),
            ("office", "Olive", (Role.OFFICE,)),
        ]
        people += [(f"mentor{k + 1}", "Mina", (Role.MENTOR,)) for k in range(self.scale.mentors)]
        people += [
            (f"teacher{k + 1}", "Tess", (Role.CLASS_TEACHER,)) for k in range(len(self.classes))
        ]
        users = User.objects.bulk_create(
            User(
                username=f"{self.trust.name.lower()}{n:02d}-{name}",
                first_name=first,
                last_name=f"Staffperson {n}",
                password=password,
            )
            for name, first, _ in people
        )
        members = StaffMember.objects.bulk_create(
            StaffMember(
                user=user,
                school=self.school,
                mentoring_hours=Decimal(10 if Role.MENTOR in roles else 0),
            )
            for user, (_, _, roles) in zip(users, people, strict=True)
        )
        StaffRole.objects.bulk_create(
            StaffRole(staff_member=member, role=role)
            for member, (_, _, roles) in zip(members, people, strict=True)
            for role in roles
        )
        by_name = {name: user for user, (name, _, _) in zip(users, people, strict=True)}
        self.mentors = [by_name[f"mentor{k + 1}"] for k in range(self.scale.mentors)]
        self.teachers = [by_name[f"teacher{k + 1}"] for k in range(len(self.classes))]
        self.coordinator = by_name["coordinator"]
        ClassStaff.objects.bulk_create(
            ClassStaff(school_class=c, user=t, kind=ClassStaff.Kind.TEACHER)
            for c, t in zip(self.classes, self.teachers, strict=True)
        )
        # The second step is checked against a confirmed authenticator in the session.
        TOTPDevice.objects.bulk_create(
            TOTPDevice(user=by_name[name], name="Phone", confirmed=True)
            for name in ("head", "coordinator")
        )
        for role, group in [
            ("head", [by_name["head"]]),
            ("coordinator", [self.coordinator]),
            ("mentor", self.mentors),
            ("teacher", self.teachers),
        ]:
            self.trust.users.setdefault(role, []).extend(group)

    def _pupils(self):
        from stdnum.gb import upn

        from mentoring.models import Contact, Pupil

        rng, pupils = self.rng, []
        for serial in range(self.scale.pupils):
            school_class = self.classes[serial % len(self.classes)]
            year = school_class.year_group
            entry = self.today.year - year - (0 if self.today.month >= 9 else 1)
            body = f"873{9000 + self.number:04d}{entry % 100:02d}{serial:03d}"
            pupils.append(
                Pupil(
                    school=self.school,
                    upn=upn.calc_check_digit(body) + body,
                    legal_first_name=rng.choice(FIRST_NAMES),
                    legal_last_name=f"{rng.choice(SURNAMES)}-{serial}",
                    date_of_birth=dt.date(entry - 5, 9, 1) + dt.timedelta(days=rng.randrange(365)),
                    year_group=year,
                    school_class=school_class,
                    gender=rng.choice("FMX"),
                    sen_status=rng.choice("NNNNNK"),
                    pupil_premium=rng.random() < 0.25,
                    eal=rng.random() < 0.2,
                )
            )
        self.pupils = Pupil.objects.bulk_create(pupils, batch_size=1000)
        Contact.objects.bulk_create(
            (
                Contact(
                    pupil=p,
                    name=f"Pat {p.legal_last_name}",
                    relationship="Parent",
                    phone="07700 900000",
                )
                for p in self.pupils
            ),
            batch_size=1000,
        )

    # --- Lanes: a weekly slot holding one case after another --------------------------------

    def _lane_days(self, weekday):
        """Every term-time slot day on ``weekday`` from three years ago to the year's end,
        closure days included (they count as block weeks but hold no session)."""
        day = self.today - dt.timedelta(days=3 * 365)
        day += dt.timedelta(days=(weekday - day.weekday()) % 7)
        end = max(t.ends_on for t in self.terms)
        days = []
        while day <= end:
            if self.calendar.is_term_time(day):
                days.append(day)
            day += dt.timedelta(weeks=1)
        return days

    def _sessions(self, block, is_open):
        """The block's days with a session record: past, not closed, and for the open case
        not the latest few (still to log)."""
        days = [d for d in block if d not in self.calendar.closures and d <= self.today]
        return days[:-UNLOGGED_WEEKS] if is_open else days

    def _plan(self):
        """Each lane's cases: (mentor, room, weekday, time, [block days], is the open one)."""
        rng, scale, plans = self.rng, self.scale, []
        for lane in range(scale.lanes):
            mentor_index = lane % scale.mentors
            k = lane // scale.mentors  # the mentor's k-th slot of the week
            weekday, time = k % 5, dt.time(9 + (k // 5), 0)
            days = self._lane_days(weekday)
            past = [d for d in days if d <= self.today]
            future = [d for d in days if d > self.today]
            # The open case: a few past weeks, the latest not yet logged, and a few to come.
            weeks = min(rng.randint(UNLOGGED_WEEKS + 2, 14), len(past))
            if lane == 0:  # every school, however small, has a case that closed this term
                weeks = UNLOGGED_WEEKS + 2
            ahead = future[: rng.randint(1, 6)]
            blocks = [(past[-weeks:] + ahead, True)]
            held = len(self._sessions(past[-weeks:], is_open=True))
            end = len(past) - weeks
            while held < scale.records_per_lane and end > 0:
                weeks = min(rng.randint(10, 30), end)
                block = past[end - weeks : end]
                sessions = self._sessions(block, is_open=False)
                over = held + len(sessions) - scale.records_per_lane
                if over > 0:  # the oldest case of the lane: only as much as the total needs
                    block = block[block.index(sessions[over]) :]
                    sessions = sessions[over:]
                blocks.append((block, False))
                held += len(sessions)
                end -= weeks
            for block, is_open in reversed(blocks):
                plans.append(
                    (
                        self.mentors[mentor_index],
                        self.rooms[mentor_index],
                        weekday,
                        time,
                        block,
                        is_open,
                    )
                )
        return plans

    def _lanes(self):
        from mentoring.models import Case

        plans = self._plan()
        pupils = self.pupils[:]
        self.rng.shuffle(pupils)
        # Pupils with an open case first, so that none has two open; earlier cases reuse some.
        open_plans = [p for p in plans if p[5]]
        closed_plans = [p for p in plans if not p[5]]
        plans = open_plans + closed_plans
        rows = []
        for index, (mentor, _, _, _, block, is_open) in enumerate(plans):
            pupil = pupils[index % len(pupils)]
            opened = block[0] - dt.timedelta(days=7)
            closed = None if is_open else block[-1] + dt.timedelta(days=3)
            rows.append(
                Case(
                    school=self.school,
                    pupil=pupil,
                    mentor=mentor,
                    status="open" if is_open else "closed",
                    opened_on=opened,
                    closed_on=closed,
                    closed_reason="" if is_open else "Block ended",
                )
            )
        cases = Case.objects.bulk_create(rows, batch_size=1000)
        self.trust.open_cases += [c.pk for c in cases if c.status == "open"]
        self.case_pupils = {c.pupil_id for c in cases if c.status == "open"}
        self._referrals_and_consent(cases)
        records = self._slots_and_records(cases, plans)
        self._evaluation(cases, records)

    def _referrals_and_consent(self, cases):
        from django.utils import timezone

        from referrals.models import ConsentLetter, ConsentRecord, Criterion, Referral

        criteria = list(Criterion.objects.filter(school=self.school))
        noon = dt.time(12, 0)
        rows = []
        for case in cases:
            decided = timezone.make_aware(dt.datetime.combine(case.opened_on, noon))
            rows.append(
                Referral(
                    school=self.school,
                    pupil=case.pupil,
                    referred_by=self.teachers[self.classes.index(case.pupil.school_class)],
                    status=Referral.Status.ACCEPTED,
                    needs_and_strengths="Finds playtimes hard; loves drawing and building.",
                    already_tried="Buddy at lunch; seat near the teacher.",
                    created_at=decided - dt.timedelta(days=14),
                    submitted_at=decided - dt.timedelta(days=14),
                    priority=Referral.Priority.MEDIUM,
                    decided_by=self.coordinator,
                    decided_at=decided,
                    support_type="mentoring",
                    case=case,
                )
            )
        referrals = Referral.objects.bulk_create(rows, batch_size=1000)
        Through = Referral.criteria.through
        Through.objects.bulk_create(
            (Through(referral=r, criterion=criteria[r.pk % len(criteria)]) for r in referrals),
            batch_size=2000,
        )
        ConsentLetter.objects.bulk_create(
            (
                ConsentLetter(
                    case=case,
                    salutation=f"Dear Pat {case.pupil.legal_last_name}",
                    body="We would like to offer a place.\n\nPlease return the slip.",
                    sent_by=self.coordinator,
                    sent_on=case.opened_on,
                )
                for case in cases
            ),
            batch_size=1000,
        )
        ConsentRecord.objects.bulk_create(
            (
                ConsentRecord(
                    case=case,
                    decision="given",
                    given_by=f"Pat {case.pupil.legal_last_name}",
                    relationship="Parent",
                    method="slip",
                    decided_on=case.opened_on,
                    recorded_by=self.coordinator,
                    recorded_at=timezone.make_aware(dt.datetime.combine(case.opened_on, noon)),
                )
                for case in cases
            ),
            batch_size=1000,
        )

    def _slots_and_records(self, cases, plans):
        from django.utils import timezone

        from sessions.models import Allocation, SessionRecord, Slot

        slots = Slot.objects.bulk_create(
            (
                Slot(
                    school=self.school,
                    mentor=mentor,
                    room=room,
                    weekday=weekday,
                    starts_at=time,
                    block_starts_on=block[0],
                    block_weeks=len(block),
                    block_ends_on=block[-1],
                )
                for mentor, room, weekday, time, block, _ in plans
            ),
            batch_size=1000,
        )
        Allocation.objects.bulk_create(
            (
                Allocation(slot=slot, case=case, starts_on=slot.block_starts_on)
                for slot, case in zip(slots, cases, strict=True)
            ),
            batch_size=1000,
        )
        rows = []
        for slot, case, (mentor, *_, block, is_open) in zip(slots, cases, plans, strict=True):
            sessions = self._sessions(block, is_open)
            name = case.pupil.first_name
            for n, day in enumerate(sessions):
                absent = self.rng.random() < 0.08
                done, steps = NOTES[n % len(NOTES)]
                rows.append(
                    SessionRecord(
                        case=case,
                        slot=slot,
                        date=day,
                        attendance="pupil_absent" if absent else "held",
                        what_was_done="" if absent else done.format(name=name),
                        pupil_feeling=None if absent else self.rng.randint(2, 5),
                        next_steps="" if absent else steps,
                        safeguarding_concern=self.rng.random() < 0.005,
                        author=mentor,
                        created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(15))),
                        **{name: n == 0 for name in SessionRecord.FIRST_MEETING_FIELDS},
                    )
                )
        return SessionRecord.objects.bulk_create(rows, batch_size=2000)

    def _evaluation(self, cases, records):
        """Targets with progress, questionnaires, reviews, observations, closures."""
        from reviews.models import (
            Administration,
            Answer,
            CaseClosure,
            MeetingRecord,
            Observation,
            Questionnaire,
            Target,
            TargetProgress,
            TermlyReview,
        )

        targets = Target.objects.bulk_create(
            (
                Target(
                    case=case,
                    what=what.format(name=case.pupil.first_name),
                    measure="Midday supervisor's weekly note",
                    success="Three days of five",
                    by_when=case.opened_on + dt.timedelta(weeks=12),
                    outcome_area=area,
                    status="open" if case.status == "open" else "achieved",
                    set_by=case.mentor,
                )
                for case in cases
                for what, area in [
                    ("{name} joins a game at lunchtime", "friendships"),
                    ("{name} calms down within five minutes when cross", "behaviour"),
                ]
            ),
            batch_size=1000,
        )
        by_case = {}
        for target in targets:
            by_case.setdefault(target.case_id, []).append(target)
        TargetProgress.objects.bulk_create(
            (
                TargetProgress(
                    record=record,
                    target=by_case[record.case_id][n % 2],
                    rating=(n % 4) + 1,
                )
                for n, record in enumerate(records)
                if record.attendance == "held"
            ),
            batch_size=2000,
        )
        staff_rating = Questionnaire.objects.prefetch_related("items").get(
            school=self.school, kind=Questionnaire.Kind.STAFF_RATING
        )
        items = list(staff_rating.items.all())
        given = [(case, "entry", case.opened_on) for case in cases]
        given += [(case, "exit", case.closed_on) for case in cases if case.closed_on]
        administrations = Administration.objects.bulk_create(
            (
                Administration(
                    case=case,
                    questionnaire=staff_rating,
                    stage=stage,
                    completed_on=day,
                    completed_by="Class teacher",
                    recorded_by=case.mentor,
                )
                for case, stage, day in given
            ),
            batch_size=1000,
        )
        Answer.objects.bulk_create(
            (
                Answer(administration=a, item=item, value=2 if a.stage == "entry" else 4)
                for a in administrations
                for item in items
            ),
            batch_size=2000,
        )
        reviews = []
        for case in cases:
            if case.closed_on:
                term = self._term_of(case.closed_on)
                if term is not None:
                    reviews.append(self._review(case, term, decided_on=case.closed_on))
            elif self.rng.random() < 0.5:  # half the open cases' reviews are started
                reviews.append(self._review(case, self.current_term, decided_on=None))
        TermlyReview.objects.bulk_create(reviews, batch_size=1000)
        CaseClosure.objects.bulk_create(
            (
                CaseClosure(
                    case=case,
                    reason="block_ended",
                    closed_on=case.closed_on,
                    background="Referred for friendship worries.",
                    what_was_done="Weekly sessions; playground buddies.",
                    outcomes="Staff rating up from 2.0 to 4.0.",
                    closed_by=self.coordinator,
                )
                for case in cases
                if case.closed_on
            ),
            batch_size=1000,
        )
        open_cases = [case for case in cases if case.status == "open"]
        Observation.objects.bulk_create(
            Observation(
                case=case,
                observed_on=case.opened_on,
                setting="playground",
                observer=case.mentor,
                notes=f"{case.pupil.first_name} stood by the wall at first, then joined in.",
            )
            for case in open_cases
        )
        MeetingRecord.objects.bulk_create(
            MeetingRecord(
                case=case,
                met_on=case.opened_on,
                kind="parents",
                attendees=f"Pat {case.pupil.legal_last_name}, the mentor",
                notes="Talked about sleep and mornings.",
                recorded_by=case.mentor,
            )
            for case in open_cases
        )

    def _term_of(self, day):
        return next((t for t in self.terms if t.starts_on <= day <= t.ends_on), None)

    def _review(self, case, term, decided_on):
        from reviews.models import TermlyReview

        prepared = min(self.today, max(term.starts_on, term.ends_on - dt.timedelta(days=14)))
        return TermlyReview(
            case=case,
            term=term,
            progress_summary="Good progress on both targets.",
            prepared_by=case.mentor,
            prepared_on=decided_on or prepared,
            decision="close" if decided_on else "",
            decided_by=self.coordinator if decided_on else None,
            decided_on=decided_on,
        )

    # --- The queue ----------------------------------------------------------------------------

    def _queue(self):
        from django.utils import timezone

        from referrals.models import DiscussionNote, Referral

        statuses = ["new", "new", "discussion", "prioritised", "waitlisted", "declined"]
        waiting = [p for p in self.pupils if p.pk not in self.case_pupils]
        now = timezone.now()
        rows = []
        for n in range(self.scale.queue):
            pupil = waiting[n % len(waiting)]
            status = statuses[n % len(statuses)]
            submitted = now - dt.timedelta(days=self.rng.randint(1, 60), hours=n)
            decided = status == "declined"
            rows.append(
                Referral(
                    school=self.school,
                    pupil=pupil,
                    referred_by=self.teachers[self.classes.index(pupil.school_class)],
                    status=status,
                    needs_and_strengths="Quiet in class; good at maths.",
                    already_tried="Talked with parents; a job in class.",
                    created_at=submitted,
                    submitted_at=submitted,
                    priority=Referral.Priority.HIGH if status == "prioritised" else None,
                    decided_by=self.coordinator if decided else None,
                    decided_at=submitted + dt.timedelta(days=7) if decided else None,
                    decline_reason="Another intervention suits better." if decided else "",
                )
            )
        referrals = Referral.objects.bulk_create(rows)
        DiscussionNote.objects.bulk_create(
            DiscussionNote(
                referral=r,
                with_whom="Class teacher",
                note="Agreed to watch playtimes for two weeks.",
                author=self.coordinator,
            )
            for r in referrals
            if r.status != "new"
        )
