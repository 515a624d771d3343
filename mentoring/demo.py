"""Demo data: a fictional primary school to try the app with (``manage.py seed_demo``).

Everything here is made up: the school, its street, the staff and the children. Phone
numbers are in Ofcom's ranges for drama (01632 960xxx, 07700 900xxx) and email addresses
are at example.org, so nothing can reach a real person.

The data is the same on every run (one fixed random seed) and seeding is idempotent:
each row is looked up by its natural key (school name, username, UPN, class name...) and
only created when missing, so a second run creates nothing and changes nothing. Rows are
saved one by one so that django-simple-history records each of them. The referrals, their
triage and parental consent come from ``demo_referrals``, through the referral services;
the mentors' weekly slots and session records from ``demo_sessions``, through the session
services; questionnaires, targets, observations, meetings, termly reviews and one closed
case from ``demo_reviews``, through the reviews services.
"""

import datetime as dt
import random
from base64 import b32decode
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.gb import upn as upn_number

from .accounts.services import make_backup_codes
from .demo_history import seed_history
from .demo_programme import seed_programme
from .demo_referrals import seed_referrals
from .demo_reviews import seed_reviews
from .demo_sessions import seed_sessions
from .models import (
    AcademicYear,
    Case,
    ClassStaff,
    ClosureDay,
    Contact,
    Gender,
    Pupil,
    Role,
    Room,
    School,
    SchoolClass,
    SenStatus,
    StaffMember,
    StaffRole,
    SupportType,
    Term,
    User,
    YearGroup,
)

# Published on purpose: every demo account shares it, and the command prints it.
DEMO_PASSWORD = "larkspur-demo"  # noqa: S105
URL = "http://127.0.0.1:8000"
# Two-step sign-in for the demo logins that need it, published in README.md so that anyone can
# try the demo without a phone: these keys and codes are known to everyone, so they exist only
# in the demo school, made by seed_demo, which refuses to run in production.
DEMO_AUTHENTICATOR_KEYS = {
    "head": "LARKSPURDEMOHEADNEVERUSEFORREAL2",  # noqa: S105
    "coordinator": "LARKSPURDEMOCOORDINATORNOTREAL22",  # noqa: S105
}
DEMO_AUTHENTICATOR_NAME = "Demo authenticator (published demo key)"
DEMO_BACKUP_CODES = {
    username: [f"{username}-demo-{n:02d}" for n in range(1, 11)]
    for username in DEMO_AUTHENTICATOR_KEYS
}
SEED = 2026
PUPILS_PER_CLASS = 30

SCHOOL = {
    "name": "Larkspur Hill Primary School",
    "address": "1 Makebelieve Lane\nLarkspur Hill\nNowhereshire",
    "phone": "01632 960100",
    "email": "office@larkspur-hill.example.org",
    "head_name": "Mrs Hazel Whitcombe",
}
TOWN = "Larkspur Hill, Nowhereshire"
EMAIL_DOMAIN = "larkspur-hill.example.org"

# stdnum only accepts UPNs with a real local-authority number, so the made-up part is the
# establishment number: 9999 belongs to no school.
UPN_LA_AND_ESTABLISHMENT = "8739999"

ROOMS = (
    ("Learning Mentor Room", True, "Quiet room next to the library."),
    ("Nurture Room", True, "Soft seating; the nurture group has it on Tuesday mornings."),
    ("Sand Play Room", True, "Sand tray and miniatures for sand play sessions."),
    ("Library corner", False, "A shared area: fine for small groups, not private enough."),
    ("Corridor by the hall", False, "Open corridor, noisy at lunchtime: not private."),
)


# --- Staff ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoStaff:
    username: str
    title: str
    first_name: str
    last_name: str
    job_title: str
    roles: tuple
    hours: int = 0
    class_name: str = ""  # the class they teach or support, if any


