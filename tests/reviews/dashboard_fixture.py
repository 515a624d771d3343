"""A small school counted by hand, shared by the dashboard, fair-access and export tests.

Twelve pupils on the roll: Ann, Bea, Cat, Dot, Eve, Fay, Gil (girls) and Hal, Ian, Jon, Kit,
Leo (boys); Ann, Bea and Cat have pupil premium. In the autumn term of 2026 (2 September to
18 December; today is 26 November) Ann to Eve were referred by the class teacher and
accepted, Fay (waitlisted) and Hal (new) by the SENDCO. Mentor Mina has Ann, Bea and Cat
(Ann's case closed on 20 November, targets met) and a 30-minute weekly slot; mentor Milo
(3 hours, no slot) has Dot and Eve. Bea's case has been in the slot since the summer term,
whose review was never decided.

Days from referral to decision: Ann 5, Bea 7, Cat 10, Dot 20, Eve 3. First session held:
Ann 8 days after the decision, Bea 14; Cat, Dot and Eve have had none (68, 57 and 53 days
so far). Fay has waited 30 days, Hal 10.
"""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from mentoring.models import Case, Gender, Role
from referrals.models import Criterion, Referral
from reviews.models import CaseClosure
from sessions.models import Allocation, SessionRecord, Slot

from ..factories import (
    AcademicYearFactory,
    CaseFactory,
    PupilFactory,
    RoomFactory,
    TermFactory,
    make_referral,
    referral_lists,
    staff,
)

TODAY = dt.date(2026, 11, 26)
NAMES = ["Ann", "Bea", "Cat", "Dot", "Eve", "Fay", "Gil", "Hal", "Ian", "Jon", "Kit", "Leo"]
DECISIONS = {  # submitted, decided, first session held (or None)
    "Ann": (dt.date(2026, 9, 7), dt.date(2026, 9, 12), dt.date(2026, 9, 20)),
    "Bea": (dt.date(2026, 9, 8), dt.date(2026, 9, 15), dt.date(2026, 9, 29)),
    "Cat": (dt.date(2026, 9, 9), dt.date(2026, 9, 19), None),
    "Dot": (dt.date(2026, 9, 10), dt.date(2026, 9, 30), None),
    "Eve": (dt.date(2026, 10, 1), dt.date(2026, 10, 4), None),
}


def at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def build(school, extra_cases=0):
    referral_lists(school)
    summer_year = AcademicYearFactory(
        school=school, name="2025/26", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 8, 31)
    )
    summer = TermFactory(
        academic_year=summer_year,
        name="summer",
        starts_on=dt.date(2026, 4, 20),
        half_term_starts_on=dt.date(2026, 5, 25),
        half_term_ends_on=dt.date(2026, 5, 29),
        ends_on=dt.date(2026, 7, 22),
    )
    term = TermFactory(academic_year__school=school)
    teacher = staff(school, Role.CLASS_TEACHER, username=f"t-teacher-{school.pk}")
    sendco = staff(school, Role.SENDCO, username=f"t-sendco-{school.pk}")
    mina = staff(school, Role.MENTOR, username=f"t-mina-{school.pk}", first_name="Mina", hours=6)
    milo = staff(school, Role.MENTOR, username=f"t-milo-{school.pk}", first_name="Milo", hours=3)
    coordinator = staff(school, Role.COORDINATOR, username=f"t-coord-{school.pk}")
    pupils = {}
    for i, name in enumerate(NAMES):
        pupils[name] = PupilFactory(
            school=school,
            legal_first_name=name,
            legal_last_name="Fixturechild",
            gender=Gender.FEMALE if i < 7 else Gender.MALE,
            pupil_premium=name in ("Ann", "Bea", "Cat"),
        )
    room = RoomFactory(school=school)
    slot = Slot.objects.create(
        school=school,
        mentor=mina,
        room=room,
        weekday=1,
        starts_at=dt.time(10),
        duration=30,
        block_starts_on=dt.date(2026, 9, 7),
        block_weeks=12,
        block_ends_on=dt.date(2026, 12, 14),
    )
    cases = {}
    for name, (submitted, decided, first) in DECISIONS.items():
        mentor = mina if name in ("Ann", "Bea", "Cat") else milo
        case = CaseFactory(pupil=pupils[name], mentor=mentor, opened_on=decided)
        referral = make_referral(pupils[name], teacher, status=Referral.Status.ACCEPTED)
        Referral.objects.filter(pk=referral.pk).update(
            submitted_at=at(submitted), decided_at=at(decided, 15), case=case
        )
        if first:
            SessionRecord.objects.create(
                case=case,
                slot=slot,
                date=first,
                author=mina,
                attendance=SessionRecord.Attendance.HELD,
            )
        cases[name] = case
    ann = cases["Ann"]
    Case.objects.filter(pk=ann.pk).update(
        status=Case.Status.CLOSED, closed_on=dt.date(2026, 11, 20)
    )
    CaseClosure.objects.create(
        case=ann,
        reason=CaseClosure.Reason.TARGETS_MET,
        closed_on=dt.date(2026, 11, 20),
        closed_by=coordinator,
    )
    Allocation.objects.create(slot=slot, case=cases["Bea"], starts_on=dt.date(2026, 4, 27))
    fay = make_referral(pupils["Fay"], sendco, status=Referral.Status.WAITLISTED)
    hal = make_referral(pupils["Hal"], sendco, criteria=2)
    Referral.objects.filter(pk=fay.pk).update(submitted_at=at(TODAY - dt.timedelta(days=30)))
    Referral.objects.filter(pk=hal.pk).update(submitted_at=at(TODAY - dt.timedelta(days=10)))
    for n in range(extra_cases):  # more of everything, for the query counts
        pupil = PupilFactory(school=school, legal_first_name=f"Extra{n}")
        case = CaseFactory(pupil=pupil, mentor=milo, opened_on=dt.date(2026, 10, 5))
        referral = make_referral(pupil, teacher, status=Referral.Status.ACCEPTED)
        Referral.objects.filter(pk=referral.pk).update(
            submitted_at=at(dt.date(2026, 9, 20)), decided_at=at(dt.date(2026, 9, 25)), case=case
        )
        SessionRecord.objects.create(case=case, slot=slot, date=dt.date(2026, 10, 6), author=milo)
    criteria = list(Criterion.objects.filter(school=school).order_by("position", "name"))
    return SimpleNamespace(
        term=term,
        summer=summer,
        pupils=pupils,
        cases=cases,
        mina=mina,
        milo=milo,
        criteria=criteria,
        coordinator=coordinator,
    )
