"""A school with cases full of data, for the benchmarks: every section of a case file filled.

``build_school()`` makes a school with its autumn term, staff of every role the case file
names, the referral lists and questionnaires; ``build_case(..., records=N)`` a closed case
with N weekly session records and something in every other section. Call ``setup_django()``
first, with VAR_DIR (and DATABASE_URL, if any) set for a throwaway database.
"""

import datetime as dt
import os

NOTES = [
    (
        "Played a feelings board game. {name} named feeling worried before spelling tests "
        "and cross when left out at lunch; we made a plan for asking to join a game, and "
        "practised the words twice with puppets until they felt easy to say.",
        "Try the joining-in words at lunch on Wednesday; check in with the midday supervisor.",
    ),
    (
        "Drew a map of the playground and marked the safe places and the tricky ones. {name} "
        "said the climbing frame is where arguments start, and chose the reading bench as a "
        "calm-down spot. Talked through two arguments from last week and what helped.",
        "Share the map with the class teacher; agree the reading bench as a calm-down spot.",
    ),
    (
        "Worked on the target card together: two green days this week, one amber. {name} was "
        "proud of finishing a piece of writing without help and read it aloud to me. We "
        "talked about what made those days go well and wrote the reasons on the card.",
        "Keep the target card going; praise finished writing in class.",
    ),
    (
        "Talked about the weekend at dad's and the move to the new house. {name} was quiet at "
        "first, then drew the new bedroom and talked about missing the old street and the "
        "friends there. We made a list of things that will stay the same.",
        "Tell the class teacher about the house move; keep the next session calm and familiar.",
    ),
]
FIRST_MEETING = [
    "explained_role",
    "explained_reasons",
    "explained_boundaries",
    "explained_targets",
    "explained_exit",
    "explained_confidentiality",
    "explained_observations",
    "explained_feedback",
]


def setup_django():
    os.environ["DJANGO_SETTINGS_MODULE"] = "mentoring.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_school():
    """A school with its calendar, staff of every role the file names, and questionnaires."""
    from mentoring.models import AcademicYear, Role, Room, School, StaffMember, StaffRole, User
    from referrals.services import school_lists_ensure
    from reviews.questionnaires import questionnaires_ensure_defaults

    school = School.objects.create(
        name="Benchmark Primary School", address="1 Imaginary Lane", head_name="Ms Head"
    )
    year = AcademicYear.objects.create(
        school=school, name="2026/27", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 7, 23)
    )
    year.terms.create(
        name="autumn",
        starts_on=dt.date(2026, 9, 2),
        half_term_starts_on=dt.date(2026, 10, 26),
        half_term_ends_on=dt.date(2026, 10, 30),
        ends_on=dt.date(2026, 12, 18),
    )
    people = {}
    for username, first, role in [
        ("coordinator", "Cora", Role.COORDINATOR),
        ("mentor", "Mina", Role.MENTOR),
        ("teacher", "Tess", Role.CLASS_TEACHER),
        ("dsl", "Desmond", Role.DSL),
    ]:
        user = User.objects.create(username=username, first_name=first, last_name="Staffperson")
        member = StaffMember.objects.create(user=user, school=school)
        StaffRole.objects.create(staff_member=member, role=role)
        people[username] = user
    school_lists_ensure(school=school)
    questionnaires_ensure_defaults(school=school)
    room = Room.objects.create(school=school, name="Learning Mentor Room")
    return school, people, room