# The logins named by role, printed by the command.
LOGINS = (
    DemoStaff("head", "Mrs", "Hazel", "Whitcombe", "Head teacher", (Role.HEAD, Role.DSL)),
    DemoStaff("sendco", "Ms", "Saskia", "Pendleford", "SENDCO", (Role.SENDCO,)),
    DemoStaff(
        "coordinator", "Mr", "Callum", "Brightwater", "Mentoring coordinator", (Role.COORDINATOR,)
    ),
    DemoStaff("mentor", "Mrs", "Mina", "Hartfield", "Learning mentor", (Role.MENTOR,), hours=6),
    DemoStaff("mentor2", "Mr", "Milo", "Thistlewood", "Learning mentor", (Role.MENTOR,), hours=3),
    DemoStaff(
        "teacher",
        "Ms",
        "Tessa",
        "Marchbank",
        "Class teacher",
        (Role.CLASS_TEACHER,),
        class_name="Oak",
    ),
    DemoStaff(
        "ta",
        "Mrs",
        "Tamsin",
        "Ellerby",
        "Teaching assistant",
        (Role.TEACHING_ASSISTANT,),
        class_name="Oak",
    ),
    DemoStaff("office", "Mrs", "Olive", "Brackley", "School business manager", (Role.OFFICE,)),
)

# Class teachers of the other classes, so that every class has one.
CLASS_TEACHERS = tuple(
    DemoStaff(username, title, first, last, "Class teacher", (Role.CLASS_TEACHER,), 0, class_name)
    for username, title, first, last, class_name in (
        ("r.appleyard", "Mrs", "Ruth", "Appleyard", "Rowan"),
        ("d.ketteridge", "Mr", "Daniel", "Ketteridge", "Hazel"),
        ("n.ferraby", "Ms", "Naomi", "Ferraby", "Willow"),
        ("j.amberley", "Mr", "Joel", "Amberley", "Birch"),
        ("f.linwood", "Ms", "Farah", "Linwood", "Chestnut"),
        ("o.cradock", "Mr", "Owen", "Cradock", "Beech"),
    )
)

# One class per year group, named after trees; the "teacher" login teaches Oak (Year 4).
CLASSES = (
    (YearGroup.RECEPTION, "Rowan"),
    (YearGroup.YEAR_1, "Hazel"),
    (YearGroup.YEAR_2, "Willow"),
    (YearGroup.YEAR_3, "Birch"),
    (YearGroup.YEAR_4, "Oak"),
    (YearGroup.YEAR_5, "Chestnut"),
    (YearGroup.YEAR_6, "Beech"),
)

# Open cases so that the landing pages have content: (mentor, year group, support, weeks ago).
# The first is in Oak, the class of the "teacher" and "ta" logins.
CASES = (
    ("mentor", YearGroup.YEAR_4, SupportType.MENTORING, 3),
    ("mentor", YearGroup.YEAR_2, SupportType.DRAWING_AND_TALKING, 5),
    ("mentor", YearGroup.YEAR_5, SupportType.MENTORING, 8),
    ("mentor", YearGroup.YEAR_6, SupportType.NURTURE, 11),
    ("mentor2", YearGroup.YEAR_1, SupportType.SAND_PLAY, 2),
    ("mentor2", YearGroup.YEAR_3, SupportType.MENTORING, 6),
    ("mentor2", YearGroup.YEAR_6, SupportType.SMALL_GROUP, 9),
)


# --- Names ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameGroup:
    """Names that go together for one (DfE) ethnic group, so families look plausible."""

    ethnicity: str
    weight: int  # out of 100
    eal_rate: float
    girls: tuple
    boys: tuple
    surnames: tuple
    women: tuple
    men: tuple


def _names(text):
    """Names written as one string, separated by spaces."""
    return tuple(text.split())


