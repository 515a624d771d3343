"""A pupil with something in every part of their file, through the apps' own services, for
the data lifecycle's tests (retention and subject access).

Every piece of text written about the child carries the word ``MARK`` (or the child's or
parent's name), so a test can search the whole database for what should have gone.
"""

import datetime as dt

from mentoring.audit import save_as
from mentoring.models import ClosureDay
from referrals import services as referrals
from referrals.models import Referral
from reviews import closure, meetings, questionnaires, targets
from reviews.models import Questionnaire, TermlyReview
from sessions import services as sessions
from sessions.models import SessionRecord

from ..factories import ClosureDayFactory, ContactFactory, RoomFactory, TermFactory, make_referral

TODAY = dt.date(2026, 11, 23)
MARK = "Quillfeather"
PUPIL_FIRST, PUPIL_LAST = "Zephyrine", MARK
PARENT = f"Orla {MARK}"


def autumn_term(school):
    term = TermFactory(academic_year__school=school)
    ClosureDayFactory(school=school, date=dt.date(2026, 11, 2), kind=ClosureDay.Kind.INSET)
    return term


def log(allocation, mentor, day, **fields):
    record = SessionRecord(case=allocation.case, slot=allocation.slot, date=day, **fields)
    return sessions.session_record_save(record=record, user=mentor, today=TODAY)


def full_file(pupil, *, term, coordinator, mentor, class_teacher, close=True):
    """Referral to closure for ``pupil``, with text about the child everywhere; returns the
    case. Four weekly sessions from 8 September, the third flagged for safeguarding."""
    school = pupil.school
    contact = ContactFactory(
        pupil=pupil,
        name=PARENT,
        relationship="Mother",
        phone="07700 900123",
        email="orla@example.org",
        address=f"1 {MARK} Lane, Nowhereton",
    )
    referral = make_referral(
        pupil,
        class_teacher,
        already_tried=f"{PUPIL_FIRST} tried a playground buddy ({MARK}).",
        pupil_willing=Referral.Willing.YES,
    )
    referral.needs_and_strengths = f"{PUPIL_FIRST} finds playtimes hard; loves drawing. {MARK}"
    save_as(referral, class_teacher, f"Edited after talking to {PARENT}")
    referrals.discussion_add(
        referral=referral,
        user=coordinator,
        discussed_on=dt.date(2026, 8, 24),
        with_whom=f"Class teacher and {PARENT}",
        note=f"Lunchtimes are the hardest part of {PUPIL_FIRST}'s day.",
    )
    referrals.referral_prioritise(
        referral=referral,
        user=coordinator,
        priority=Referral.Priority.HIGH,
        panel=[coordinator],
        prioritised_on=dt.date(2026, 8, 25),
    )
    referral = referrals.referral_decide(
        referral=referral, user=coordinator, decision="accepted", support_type="mentoring"
    )
    case = referral.case
    # Opened the day of the decision; the model's default is the real today, not TODAY.
    case.opened_on = dt.date(2026, 8, 25)
    save_as(case, coordinator)
    referrals.consent_letter_send(
        case=case, user=coordinator, addressed_to=contact, sent_on=dt.date(2026, 8, 26)
    )
    referrals.consent_record(
        case=case,
        user=coordinator,
        decision="given",
        given_by=PARENT,
        relationship="Mother",
        method="slip",
        decided_on=dt.date(2026, 9, 1),
        note=f"{PARENT} would like a phone call after the first session.",
    )
    allocation = sessions.allocate(
        case=case,
        user=coordinator,
        mentor=mentor,
        room=RoomFactory(school=school, name="Learning Mentor Room"),
        weekday=1,
        starts_at=dt.time(10, 30),
        duration=30,
        block_starts_on=dt.date(2026, 9, 7),
        block_weeks=6,
    )
    case.refresh_from_db()

    questionnaires.questionnaires_ensure_defaults(school=school)
    staff_rating = Questionnaire.objects.get(school=school, kind=Questionnaire.Kind.STAFF_RATING)
    for stage, value, day in (("entry", 1, dt.date(2026, 9, 4)), ("exit", 3, TODAY)):
        questionnaires.administration_record(
            case=case,
            questionnaire=staff_rating,
            user=mentor,
            stage=stage,
            completed_on=day,
            completed_by=f"Tess Staffperson about {PUPIL_FIRST}",
            answers={item.pk: value for item in staff_rating.items.all()},
        )
    questionnaires.instrument_score_record(
        case=case,
        user=mentor,
        instrument="SDQ total difficulties",
        score=17,
        scored_on=dt.date(2026, 9, 4),
        note=f"Scored with {PARENT}",
    )
    targets.observation_add(
        case=case,
        user=mentor,
        observed_on=dt.date(2026, 9, 3),
        setting="playground",
        notes=f"{PUPIL_FIRST} stood by the fence for most of lunch.",
    )
    target = targets.target_add(
        case=case,
        user=mentor,
        what=f"{PUPIL_FIRST} joins a game at lunchtime",
        measure="Midday supervisor's weekly note",
        success=f"{PUPIL_FIRST} plays with others on three days of five",
        by_when=dt.date(2026, 12, 11),
        outcome_area="friendships",
    )
    for week in range(4):
        record = log(
            allocation,
            mentor,
            dt.date(2026, 9, 8) + dt.timedelta(weeks=week),
            what_was_done=f"Week {week + 1}: {PUPIL_FIRST} drew the playground. {MARK}",
            pupil_feeling=3,
            next_steps=f"Share the map with {PUPIL_FIRST}'s teacher.",
            safeguarding_concern=week == 2,
        )
        targets.progress_save(
            record=record, user=mentor, entries={target: (2, f"{PUPIL_FIRST} joined in")}
        )
    meetings.meeting_record(
        case=case,
        user=mentor,
        met_on=dt.date(2026, 10, 1),
        kind="parents",
        attendees=f"{PARENT}, Mina Staffperson",
        notes=f"{PUPIL_FIRST} is sleeping badly since the move.",
        actions=[
            {
                "action": f"Send {PUPIL_FIRST}'s reading record home each night",
                "owner": class_teacher,
                "due_on": dt.date(2026, 10, 8),
            }
        ],
    )
    TermlyReview.objects.create(
        case=case,
        term=term,
        progress_summary=f"Good progress for {PUPIL_FIRST} on the lunchtime target.",
        teacher_view=f"{PUPIL_FIRST} is calmer after lunch.",
        prepared_by=mentor,
        prepared_on=dt.date(2026, 11, 20),
    )
    if close:
        closure.case_close(
            case=case,
            user=coordinator,
            reason="targets_met",
            closed_on=TODAY,
            background=f"{PUPIL_FIRST} was referred for friendship worries.",
            what_was_done="Weekly sessions and playground buddies.",
            outcomes=f"{PUPIL_FIRST}'s staff rating rose from 1.0 to 3.0.",
            lessons="Involving the lunchtime staff early helped.",
            today=TODAY,
        )
    case.refresh_from_db()
    return case