def build_case(school, people, room, records, serial):
    """A case with data in every section and ``records`` weekly session records."""
    from django.utils import timezone
    from stdnum.gb import upn

    from mentoring.models import Case, Contact, Pupil
    from referrals.models import ConsentLetter, ConsentRecord, Criterion, DiscussionNote, Referral
    from reviews.models import (
        Administration,
        Answer,
        CaseClosure,
        InstrumentScore,
        MeetingAction,
        MeetingRecord,
        Observation,
        Questionnaire,
        Target,
        TargetProgress,
        TermlyReview,
    )
    from sessions.models import Allocation, SessionRecord, Slot

    coordinator, mentor, teacher = people["coordinator"], people["mentor"], people["teacher"]
    body = f"873{9000 + serial:04d}26{serial:03d}"
    pupil = Pupil.objects.create(
        school=school,
        upn=upn.calc_check_digit(body) + body,
        legal_first_name=f"Robin{serial}",
        legal_last_name="Testchild",
        date_of_birth=dt.date(2018, 3, 14),
        year_group=3,
    )
    name = pupil.first_name
    Contact.objects.create(pupil=pupil, name="Pat Testchild", relationship="Mother")
    opened = dt.date(2026, 9, 1)
    case = Case.objects.create(school=school, pupil=pupil, mentor=mentor, opened_on=opened)
    referral = Referral.objects.create(
        school=school,
        pupil=pupil,
        referred_by=teacher,
        status=Referral.Status.ACCEPTED,
        needs_and_strengths="Finds playtimes hard; loves drawing and building things.",
        already_tried="Buddy at lunch; seat near the teacher; a calm box in class.",
        submitted_at=timezone.now(),
        priority=Referral.Priority.HIGH,
        decided_by=coordinator,
        decided_at=timezone.now(),
        support_type="mentoring",
        case=case,
    )
    referral.criteria.set(Criterion.objects.filter(school=school)[:3])
    DiscussionNote.objects.create(
        referral=referral, with_whom="Class teacher", note="Agreed playtimes.", author=coordinator
    )
    ConsentLetter.objects.create(
        case=case,
        salutation="Dear Pat Testchild",
        body="We would like to offer a place.\n\nPlease return the slip.",
        sent_by=coordinator,
        sent_on=opened,
    )
    ConsentRecord.objects.create(
        case=case,
        decision="given",
        given_by="Pat Testchild",
        relationship="Mother",
        method="slip",
        decided_on=opened,
        recorded_by=coordinator,
    )
    slot = Slot.objects.create(
        school=school,
        mentor=mentor,
        room=room,
        weekday=1,
        starts_at=dt.time(10, 30),
        block_starts_on=dt.date(2026, 9, 7),
        block_weeks=12,
        block_ends_on=dt.date(2026, 12, 8),
    )
    Allocation.objects.create(slot=slot, case=case, starts_on=dt.date(2026, 9, 7))
    targets = [
        Target.objects.create(
            case=case,
            what=what,
            measure="Midday supervisor's weekly note",
            success="Three days of five",
            by_when=dt.date(2026, 12, 11),
            outcome_area=area,
            set_by=mentor,
        )
        for what, area in [
            (f"{name} joins a game at lunchtime", "friendships"),
            (f"{name} calms down within five minutes when cross", "behaviour"),
        ]
    ]
    first = dt.date(2026, 9, 8) - dt.timedelta(weeks=records)  # weekly, ending in September
    rows = []
    for n in range(records):
        done, steps = NOTES[n % len(NOTES)]
        rows.append(
            SessionRecord(
                case=case,
                slot=slot,
                date=first + dt.timedelta(weeks=n),
                attendance="held" if n % 9 else "pupil_absent",
                what_was_done=done.format(name=name) if n % 9 else "",
                pupil_feeling=(n % 5) + 1 if n % 9 else None,
                next_steps=steps if n % 9 else "",
                safeguarding_concern=(n == records // 2),
                author=mentor,
                **{field: n == 1 for field in FIRST_MEETING},
            )
        )
    SessionRecord.objects.bulk_create(rows)
    saved = list(SessionRecord.objects.filter(case=case, attendance="held").order_by("date"))
    TargetProgress.objects.bulk_create(
        TargetProgress(
            record=record,
            target=targets[i % 2],
            rating=(i % 4) + 1,
            note="Joined football on two days." if i % 2 else "",
        )
        for i, record in enumerate(saved)
        if i % 2 == 0 or i % 3 == 0
    )
    for stage, day in [("entry", opened), ("exit", dt.date(2026, 11, 20))]:
        for questionnaire in Questionnaire.objects.filter(school=school):
            top = len(questionnaire.scale_labels)
            value = 2 if stage == "entry" else top
            administration = Administration.objects.create(
                case=case,
                questionnaire=questionnaire,
                stage=stage,
                completed_on=day,
                completed_by="Class teacher",
                recorded_by=mentor,
            )
            Answer.objects.bulk_create(
                Answer(administration=administration, item=item, value=value)
                for item in questionnaire.items.all()
            )
    InstrumentScore.objects.create(
        case=case, instrument="SDQ total difficulties", score=18, recorded_by=mentor
    )
    Observation.objects.create(
        case=case, setting="playground", observer=mentor, notes=f"{name} stood by the wall."
    )
    meeting = MeetingRecord.objects.create(
        case=case,
        kind="parents",
        attendees="Pat Testchild, Mina Staffperson",
        notes="Talked about sleep and mornings.",
        recorded_by=mentor,
    )
    MeetingAction.objects.create(
        meeting=meeting, action="Send the reading record home", owner=teacher, due_on=opened
    )
    TermlyReview.objects.create(
        case=case,
        term=school.academic_years.get().terms.get(),
        progress_summary="Good progress on both targets.",
        prepared_by=mentor,
        prepared_on=dt.date(2026, 11, 20),
    )
    CaseClosure.objects.create(
        case=case,
        reason="targets_met",
        closed_on=dt.date(2026, 11, 20),
        background="Referred for friendship worries.",
        what_was_done="Weekly sessions; playground buddies.",
        outcomes="Staff rating up from 2.0 to 4.0.",
        lessons="Involving the lunchtime staff early helped.",
        closed_by=coordinator,
    )
    case.status, case.closed_on, case.closed_reason = "closed", dt.date(2026, 11, 20), "Targets met"
    case.save()
    return case