# Plausible names; first names that make a famous person's name with one of the group's
# surnames were left out.
NAME_GROUPS = (
    NameGroup(
        "White - British",
        62,
        0.0,
        girls=_names(
            "Amelia Daisy Evie Florence Freya Harriet Isla Lily Matilda Phoebe Poppy Rosie "
            "Ruby Willow"
        ),
        boys=_names(
            "Alfie Archie Arthur Charlie Edward Finley Freddie George Harrison Jacob Noah "
            "Reuben Stanley Theo"
        ),
        surnames=_names(
            "Ashcombe Barraclough Brackenbury Cotterill Dunsford Fairbrook Greenhalgh "
            "Hebden Kettleby Lowther Millward Netherton Oakridge Rainford Thornbury Wetherall "
            "Yardley"
        ),
        women=_names("Sarah Gemma Laura Hannah Rebecca Kirsty Natalie"),
        men=_names("James Daniel Mark Lee Richard Craig Stuart"),
    ),
    NameGroup(
        "White - Any other White background",
        8,
        0.8,
        girls=_names("Zofia Lena Maja Hanna Oliwia"),
        boys=_names("Jakub Antoni Szymon Filip Mateusz"),
        surnames=_names("Nowak Mazur Wrobel Kaczmarek Pawlak Dudek"),
        women=_names("Agnieszka Katarzyna Magdalena"),
        men=_names("Tomasz Piotr Marcin"),
    ),
    NameGroup(
        "Asian or Asian British - Pakistani",
        7,
        0.5,
        girls=_names("Aisha Maryam Hafsa Inaya Zara"),
        boys=_names("Yusuf Ibrahim Zayan Hamza Rayyan"),
        surnames=_names("Hussain Akhtar Iqbal Mahmood Rashid"),
        women=_names("Sana Rubina Saima"),
        men=_names("Naveed Imtiaz Shakeel"),
    ),
    NameGroup(
        "Asian or Asian British - Bangladeshi",
        4,
        0.6,
        girls=_names("Tasnim Sumaiya Raisa"),
        boys=_names("Ayaan Rafi Tahmid"),
        surnames=_names("Rahman Uddin Chowdhury Miah"),
        women=_names("Shirin Rokeya Salma"),
        men=_names("Abdul Jamal Shahid"),
    ),
    NameGroup(
        "Asian or Asian British - Indian",
        4,
        0.4,
        girls=_names("Anaya Diya Saanvi Ishani"),
        boys=_names("Arjun Vihaan Reyansh Kabir"),
        surnames=_names("Mehta Desai Joshi Sandhu"),
        women=_names("Pooja Neha Kavita"),
        men=_names("Sanjay Vikram Nikhil"),
    ),
    NameGroup(
        "Black or Black British - African",
        6,
        0.4,
        girls=_names("Amara Chioma Adwoa Zuri Ife"),
        boys=_names("Tobi Kwame Chidi Kofi Ebuka"),
        surnames=_names("Okafor Mensah Adeyemi Owusu Nwosu"),
        women=_names("Ngozi Abena Funmi"),
        men=_names("Olu Yaw Chinedu"),
    ),
    NameGroup(
        "Black or Black British - Caribbean",
        3,
        0.0,
        girls=_names("Shanice Jada Kayla"),
        boys=_names("Tyrese Jaden Malachi"),
        surnames=_names("Beckford Lindo McKenzie Spence"),
        women=_names("Marcia Simone Donna"),
        men=_names("Andre Wayne Clive"),
    ),
    NameGroup(
        "Mixed - White and Black Caribbean",
        4,
        0.0,
        girls=_names("Nia Layla Aaliyah"),
        boys=_names("Jayden Elijah Kai"),
        surnames=_names("Beckford Fairbrook Spence Millward"),
        women=_names("Kerry Leanne Simone"),
        men=_names("Dwayne Carl Jason"),
    ),
    NameGroup(
        "Chinese",
        2,
        0.6,
        girls=_names("Mei Xinyi Yuting"),
        boys=_names("Hao Zihan Junjie"),
        surnames=_names("Zhang Liu Huang Wong"),
        women=_names("Xiaoling Fang Yan"),
        men=_names("Wei Jian Ming"),
    ),
)

