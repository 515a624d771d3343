"""Demo data: the programme's previous school year, so that the dashboard shows trends.

Thirteen pupils referred by their class teachers over last year's three terms and accepted
by the coordinator; each had a consent letter and the parents' consent, a fixed weekly slot
for a block of eight to twelve school weeks with last year's mentor (who has since left),
sessions (mostly held, now and then the pupil off sick), the staff rating questionnaire at
entry and, higher, at exit, and a closed case with its reason (targets met, block ended,
referred on, left the school, consent withdrawn).

The school's calendar for that year is worked out (``demo.school_calendar``) to place the
sessions on school days, but no academic year or terms are stored for it, the closures are
the case's closing date and reason without a case study (``CaseClosure``), and no referral
of last year was declined: the demo keeps one school year set up, one case study and one
declined referral, as its tests expect. So the dashboard shows last year through a run of
dates, with its sessions recorded rather than "expected" (no term to expect them in), and
the annual report offers the year.

Idempotent like the rest of ``seed_demo``: the pupils are chosen from the same candidates on
every run, each episode with its own random generator, and a pupil who already has a
referral from last year is left alone. Rows are saved one by one (``save_as``) so that each
has its history.
"""

import datetime as dt
import random

from django.utils import timezone

from referrals.models import ConsentLetter, ConsentRecord, Criterion, Referral
from reviews.models import CaseClosure, Questionnaire
from reviews.questionnaires import administration_record
from sessions.models import Allocation, SessionRecord, Slot
from sessions.schedule import block_session_dates, calendar_for_block

from .audit import save_as
from .demo_reviews import _answers, _teacher_name, _teacher_of
from .models import Case, Room, SupportType, User, YearGroup

SEED = 2026 + 5
R = CaseClosure.Reason
# (year group now, weeks after 1 September it was referred, support, block weeks, how it
#  closed). Year groups are those of the roll today: last year each pupil was a year younger.
EPISODES = (
    (YearGroup.YEAR_3, 2, SupportType.MENTORING, 10, R.TARGETS_MET),
    (YearGroup.YEAR_5, 2, SupportType.DRAWING_AND_TALKING, 12, R.BLOCK_ENDED),
    (YearGroup.YEAR_6, 3, SupportType.MENTORING, 10, R.TARGETS_MET),
    (YearGroup.YEAR_4, 5, SupportType.MENTORING, 10, R.REFERRED_ON),
    (YearGroup.YEAR_1, 7, SupportType.DRAWING_AND_TALKING, 12, R.TARGETS_MET),
    (YearGroup.YEAR_6, 16, SupportType.MENTORING, 10, R.TARGETS_MET),
    (YearGroup.YEAR_4, 17, SupportType.MENTORING, 8, R.BLOCK_ENDED),
    (YearGroup.YEAR_3, 19, SupportType.DRAWING_AND_TALKING, 12, R.TARGETS_MET),
    (YearGroup.YEAR_2, 21, SupportType.MENTORING, 8, R.LEFT_SCHOOL),
    (YearGroup.YEAR_5, 22, SupportType.MENTORING, 10, R.TARGETS_MET),
    (YearGroup.YEAR_6, 32, SupportType.MENTORING, 8, R.TARGETS_MET),
    (YearGroup.YEAR_4, 33, SupportType.MENTORING, 8, R.CONSENT_WITHDRAWN),
    (YearGroup.YEAR_3, 34, SupportType.MENTORING, 8, R.TARGETS_MET),
)
# Last year's learning mentor, who has since left the school: the demo's mentors keep
# their own hours and caseloads as they are.
FORMER_MENTOR = {
    "username": "w.applethwaite",
    "title": "Mrs",
    "first_name": "Wren",
    "last_name": "Applethwaite",
}
ROOMS = ("Learning Mentor Room", "Nurture Room", "Sand Play Room")
HELD_NOTES = (
    ("Played a turn-taking board game and talked about the week.", "Practise asking to join in."),
    ("Made a list of good moments in class; added two.", "Bring one more good moment."),
    ("Drew and talked about a busy playtime; planned a calm place.", "Try the calm place."),
    ("Looked at the target card together; one target nearly met.", "Keep going with the card."),
)
FIRST_NOTE = (
    "First meeting: explained who I am and why we meet, the reasons for the referral, "
    "the boundaries, the target card, when the sessions end, what stays private, class "
    "visits and feedback to home. "
)


