"""The school the authorization matrix is tried on: one of every object, for Robin (class Oak,
the ``own`` objects) and Sky (class Ash, the ``other`` objects), and a stranger who holds every
role in another school. See tests/security/matrix.py for what each object is for.

``matrix`` builds it once for a whole module (the matrix makes over two thousand requests);
``world`` builds it for one test from the personas of tests/conftest.py. Every test here runs
on the same fixed day, with fast password hashing."""

import copy
import datetime as dt
import re
from http.cookies import SimpleCookie
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from mentoring import pdf
from mentoring.models import ClassStaff, Resource, Role, TrainingRecord
from referrals import services as referrals
from referrals.models import ConsentRecord
from reviews.models import (
    GeneratedDocument,
    MeetingAction,
    MeetingRecord,
    ProgrammeAction,
    ProgrammeMeeting,
    Questionnaire,
    QuestionnaireItem,
    Target,
    TermlyReview,
)
from sessions import services as sessions
from sessions.models import Allocation, CalendarFeed, SessionRecord, Slot

from ..accounts.second_step import needs_second_step, pass_second_step
from ..factories import (
    CaseFactory,
    PupilFactory,
    RoomFactory,
    SchoolClassFactory,
    SchoolFactory,
    TermFactory,
    asked_pack,
    assign,
    make_referral,
    staff,
)
from .matrix import PERSONAS

# A Thursday in the autumn term of 2026, so that the term and the slots' weeks never move.
# Before the consent letters and answers the world records for its two cases.
CASES_OPENED = dt.date(2026, 8, 24)
TODAY = dt.date(2026, 11, 26)
LOG_DAY = dt.date(2026, 11, 24)  # a Tuesday session not yet logged
MOVE_DAY = dt.date(2026, 12, 1)  # next Tuesday's session

# Words that only some personas may ever be shown; matrix.SEEN_BY says who.
NOTE = "Built a den of cushions and talked about the weekend"
OTHER_NOTE = "Practised asking to join a skipping game"
RESTRICTED_NOTE = "Said an older cousin hurts her when the adults are out"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # A dozen accounts per test: these tests check who gets in, not how passwords are kept.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _freeze_today(patch):
    real = timezone.localdate

    def localdate(value=None, tz=None):
        return real(value, tz) if value is not None else TODAY

    patch.setattr(timezone, "localdate", localdate)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    _freeze_today(monkeypatch)
    return TODAY


def make_stranger(other_school):
    """Staff of another school holding every role there, with a class and room of their own."""
    user = staff(other_school, *Role, username="stranger", first_name="Stella", hours=6)
    assign(user, SchoolClassFactory(school=other_school, name="Elm"), ClassStaff.Kind.TEACHER)
    RoomFactory(school=other_school, name="Elsewhere Nurture Room")
    return user


@pytest.fixture
def stranger(other_school):
    return make_stranger(other_school)


def _record(case, slot, author, day, note, **fields):
    return SessionRecord.objects.create(
        case=case,
        slot=slot,
        date=day,
        author=author,
        what_was_done=note,
        pupil_feeling=SessionRecord.Feeling.OK,
        **fields,
    )