# Some children are known by a shorter name.
PREFERRED_NAMES = {
    "Edward": "Eddie",
    "Harrison": "Harry",
    "Matilda": "Tilly",
    "Florence": "Flo",
    "Mateusz": "Matt",
    "Ibrahim": "Ibby",
}

STREETS = (
    "Foxglove Way",
    "Bramble Close",
    "Thistledown Road",
    "Heron Lane",
    "Campion Crescent",
    "Meadowsweet Drive",
    "Larkspur Rise",
    "Kingfisher Walk",
)


# --- Calendar ------------------------------------------------------------------------------

MONDAY, FRIDAY = 0, 4


def academic_start_year(today):
    """The calendar year in which the current school year began (years run 1 Sept-31 Aug)."""
    return today.year if today.month >= 9 else today.year - 1


def easter_sunday(year):
    """Easter Sunday in the Gregorian calendar (the anonymous Meeus/Jones/Butcher computus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_offset = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_offset) // 451
    month, day = divmod(h + weekday_offset - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _on_or_after(day, weekday):
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _on_or_before(day, weekday):
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def _last_monday(year, month):
    return _on_or_before(dt.date(year, month + 1, 1) - dt.timedelta(days=1), MONDAY)


def _next_working_day(day, closed=()):
    """``day`` or the first weekday after it that is not in ``closed``."""
    while day.weekday() >= 5 or day in closed:
        day += dt.timedelta(days=1)
    return day


def _previous_working_day(day):
    return _on_or_before(day, FRIDAY) if day.weekday() >= 5 else day


def bank_holidays(year):
    """England and Wales bank holidays of a calendar year: {date: name}.

    The regular ones only; one-off holidays (coronations, jubilees) are not included.
    """
    easter = easter_sunday(year)
    found = {
        _next_working_day(dt.date(year, 1, 1)): "New Year's Day",
        easter - dt.timedelta(days=2): "Good Friday",
        easter + dt.timedelta(days=1): "Easter Monday",
        _on_or_after(dt.date(year, 5, 1), MONDAY): "Early May bank holiday",
        _last_monday(year, 5): "Spring bank holiday",
        _last_monday(year, 8): "Summer bank holiday",
    }
    # Christmas Day and Boxing Day at a weekend move to the next free weekdays, after those
    # on a weekday have kept their own day (Christmas on a Sunday: Boxing Day on Monday 26th,
    # the substitute Christmas Day on Tuesday 27th).
    christmas = ((dt.date(year, 12, 25), "Christmas Day"), (dt.date(year, 12, 26), "Boxing Day"))
    for day, name in sorted(christmas, key=lambda holiday: holiday[0].weekday() >= 5):
        observed = _next_working_day(day, closed=found)
        found[observed] = name if observed == day else f"{name} (substitute day)"
    return found


@dataclass(frozen=True)
class TermDates:
    name: str
    starts_on: dt.date
    half_term_starts_on: dt.date
    half_term_ends_on: dt.date
    ends_on: dt.date


def school_calendar(start_year):
    """Terms, INSET days and bank holidays of the school year starting in ``start_year``.

    A typical English local-authority pattern: autumn from early September to the Friday
    before Christmas with the last week of October off; spring from the first week of
    January to the Thursday before Good Friday with the third week of February off;
    summer from the Monday two weeks after Easter to about 21 July with the week of the
    Spring bank holiday off. Each half-term is one week, Monday to Friday. That makes about
    195 days (190 with pupils and five INSET days), 195 exactly in 2026/27.
    """
    spring_year = start_year + 1
    easter = easter_sunday(spring_year)
    holidays = {
        day: name
        for year in (start_year, spring_year)
        for day, name in bank_holidays(year).items()
        if dt.date(start_year, 9, 1) <= day <= dt.date(spring_year, 8, 31)
    }

    def term(name, starts_on, half_term_monday, ends_on):
        friday = half_term_monday + dt.timedelta(days=4)
        return TermDates(name, starts_on, half_term_monday, friday, ends_on)

    terms = [
        term(
            Term.Name.AUTUMN,
            _next_working_day(dt.date(start_year, 9, 1)),
            _last_monday(start_year, 10),
            _on_or_before(dt.date(start_year, 12, 20), FRIDAY),
        ),
        term(
            Term.Name.SPRING,
            _next_working_day(dt.date(spring_year, 1, 4)),
            _on_or_after(dt.date(spring_year, 2, 1), MONDAY) + dt.timedelta(weeks=2),
            easter - dt.timedelta(days=3),
        ),
        term(
            Term.Name.SUMMER,
            easter + dt.timedelta(days=15),
            _last_monday(spring_year, 5),
            _previous_working_day(dt.date(spring_year, 7, 21)),
        ),
    ]

    # Five INSET days: the first two days of the year, the Monday after October half-term
    # and the first day of the spring and summer terms (never on a bank holiday).
    autumn, spring, summer = terms
    first = _next_working_day(autumn.starts_on, holidays)
    inset_days = [
        first,
        _next_working_day(first + dt.timedelta(days=1), holidays),
        _next_working_day(autumn.half_term_ends_on + dt.timedelta(days=3), holidays),
        _next_working_day(spring.starts_on, holidays),
        _next_working_day(summer.starts_on, holidays),
    ]
    return terms, inset_days, holidays


# --- Pupils --------------------------------------------------------------------------------


def make_upn(entry_year, serial):
    """A valid UPN: check letter, LA and establishment, year of allocation, serial."""
    body = f"{UPN_LA_AND_ESTABLISHMENT}{entry_year % 100:02d}{serial:03d}"
    return upn_number.calc_check_digit(body) + body


def _email(first_name, last_name):
    local = "".join(ch for ch in f"{first_name}.{last_name}".lower() if ch.isalpha() or ch == ".")
    return f"{local}@example.org"


def _address(rng):
    return f"{rng.randint(1, 120)} {rng.choice(STREETS)}, {TOWN}"


def _contacts(rng, group, surname, looked_after, phone_numbers):
    """One or two parents or carers, in the order the school would call them."""
    if looked_after:
        # The local authority, not the foster carer, holds parental responsibility.
        women_or_men = rng.choice((group.women, group.men))
        people = [("Foster carer", rng.choice(women_or_men), rng.choice(group.surnames), False)]
    else:
        mother = ("Mother", rng.choice(group.women), surname, True)
        father = ("Father", rng.choice(group.men), surname, True)
        people = [mother, father] if rng.random() < 0.8 else [father, mother]
        if rng.random() < 0.15:  # parents living apart, one with another surname
            relationship, first, _, pr = people[1]
            people[1] = (relationship, first, rng.choice(group.surnames), pr)
        if rng.random() < 0.35:  # one parent or carer only
            people = people[:1]
    home = _address(rng)
    contacts = []
    for priority, (relationship, first, last, pr) in enumerate(people, start=1):
        contacts.append(
            {
                "name": f"{first} {last}",
                "relationship": relationship,
                "phone": f"07700 900{next(phone_numbers):03d}",
                "email": _email(first, last),
                "address": home if last == surname else _address(rng),
                "parental_responsibility": pr,
                "priority": priority,
            }
        )
    return contacts


def pupil_specs(start_year):
    """Every demo pupil as (pupil fields, contacts), the same on every run."""
    rng = random.Random(SEED)  # noqa: S311  (made-up data, not security)
    weights = [group.weight for group in NAME_GROUPS]
    phone_numbers = iter(range(1000))
    used_names = set()
    specs = []
    for year_group, _ in CLASSES:
        # UK cut-off: a child starts Reception in the September after their 4th birthday.
        entry_year = start_year - year_group
        born_from = dt.date(entry_year - 5, 9, 1)
        days_in_cohort = (dt.date(entry_year - 4, 9, 1) - born_from).days
        for serial in range(1, PUPILS_PER_CLASS + 1):
            group = rng.choices(NAME_GROUPS, weights)[0]
            gender = rng.choices((Gender.FEMALE, Gender.MALE, Gender.OTHER), (49, 49, 2))[0]
            names = {Gender.FEMALE: group.girls, Gender.MALE: group.boys}.get(
                gender, group.girls + group.boys
            )
            # Two children with the same full name would only confuse a demo.
            first_name, surname = rng.choice(names), rng.choice(group.surnames)
            while (first_name, surname) in used_names:
                first_name, surname = rng.choice(names), rng.choice(group.surnames)
            used_names.add((first_name, surname))
            sen = rng.choices(
                (SenStatus.NONE, SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN), (84, 13, 3)
            )[0]
            looked_after = rng.random() < 0.015
            pupil = {
                "upn": make_upn(entry_year, serial),
                "legal_first_name": first_name,
                "legal_last_name": surname,
                "preferred_name": PREFERRED_NAMES.get(first_name, "") if rng.random() < 0.6 else "",
                "date_of_birth": born_from + dt.timedelta(days=rng.randrange(days_in_cohort)),
                "year_group": year_group,
                "gender": gender,
                "sen_status": sen,
                # Looked-after children attract pupil premium plus.
                "pupil_premium": looked_after or rng.random() < 0.24,
                "eal": rng.random() < group.eal_rate,
                "looked_after": looked_after,
                # Some families decline to say or the school never obtained it.
                "ethnicity": group.ethnicity if rng.random() < 0.93 else "",
            }
            contacts = _contacts(rng, group, surname, looked_after, phone_numbers)
            specs.append((pupil, contacts))
    return specs


# --- Seeding -------------------------------------------------------------------------------


def seed(today=None):
    """Create the demo school and everything in it, unless already there. Returns the school."""
    today = today or timezone.localdate()
    start_year = academic_start_year(today)
    # The referral services email staff once the transaction commits: no demo mail.
    no_mail = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    with no_mail, transaction.atomic():
        school, _ = School.objects.get_or_create(name=SCHOOL["name"], defaults=SCHOOL)
        # Last year's calendar too: the history's cases ran in it, and the sessions expected
        # of them (adherence, last year's packs and annual report) are worked out from it.
        _seed_calendar(school, start_year - 1)
        _seed_calendar(school, start_year)
        for name, suitable, notes in ROOMS:
            Room.objects.get_or_create(
                school=school,
                name=name,
                defaults={"suitable_for_one_to_one": suitable, "notes": notes},
            )
        classes = {
            name: SchoolClass.objects.get_or_create(
                school=school, name=name, defaults={"year_group": year_group}
            )[0]
            for year_group, name in CLASSES
        }
        users = _seed_staff(school, classes)
        _seed_two_step_sign_in(users)
        pupils = _seed_pupils(school, classes, start_year)
        cases = _seed_cases(school, users, pupils, today)
        # Its own generator, so that the choice of pupils does not shift the cases'.
        rng = random.Random(SEED + 2)  # noqa: S311  (made-up data, not security)
        group = seed_referrals(school, users, pupils, cases, today, rng)
        seed_sessions(school, users, cases, group, today)
        seed_reviews(school, users, pupils, cases, group, today)
        seed_history(school, users, pupils, today)
        seed_programme(school, users, today)
    return school


def _seed_calendar(school, start_year):
    terms, inset_days, holidays = school_calendar(start_year)
    year, _ = AcademicYear.objects.get_or_create(
        school=school,
        name=f"{start_year}/{(start_year + 1) % 100:02d}",
        defaults={
            "starts_on": dt.date(start_year, 9, 1),
            "ends_on": dt.date(start_year + 1, 8, 31),
        },
    )
    for term in terms:
        Term.objects.get_or_create(
            academic_year=year,
            name=term.name,
            defaults={
                "starts_on": term.starts_on,
                "half_term_starts_on": term.half_term_starts_on,
                "half_term_ends_on": term.half_term_ends_on,
                "ends_on": term.ends_on,
            },
        )
    closures = [(day, ClosureDay.Kind.BANK_HOLIDAY, name) for day, name in holidays.items()]
    closures += [(day, ClosureDay.Kind.INSET, "INSET day (staff training)") for day in inset_days]
    for day, kind, description in sorted(closures):
        ClosureDay.objects.get_or_create(
            school=school, date=day, defaults={"kind": kind, "description": description}
        )


def _seed_staff(school, classes):
    """Every demo member of staff with their roles and classes: {username: user}."""
    # Hashing is slow on purpose; one hash serves every account as they share the password.
    password = make_password(DEMO_PASSWORD)
    users = {}
    for person in LOGINS + CLASS_TEACHERS:
        user, _ = User.objects.get_or_create(
            username=person.username,
            defaults={
                "title": person.title,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@{EMAIL_DOMAIN}",
                "password": password,
            },
        )
        member, _ = StaffMember.objects.get_or_create(
            user=user,
            school=school,
            defaults={"job_title": person.job_title, "mentoring_hours": Decimal(person.hours)},
        )
        for role in person.roles:
            StaffRole.objects.get_or_create(staff_member=member, role=role)
        if person.class_name:
            kind = (
                ClassStaff.Kind.TEACHER
                if Role.CLASS_TEACHER in person.roles
                else ClassStaff.Kind.ASSISTANT
            )
            ClassStaff.objects.get_or_create(
                school_class=classes[person.class_name], user=user, defaults={"kind": kind}
            )
        users[person.username] = user
    return users


def _seed_two_step_sign_in(users):
    """The published demo key and backup codes, put back as they were on every run.

    A demo visitor who moved the account to their own phone, or used up its backup codes,
    gets the published ones back by running seed_demo again.
    """
    for username, key in DEMO_AUTHENTICATOR_KEYS.items():
        user = users[username]
        TOTPDevice.objects.filter(user=user).exclude(name=DEMO_AUTHENTICATOR_NAME).delete()
        TOTPDevice.objects.update_or_create(
            user=user,
            name=DEMO_AUTHENTICATOR_NAME,
            defaults={
                "key": b32decode(key).hex(),
                "confirmed": True,
                "throttling_failure_count": 0,
            },
        )
        make_backup_codes(user=user, codes=DEMO_BACKUP_CODES[username])


def _seed_pupils(school, classes, start_year):
    """The roll, with parents and carers: {year group: [pupils]}."""
    class_of_year = {year_group: classes[name] for year_group, name in CLASSES}
    pupils = {}
    for fields, contacts in pupil_specs(start_year):
        year_group = fields["year_group"]
        pupil, _ = Pupil.objects.get_or_create(
            school=school,
            upn=fields["upn"],
            defaults={**fields, "school_class": class_of_year[year_group]},
        )
        for contact in contacts:
            Contact.objects.get_or_create(
                pupil=pupil, priority=contact["priority"], defaults=contact
            )
        pupils.setdefault(year_group, []).append(pupil)
    return pupils


def _seed_cases(school, users, pupils, today):
    """The mentors' open cases, in the order of ``CASES``."""
    # Its own generator, so that the choice of pupils does not shift the roll's data.
    rng = random.Random(SEED + 1)  # noqa: S311  (made-up data, not security)
    chosen, cases = set(), []
    for username, year_group, support_type, weeks_ago in CASES:
        pupil = rng.choice([p for p in pupils[year_group] if p.pk not in chosen])
        chosen.add(pupil.pk)
        # On the Monday of that week, a school day.
        opened_on = _on_or_before(today - dt.timedelta(weeks=weeks_ago), MONDAY)
        case, _ = Case.objects.get_or_create(
            school=school,
            pupil=pupil,
            defaults={
                "status": Case.Status.OPEN,
                "support_type": support_type,
                "mentor": users[username],
                "opened_on": opened_on,
            },
        )
        cases.append(case)
    return cases