def seed_history(school, users, pupils, today):
    """Last school year's episodes, unless already there. ``pupils``: {year group: [pupils]}."""
    from .demo import academic_start_year, school_calendar

    this_year = academic_start_year(today)
    year_start = dt.date(this_year, 9, 1)
    terms, inset_days, holidays = school_calendar(this_year - 1)
    closed = set(inset_days) | set(holidays)

    def school_day(day):
        return (
            day.weekday() < 5
            and day not in closed
            and any(
                t.starts_on <= day <= t.ends_on
                and not t.half_term_starts_on <= day <= t.half_term_ends_on
                for t in terms
            )
        )

    staff_rating = (
        Questionnaire.objects.filter(
            school=school, kind=Questionnaire.Kind.STAFF_RATING, current=True
        )
        .order_by("name")
        .first()
    )
    criteria = list(Criterion.objects.filter(school=school, active=True).order_by("position"))
    rooms = [r for name in ROOMS for r in Room.objects.filter(school=school, name=name)]
    mentor = _former_mentor()
    # Pupils with a referral or case this year are the current demo's; the rest may have
    # been mentored last year. The same candidates on every run.
    busy = set(
        Referral.objects.filter(school=school, created_at__date__gte=year_start).values_list(
            "pupil_id", flat=True
        )
    ) | set(
        Case.objects.filter(school=school, opened_on__gte=year_start).values_list(
            "pupil_id", flat=True
        )
    )
    taken = set()
    for n, (year_group, weeks, support, block, reason) in enumerate(EPISODES):
        candidates = sorted(
            (p for p in pupils.get(year_group, []) if p.pk not in busy and p.pk not in taken),
            key=lambda p: p.upn,
        )
        if not candidates or not rooms:
            continue
        # Each episode its own generator: one already made, and skipped, shifts no other.
        rng = random.Random(f"{SEED}:{n}")  # noqa: S311  (made-up data, not security)
        pupil = rng.choice(candidates)
        taken.add(pupil.pk)
        if Referral.objects.filter(pupil=pupil, submitted_at__date__lt=year_start).exists():
            continue
        episode = _Episode(school, users, pupil, rng, school_day)
        episode.year_ends_on = terms[-1].ends_on
        start = dt.date(this_year - 1, 9, 1) + dt.timedelta(weeks=weeks)
        referral = episode.refer(start, support, criteria[n % len(criteria)])
        episode.mentored(referral, mentor, rooms[n % len(rooms)], block, reason, staff_rating, n)