def build_world(people, generated_dir):
    """Every object of the matrix for ``people`` (the personas, the other teacher, the two
    pupils and their cases), through the apps' own services where a rule applies (consent
    letters, allocation), otherwise directly. Review packs are kept in ``generated_dir``."""
    school, head, coordinator = people["school"], people["head"], people["coordinator"]
    mentor, other_mentor = people["mentor"], people["other_mentor"]
    class_teacher, other_teacher = people["class_teacher"], people["other_teacher"]
    pupil, other_class_pupil = people["pupil"], people["other_class_pupil"]
    case, other_case = people["case"], people["other_case"]
    term = TermFactory(academic_year__school=school)
    room = RoomFactory(school=school, name="Learning Mentor Room")
    w = SimpleNamespace(
        today=TODAY,
        log_day=LOG_DAY,
        move_day=MOVE_DAY,
        room=room,
        users={persona: people[persona] for persona in PERSONAS},
        pupils={"own": pupil, "other": other_class_pupil},
        cases={"own": case, "other": other_case},
        accounts={"own": mentor},
        texts={
            "Robin": pupil.legal_first_name,
            "Sky": other_class_pupil.legal_first_name,
            "note": NOTE,
            "other note": OTHER_NOTE,
            "restricted note": RESTRICTED_NOTE,
        },
    )
    w.referrals = {
        "own": make_referral(pupil, class_teacher),
        "other": make_referral(other_class_pupil, other_teacher),
        "own_draft": make_referral(pupil, class_teacher, status="draft"),
        "other_draft": make_referral(other_class_pupil, other_teacher, status="draft"),
    }
    w.letters, w.slots, w.feeds, w.targets, w.actions, w.reviews = {}, {}, {}, {}, {}, {}
    sides = {"own": (mentor, class_teacher), "other": (other_mentor, other_teacher)}
    for n, (key, (its_mentor, teacher)) in enumerate(sides.items()):
        this = w.cases[key]
        w.letters[key] = referrals.consent_letter_send(
            case=this, user=coordinator, sent_on=dt.date(2026, 8, 25)
        )
        ConsentRecord.objects.create(
            case=this,
            decision=ConsentRecord.Decision.GIVEN,
            given_by="Pat Testparent",
            relationship="Mother",
            method=ConsentRecord.Method.SLIP,
            decided_on=dt.date(2026, 9, 1),
            recorded_by=coordinator,
        )
        allocation = sessions.allocate(
            case=this,
            user=coordinator,
            mentor=its_mentor,
            room=room,
            weekday=1,
            starts_at=dt.time(10 + n, 30),
            duration=30,
            block_starts_on=dt.date(2026, 9, 8),
            block_weeks=12,
        )
        w.slots[key] = allocation.slot
        w.feeds[key] = CalendarFeed.objects.create(mentor=its_mentor, created_by=its_mentor)
        w.targets[key] = Target.objects.create(
            case=this,
            what="Joins a game at lunchtime",
            measure="Midday supervisor's weekly note",
            success="Plays with others on three days of five",
            by_when=dt.date(2026, 12, 11),
            outcome_area="friendships",
            set_by=its_mentor,
        )
        meeting = MeetingRecord.objects.create(
            case=this,
            met_on=dt.date(2026, 10, 1),
            kind="parents",
            attendees="Pat Testparent",
            notes="Sleeping badly since the move.",
            recorded_by=its_mentor,
        )
        w.actions[key] = MeetingAction.objects.create(
            meeting=meeting,
            action="Send the reading record home",
            owner=teacher,
            due_on=dt.date(2026, 10, 8),
        )
        w.reviews[key] = TermlyReview.objects.create(
            case=this,
            term=term,
            progress_summary="Good progress on the lunchtime target.",
            prepared_by=its_mentor,
            prepared_on=dt.date(2026, 11, 20),
        )
    own, other = w.slots["own"], w.slots["other"]
    w.records = {
        "own": _record(case, own, mentor, dt.date(2026, 11, 17), NOTE),
        "other": _record(other_case, other, other_mentor, dt.date(2026, 11, 17), OTHER_NOTE),
        "own_restricted": _record(
            case, own, mentor, dt.date(2026, 11, 10), RESTRICTED_NOTE, safeguarding_concern=True
        ),
        "own_old": _record(case, own, mentor, dt.date(2026, 11, 3), NOTE),
    }
    SessionRecord.objects.filter(pk=w.records["own_old"].pk).update(
        created_at=timezone.now() - dt.timedelta(days=10)
    )
    w.questionnaire = Questionnaire.objects.create(
        school=school,
        kind=Questionnaire.Kind.STAFF_RATING,
        name="Settling in",
        scale="Never; Sometimes; Often",
    )
    QuestionnaireItem.objects.create(
        questionnaire=w.questionnaire, text="Joins in at playtime", outcome_area="friendships"
    )
    pack = asked_pack(
        school,
        term,
        head,
        status=GeneratedDocument.Status.READY,
        progress=100,
        file_name="review-pack-matrix.pdf",
        finished_at=timezone.now(),
    )
    (generated_dir / pack.file_name).write_bytes(b"%PDF-1.4\n% a stand-in for a finished pack\n")
    w.packs = {"own": pack}
    _programme(w, people, generated_dir)
    return w


