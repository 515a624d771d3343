"""Factories for tests: realistic objects with obviously made-up names."""

import datetime as dt
import itertools

import factory
from stdnum.gb import upn as upn_number

from mentoring.models import (
    AcademicYear,
    Case,
    ClassStaff,
    ClosureDay,
    Contact,
    Pupil,
    Room,
    School,
    SchoolClass,
    StaffMember,
    StaffRole,
    Term,
    User,
)

DEMO_PASSWORD = "test-password-123"
_serial = itertools.count(1)


def make_upn(serial=None):
    """A valid UPN: check letter, LA number, a made-up establishment, year and serial."""
    n = serial if serial is not None else next(_serial)
    body = f"873{9000 + n // 1000 % 1000:04d}26{n % 1000:03d}"
    return upn_number.calc_check_digit(body) + body


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Testwood Primary {n}")
    address = "1 Imaginary Lane, Nowhereton"
    phone = "01632 960000"
    head_name = "Ms Example Head"


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = "2026/27"
    starts_on = dt.date(2026, 9, 1)
    ends_on = dt.date(2027, 7, 23)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    academic_year = factory.SubFactory(AcademicYearFactory)
    name = Term.Name.AUTUMN
    starts_on = dt.date(2026, 9, 2)
    half_term_starts_on = dt.date(2026, 10, 26)
    half_term_ends_on = dt.date(2026, 10, 30)
    ends_on = dt.date(2026, 12, 18)


class ClosureDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClosureDay

    school = factory.SubFactory(SchoolFactory)
    date = dt.date(2026, 9, 1)
    kind = ClosureDay.Kind.INSET


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    suitable_for_one_to_one = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Sequence(lambda n: f"Testname{n}")
    last_name = "Staffperson"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(DEMO_PASSWORD)


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)


def staff(school, *roles, username=None, hours=0, **user_fields):
    """A member of staff of ``school`` holding ``roles``."""
    user = UserFactory(**({"username": username} if username else {}), **user_fields)
    member = StaffMemberFactory(user=user, school=school, mentoring_hours=hours)
    for role in roles:
        StaffRole.objects.create(staff_member=member, role=role)
    return user


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Class {n}")
    year_group = 3


def assign(user, school_class, kind=ClassStaff.Kind.TEACHER):
    return ClassStaff.objects.create(user=user, school_class=school_class, kind=kind)


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    upn = factory.LazyFunction(make_upn)
    legal_first_name = factory.Sequence(lambda n: f"Pupilname{n}")
    legal_last_name = "Testchild"
    date_of_birth = dt.date(2018, 3, 14)
    year_group = factory.LazyAttribute(lambda p: p.school_class.year_group if p.school_class else 3)
    school_class = None


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    pupil = factory.SubFactory(PupilFactory)
    name = "Pat Testparent"
    relationship = "Mother"
    phone = "07700 900000"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    pupil = factory.SubFactory(PupilFactory)
    school = factory.LazyAttribute(lambda c: c.pupil.school)
    mentor = None


class TargetFactory(factory.django.DjangoModelFactory):
    """A SMART target on a case."""

    class Meta:
        model = "reviews.Target"

    case = factory.SubFactory(CaseFactory)
    what = "Joins a playground game twice a week."
    measure = "Playground log"
    success = "Twice a week"
    by_when = dt.date(2026, 12, 1)
    outcome_area = "friendships"
    set_by = factory.SubFactory(UserFactory)


def referral_lists(school):
    """The policies' criteria and barriers for ``school``."""
    from referrals.services import school_lists_ensure

    school_lists_ensure(school=school)


def make_referral(pupil, referrer, *, status="new", criteria=1, days_ago=0, **fields):
    """A referral as the referrer would submit it, ``days_ago`` days ago."""
    from django.utils import timezone

    from referrals.models import Criterion, Referral

    referral_lists(pupil.school)
    referral = Referral.objects.create(
        school=pupil.school,
        pupil=pupil,
        referred_by=referrer,
        status=status,
        needs_and_strengths="Finds playtimes hard; loves drawing.",
        submitted_at=None
        if status == "draft"
        else timezone.now() - timezone.timedelta(days=days_ago),
        **fields,
    )
    referral.criteria.set(Criterion.objects.filter(school=pupil.school)[:criteria])
    return referral


def asked_pack(school, term, user, audience="staff", **fields):
    """A termly review pack as asked for on the packs page: waiting, unless ``fields`` say
    otherwise."""
    from reviews.models import GeneratedDocument

    return GeneratedDocument.objects.create(
        school=school,
        kind=GeneratedDocument.Kind.REVIEW_PACK,
        term=term,
        audience=audience,
        requested_by=user,
        **fields,
    )


def ready_pack(school, term, user, folder, days_ago=0, named=()):
    """A staff review pack made ``days_ago`` days ago, its file in ``folder``, naming the
    pupils ``named``."""
    from pathlib import Path

    from django.utils import timezone

    from reviews.models import GeneratedDocument

    finished = timezone.now() - dt.timedelta(days=days_ago)
    document = asked_pack(
        school,
        term,
        user,
        requested_at=finished,
        status=GeneratedDocument.Status.READY,
        progress=100,
        finished_at=finished,
    )
    document.file_name = f"review-pack-{document.pk}.pdf"
    document.save()
    document.pupils.set(named)
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / document.file_name).write_bytes(b"%PDF-1.7 test")
    return document