def _former_mentor():
    """Last year's mentor, who has left: no role at the school now, and no sign-in."""
    user, created = User.objects.get_or_create(
        username=FORMER_MENTOR["username"],
        defaults={**FORMER_MENTOR, "is_active": False, "email": ""},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _at(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class _Episode:
    def __init__(self, school, users, pupil, rng, school_day):
        self.school, self.users, self.pupil, self.rng = school, users, pupil, rng
        self.school_day = school_day
        self.coordinator = users["coordinator"]
        self.teacher = _last_years_teacher(pupil)

    def on_or_after(self, day):
        while not self.school_day(day):
            day += dt.timedelta(days=1)
        return day

    def refer(self, start, support, criterion):
        """Referred by the class teacher; triaged and accepted by the coordinator."""
        referrer = self.teacher or self.users["sendco"]
        submitted = self.on_or_after(start)
        decided = self.on_or_after(submitted + dt.timedelta(days=self.rng.randrange(3, 22)))
        referral = Referral(
            school=self.school,
            pupil=self.pupil,
            referred_by=referrer,
            status=Referral.Status.ACCEPTED,
            needs_and_strengths="Finds change hard; enjoys building things and helping.",
            created_at=_at(submitted, 8),
            submitted_at=_at(submitted, 9),
            priority=Referral.Priority.MEDIUM,
            prioritised_on=decided,
            prioritised_by=self.coordinator,
            decided_at=_at(decided, 15),
            decided_by=self.coordinator,
            support_type=support,
        )
        save_as(referral, referrer, "Submitted")
        referral.criteria.set([criterion])
        self.decided = decided
        return referral

    def mentored(self, referral, mentor, room, block, reason, staff_rating, number):
        coordinator = self.coordinator
        case = Case(
            school=self.school,
            pupil=self.pupil,
            status=Case.Status.OPEN,
            support_type=referral.support_type,
            mentor=mentor,
            opened_on=self.decided,
        )
        save_as(case, coordinator, "Referral accepted")
        referral.case = case
        save_as(referral, coordinator, "Case opened")
        contact = self.pupil.contacts.order_by("priority").first()
        sent_on = self.on_or_after(self.decided + dt.timedelta(days=1))
        save_as(
            ConsentLetter(
                case=case,
                addressed_to=contact,
                salutation=f"Dear {contact.name}" if contact else "Dear Parent or Carer",
                body="We would like to offer your child weekly sessions with a learning mentor.",
                sent_on=sent_on,
                sent_by=coordinator,
            ),
            coordinator,
        )
        consent_on = self.on_or_after(sent_on + dt.timedelta(days=self.rng.randrange(2, 6)))
        save_as(
            ConsentRecord(
                case=case,
                decision=ConsentRecord.Decision.GIVEN,
                given_by=contact.name if contact else "Parent or carer",
                relationship=contact.relationship if contact else "Parent",
                method=ConsentRecord.Method.SLIP,
                decided_on=consent_on,
                recorded_by=coordinator,
                recorded_at=_at(consent_on, 16),
            ),
            coordinator,
        )
        dates, last_week = self._dates(consent_on, number % 5, block, reason)
        slot = Slot(
            school=self.school,
            mentor=mentor,
            room=room,
            weekday=number % 5,
            starts_at=dt.time(9 + number % 6, 0),
            duration=30,
            block_starts_on=dates[0],
            block_weeks=block,
            block_ends_on=last_week,
        )
        save_as(slot, coordinator, "Slot set")
        allocation = Allocation(slot=slot, case=case, starts_on=dates[0])
        save_as(allocation, coordinator, "Allocated")
        self._sessions(case, slot, mentor, dates)
        closed_on = self.on_or_after(dates[-1] + dt.timedelta(days=3))
        if staff_rating is not None:
            focus = {staff_rating.items.order_by("pk").first().outcome_area}
            for stage, on, lift in (("entry", dates[0], False), ("exit", dates[-1], True)):
                administration_record(
                    case=case,
                    questionnaire=staff_rating,
                    user=mentor,
                    stage=stage,
                    completed_on=on,
                    completed_by=_teacher_name(self.teacher),
                    answers=_answers(staff_rating, f"history:{self.pupil.upn}", focus, lift=lift),
                )
        allocation.ended_on = closed_on
        save_as(allocation, coordinator, "Case closed")
        slot.ended_on = closed_on
        save_as(slot, coordinator, "Stopped: its only pupil's case closed")
        # The closing date and reason only: the demo's one case study is this year's.
        case.status = Case.Status.CLOSED
        case.closed_on = closed_on
        case.closed_reason = R(reason).label
        save_as(case, coordinator, "Case closed")

    def _dates(self, consent_on, weekday, block, reason):
        """(session dates, the block's last week) counted as the app counts a block, from the
        stored calendar: a closure day's week counts but holds no session. Cut short when the
        case closed early."""
        starts_on = consent_on + dt.timedelta(days=1)
        calendar = calendar_for_block(self.school, starts_on)
        dates, last = block_session_dates(weekday, starts_on, block, calendar)
        kept = [d for d in dates if d < self.year_ends_on]
        if reason in (R.LEFT_SCHOOL, R.CONSENT_WITHDRAWN, R.REFERRED_ON):
            kept = kept[: max(3, block // 2)]
        return kept, (last if kept == dates else kept[-1])

    def _sessions(self, case, slot, mentor, dates):
        """Mostly held, now and then the pupil away; the first held one is the first meeting."""
        first = True
        for n, date in enumerate(dates):
            record = SessionRecord(
                case=case, slot=slot, date=date, author=mentor, created_at=_at(date, 15)
            )
            if n > 0 and self.rng.random() < 0.12:
                record.attendance = SessionRecord.Attendance.PUPIL_ABSENT
                record.cancel_reason = "Off sick"
            else:
                done, next_steps = HELD_NOTES[n % len(HELD_NOTES)]
                record.what_was_done = (FIRST_NOTE if first else "") + done
                record.next_steps = next_steps
                record.pupil_feeling = self.rng.choice(SessionRecord.Feeling.values)
                for name in SessionRecord.FIRST_MEETING_FIELDS:
                    setattr(record, name, first)
                first = False
            save_as(record, mentor)


def _last_years_teacher(pupil):
    """The class teacher the pupil had last year: the demo has one class a year group, and
    its teachers stay with their year group."""
    return _teacher_of(
        school_class__school_id=pupil.school_id, school_class__year_group=pupil.year_group - 1
    )