def _programme(w, people, media_dir):
    """The school's programme: a meeting with an action the class teacher owns, a mentor's
    training record, and a resource whose file is kept in ``media_dir`` (the media root)."""
    school, coordinator, mentor = people["school"], people["coordinator"], people["mentor"]
    meeting = ProgrammeMeeting.objects.create(
        school=school,
        met_on=dt.date(2026, 10, 20),
        kind=ProgrammeMeeting.Kind.END_OF_BLOCK,
        notes="The first block went well.",
        recorded_by=coordinator,
    )
    meeting.attendees.set([coordinator, mentor])
    w.programme_meetings = {"own": meeting}
    w.programme_actions = {
        "own": ProgrammeAction.objects.create(
            meeting=meeting,
            action="Bring the class's reading list",
            owner=people["class_teacher"],
            due_on=dt.date(2026, 11, 30),
        )
    }
    w.training = {
        "own": TrainingRecord.objects.create(
            school=school,
            mentor=mentor,
            course="Safeguarding refresher",
            completed_on=dt.date(2026, 1, 15),
            renewal_due_on=dt.date(2027, 1, 15),
            recorded_by=coordinator,
        )
    }
    (media_dir / "resources").mkdir(exist_ok=True)
    (media_dir / "resources" / "matrix.txt").write_text("Feelings faces: a warm-up\n")
    w.resources = {
        "own": Resource.objects.create(
            school=school,
            title="Feelings faces",
            kind=Resource.Kind.ACTIVITY,
            file="resources/matrix.txt",
            file_name="feelings-faces.txt",
            content_type="text/plain; charset=utf-8",
            size=26,
            added_by=mentor,
        )
    }


@pytest.fixture
def world(
    settings,
    tmp_path,
    school,
    coordinator,
    head,
    dsl,
    sendco,
    office,
    mentor,
    other_mentor,
    class_teacher,
    other_teacher,
    teaching_assistant,
    stranger,
    pupil,
    other_class_pupil,
    case,
    other_case,
):
    """The matrix's school for one test, from the personas of tests/conftest.py."""
    settings.GENERATED_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path
    for opened in (case, other_case):  # before the letters and answers the world records
        opened.opened_on = CASES_OPENED
        opened.save()
    return build_world(dict(locals()), tmp_path)


def make_people():
    """The personas of tests/conftest.py, made the same way (for a whole module at once),
    with the stranger."""
    school = SchoolFactory(name="Testwood Primary School")
    other_school = SchoolFactory(name="Elsewhere Academy")
    oak = SchoolClassFactory(school=school, name="Oak", year_group=3)
    ash = SchoolClassFactory(school=school, name="Ash", year_group=4)
    people = {
        "school": school,
        "coordinator": staff(school, Role.COORDINATOR, username="coordinator", first_name="Cora"),
        "mentor": staff(school, Role.MENTOR, username="mentor", first_name="Mina", hours=6),
        "other_mentor": staff(school, Role.MENTOR, username="mentor2", first_name="Milo", hours=3),
        "head": staff(school, Role.HEAD, username="head", first_name="Hedda"),
        "dsl": staff(school, Role.DSL, username="dsl", first_name="Desmond"),
        "sendco": staff(school, Role.SENDCO, username="sendco", first_name="Senna"),
        "office": staff(school, Role.OFFICE, username="office", first_name="Olive"),
        "class_teacher": staff(school, Role.CLASS_TEACHER, username="teacher", first_name="Tess"),
        "other_teacher": staff(school, Role.CLASS_TEACHER, username="teacher2", first_name="Theo"),
        "teaching_assistant": staff(
            school, Role.TEACHING_ASSISTANT, username="ta", first_name="Tam"
        ),
        "stranger": make_stranger(other_school),
        "pupil": PupilFactory(school=school, school_class=oak, legal_first_name="Robin"),
        "other_class_pupil": PupilFactory(school=school, school_class=ash, legal_first_name="Sky"),
    }
    assign(people["class_teacher"], oak, ClassStaff.Kind.TEACHER)
    assign(people["other_teacher"], ash, ClassStaff.Kind.TEACHER)
    assign(people["teaching_assistant"], oak, ClassStaff.Kind.ASSISTANT)
    people["case"] = CaseFactory(
        pupil=people["pupil"], mentor=people["mentor"], opened_on=CASES_OPENED
    )
    people["other_case"] = CaseFactory(
        pupil=people["other_class_pupil"], mentor=people["other_mentor"], opened_on=CASES_OPENED
    )
    return people


def leave_traces_of_the_stranger(w, people):
    """The stranger worked here last year, and left things behind: a referral they made, and
    the case of Kit (class Oak) that still names them as its mentor, with its slot and an
    action they own. Nothing of it may reach them now that they belong to another school."""
    school, stranger = people["school"], people["stranger"]
    kit = PupilFactory(
        school=school, school_class=people["pupil"].school_class, legal_first_name="Kit"
    )
    w.texts["Kit"] = kit.legal_first_name
    make_referral(kit, stranger)
    kits_case = CaseFactory(pupil=kit, mentor=stranger)
    ConsentRecord.objects.create(
        case=kits_case,
        decision=ConsentRecord.Decision.GIVEN,
        given_by="Sam Testparent",
        relationship="Father",
        method=ConsentRecord.Method.PHONE,
        decided_on=dt.date(2026, 9, 1),
        recorded_by=people["coordinator"],
    )
    slot = Slot.objects.create(
        school=school,
        mentor=stranger,
        room=w.room,
        weekday=2,
        starts_at=dt.time(9, 0),
        duration=30,
        block_starts_on=dt.date(2026, 9, 9),
        block_weeks=12,
        block_ends_on=dt.date(2026, 12, 9),
    )
    Allocation.objects.create(slot=slot, case=kits_case, starts_on=slot.block_starts_on)
    meeting = MeetingRecord.objects.create(
        case=kits_case,
        met_on=dt.date(2026, 10, 2),
        kind="parents",
        attendees="Sam Testparent",
        notes="Kit finds the walk to school hard.",
        recorded_by=stranger,
    )
    MeetingAction.objects.create(
        meeting=meeting, action="Ring home on Friday", owner=stranger, due_on=dt.date(2026, 12, 4)
    )


class LayoutStandIn:
    """Stands in for WeasyPrint's layout, which takes a second or more a document: the matrix
    asks who may print, and reads what would be printed (the HTML, kept after a PDF header).
    How documents are laid out is tested in tests/mentoring/test_pdf.py and beside each one."""

    def __init__(self, string, **kwargs):
        self.html = string
        title = re.search(r"<title>(.*?)</title>", string, re.S)
        self.metadata = SimpleNamespace(title=title and title.group(1).strip())

    def render(self, **kwargs):
        return self

    def write_pdf(self, **kwargs):
        return b"%PDF-1.7\n% laid out by the matrix's stand-in\n" + self.html.encode()


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """The school, built once for a whole test module in a transaction rolled back at its end,
    and one client with each persona's signed-in session (past two-step sign-in where their
    role needs it). Each request is to run in a savepoint rolled back after it."""
    generated = tmp_path_factory.mktemp("generated")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every request is rolled back, its session's last-seen time with it, so the sessions
    # would look idle after half an hour of a slow run; idle sign-out is tested elsewhere.
    idle = dt.timedelta(days=1)
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=fast,
            GENERATED_DIR=generated,
            MEDIA_ROOT=generated,
            SIGN_OUT_WHEN_IDLE=idle,
        ),
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        _freeze_today(patch)
        patch.setattr(pdf.weasyprint, "HTML", LayoutStandIn)
        people = make_people()
        world = build_world(people, generated)
        leave_traces_of_the_stranger(world, people)
        client, sessions = Client(raise_request_exception=True), {}
        for persona, user in world.users.items():
            client.cookies = SimpleCookie()
            client.force_login(user)
            if needs_second_step(user):
                pass_second_step(client, user)
            sessions[persona] = copy.deepcopy(client.cookies)
        yield SimpleNamespace(world=world, client=client, sessions=sessions)
        transaction.set_rollback(True)
