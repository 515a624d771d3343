"""The demo data: a believable school to try every role with, the same on every run."""

import datetime as dt
import io
import itertools

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from stdnum.gb import upn as upn_number

from mentoring import demo
from mentoring.calendar import school_days_between
from mentoring.models import (
    AcademicYear,
    Case,
    ClassStaff,
    ClosureDay,
    Pupil,
    Role,
    Room,
    School,
    SchoolClass,
    SenStatus,
    StaffMember,
    StaffRole,
    Term,
    User,
    YearGroup,
)
from mentoring.permissions import safeguarding_alerts
from referrals.models import ConsentLetter, ConsentRecord, Referral
from referrals.services import OPEN_STATUSES, consent_in_force
from reviews.closure import exit_questionnaires_missing
from reviews.meetings import open_actions_for
from reviews.models import (
    Administration,
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
from reviews.termly import reviews_due, term_containing
from sessions.book import AttendanceBook, SessionBook, adherence, running_between
from sessions.models import Allocation, SessionRecord, Slot
from sessions.week import mentor_allocations, my_week

pytestmark = pytest.mark.django_db

# Who a visitor can sign in as, and what each of them should be able to see.
LOGIN_ROLES = {
    "head": {Role.HEAD, Role.DSL},
    "sendco": {Role.SENDCO},
    "coordinator": {Role.COORDINATOR},
    "mentor": {Role.MENTOR},
    "mentor2": {Role.MENTOR},
    "teacher": {Role.CLASS_TEACHER},
    "ta": {Role.TEACHING_ASSISTANT},
    "office": {Role.OFFICE},
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is slow on purpose; these tests check which password works, not how
    # strongly it is stored.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_demo():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def output():
    return seed_demo()


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """The demo seeded once for the tests that only read it, and rolled back after them.

    Seeding takes seconds; doing it once keeps this module quick. Each test still runs in
    its own savepoint inside this transaction, so a test that writes changes nothing here.
    """
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield seed_demo()
        transaction.set_rollback(True)


@pytest.fixture
def demo_school(seeded_once):
    return School.objects.get(name="Larkspur Hill Primary School")


def row_counts():
    """Rows in every table of the apps, historical and many-to-many tables included."""
    return {
        model._meta.label: model.objects.count()
        for app in ("mentoring", "referrals", "mentoring_sessions", "reviews")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }


def test_about_210_pupils_on_roll_in_seven_classes_from_reception_to_year_6(demo_school):
    pupils = Pupil.objects.filter(school=demo_school).on_roll()
    assert 200 <= pupils.count() <= 220
    classes = SchoolClass.objects.filter(school=demo_school)
    assert sorted(classes.values_list("year_group", flat=True)) == list(YearGroup.values)
    for school_class in classes:
        assert 25 <= school_class.pupils.count() <= 30
    assert not pupils.filter(school_class__isnull=True).exists()
    for pupil in pupils.select_related("school_class"):
        assert pupil.school_class.year_group == pupil.year_group


def this_year(school):
    today = timezone.localdate()
    return AcademicYear.objects.get(school=school, starts_on__lte=today, ends_on__gte=today)


def test_dates_of_birth_fit_the_year_group(demo_school):
    start = this_year(demo_school).starts_on.year
    for pupil in Pupil.objects.filter(school=demo_school):
        # Reception children turn 5 during the school year; UK cut-off 1 September.
        born_from = dt.date(start - 5 - pupil.year_group, 9, 1)
        born_by = dt.date(start - 4 - pupil.year_group, 8, 31)
        assert born_from <= pupil.date_of_birth <= born_by, pupil


def test_every_upn_is_valid_and_unique(demo_school):
    upns = list(Pupil.objects.filter(school=demo_school).values_list("upn", flat=True))
    assert all(upn_number.is_valid(upn) for upn in upns)
    assert len(set(upns)) == len(upns)


def test_the_roll_has_the_mix_a_school_has(demo_school):
    pupils = Pupil.objects.filter(school=demo_school)
    total = pupils.count()
    sen_support = pupils.filter(sen_status=SenStatus.SEN_SUPPORT).count()
    ehc_plans = pupils.filter(sen_status=SenStatus.EHC_PLAN).count()
    assert 0 < ehc_plans < sen_support < total / 2
    assert 0 < pupils.filter(looked_after=True).count() <= 6
    assert 0 < pupils.filter(pupil_premium=True).count() < total / 2
    assert 0 < pupils.filter(eal=True).count() < total / 2
    assert pupils.exclude(ethnicity="").count() > total * 0.8
    assert {"F", "M"} <= set(pupils.values_list("gender", flat=True))


def test_every_pupil_has_one_or_two_made_up_contacts(demo_school):
    for pupil in Pupil.objects.filter(school=demo_school).prefetch_related("contacts"):
        contacts = list(pupil.contacts.all())
        assert 1 <= len(contacts) <= 2, pupil
        for contact in contacts:
            # Ofcom's range for drama and a reserved domain: nobody real gets a call.
            assert contact.phone.startswith("07700 900")
            assert contact.email.endswith("@example.org")


def test_every_demo_login_signs_in_with_the_one_password_and_holds_its_roles(demo_school):
    assert demo.DEMO_PASSWORD == "larkspur-demo"
    for username, roles in LOGIN_ROLES.items():
        user = authenticate(username=username, password=demo.DEMO_PASSWORD)
        assert user is not None, username
        assert user.title and user.first_name and user.last_name
        held = StaffRole.objects.filter(staff_member__user=user, staff_member__school=demo_school)
        assert set(held.values_list("role", flat=True)) == roles, username
    hours = dict(StaffMember.objects.values_list("user__username", "mentoring_hours"))
    assert (hours["mentor"], hours["mentor2"]) == (6, 3)


def test_every_role_is_held_by_someone(demo_school):
    held = StaffRole.objects.filter(staff_member__school=demo_school)
    assert set(held.values_list("role", flat=True)) == set(Role.values)


def test_every_class_has_a_teacher_and_the_teacher_and_ta_share_year_4(demo_school):
    for school_class in SchoolClass.objects.filter(school=demo_school):
        assert school_class.staff.filter(kind=ClassStaff.Kind.TEACHER).exists(), school_class
    teacher = ClassStaff.objects.get(user__username="teacher")
    assistant = ClassStaff.objects.get(user__username="ta")
    assert teacher.kind == ClassStaff.Kind.TEACHER
    assert assistant.kind == ClassStaff.Kind.ASSISTANT
    assert teacher.school_class == assistant.school_class
    assert teacher.school_class.year_group == YearGroup.YEAR_4


def test_this_school_years_three_terms_with_half_terms_in_order(demo_school):
    year = this_year(demo_school)
    assert year.starts_on == dt.date(year.starts_on.year, 9, 1)
    assert year.starts_on <= timezone.localdate() <= year.ends_on
    terms = list(Term.objects.filter(academic_year=year).order_by("starts_on"))
    assert [term.name for term in terms] == ["autumn", "spring", "summer"]
    for term in terms:
        assert (
            year.starts_on
            <= term.starts_on
            < term.half_term_starts_on
            < term.half_term_ends_on
            < term.ends_on
            <= year.ends_on
        )
        assert term.half_term_starts_on.strftime("%a") == "Mon"
        assert term.half_term_ends_on.strftime("%a") == "Fri"
    for earlier, later in itertools.pairwise(terms):
        assert earlier.ends_on < later.starts_on


def test_at_least_five_inset_days_on_term_time_weekdays(demo_school):
    terms = list(Term.objects.filter(academic_year__school=demo_school))
    insets = ClosureDay.objects.filter(school=demo_school, kind=ClosureDay.Kind.INSET)
    assert insets.count() >= 5
    for inset in insets:
        assert inset.date.weekday() < 5
        assert any(term.is_term_time(inset.date) for term in terms), inset


def test_the_2026_27_calendar():
    school = demo.seed(today=dt.date(2026, 11, 23))
    terms = {
        term.name: term
        for term in Term.objects.filter(academic_year__school=school, academic_year__name="2026/27")
    }
    years = AcademicYear.objects.filter(school=school).order_by("starts_on")
    assert [year.name for year in years] == ["2025/26", "2026/27"]
    assert terms["autumn"].starts_on == dt.date(2026, 9, 1)
    assert terms["autumn"].half_term_starts_on == dt.date(2026, 10, 26)
    assert terms["spring"].half_term_starts_on == dt.date(2027, 2, 15)
    # Easter Sunday 2027 is 28 March: spring term ends before Good Friday.
    assert terms["spring"].ends_on == dt.date(2027, 3, 25)
    assert terms["summer"].half_term_starts_on == dt.date(2027, 5, 31)
    bank_holidays = dict(
        ClosureDay.objects.filter(school=school, kind=ClosureDay.Kind.BANK_HOLIDAY).values_list(
            "date", "description"
        )
    )
    assert bank_holidays[dt.date(2027, 3, 26)] == "Good Friday"
    assert bank_holidays[dt.date(2027, 3, 29)] == "Easter Monday"
    assert bank_holidays[dt.date(2027, 5, 3)] == "Early May bank holiday"
    assert bank_holidays[dt.date(2027, 5, 31)] == "Spring bank holiday"
    assert bank_holidays[dt.date(2026, 12, 28)] == "Boxing Day (substitute day)"


def test_last_years_cases_ran_in_last_years_stored_calendar():
    """The history's cases held their sessions in last year's terms, which the demo stores,
    so what was expected of them can be worked out: every one of them expected sessions and
    held some, and every expected session has its record (held or not)."""
    today = dt.date(2026, 11, 23)
    school = demo.seed(today=today)
    last_year = AcademicYear.objects.get(school=school, name="2025/26")
    assert [t.name for t in last_year.terms.order_by("starts_on")] == [
        "autumn",
        "spring",
        "summer",
    ]
    allocations = running_between(
        Allocation.objects.filter(case__school=school), last_year.starts_on, last_year.ends_on
    ).filter(case__opened_on__lt=dt.date(2026, 9, 1))
    book = AttendanceBook(allocations, until=today)
    figures = adherence(book, today)
    assert len(figures) >= 10
    for case_id, figure in figures.items():
        assert figure.expected > 0, case_id
        assert 0 < figure.held <= figure.expected, case_id
        assert "Not recorded yet" not in figure.reasons, case_id
    # And no record on a day the block did not expect: the history counts a block's weeks
    # as the app does (a closure day's week counts, with no session), so the records stop
    # where the slot's block ends.
    records = SessionRecord.objects.filter(case_id__in=figures).count()
    assert records == sum(figure.expected for figure in figures.values())


@pytest.mark.parametrize(
    "year, easter",
    [(2024, (3, 31)), (2025, (4, 20)), (2026, (4, 5)), (2027, (3, 28)), (2038, (4, 25))],
)
def test_easter_sunday(year, easter):
    assert demo.easter_sunday(year) == dt.date(year, *easter)


def test_a_corridor_is_there_but_not_for_one_to_one_work(demo_school):
    corridor = Room.objects.get(school=demo_school, name__icontains="corridor")
    assert not corridor.suitable_for_one_to_one
    assert Room.objects.filter(school=demo_school, suitable_for_one_to_one=True).count() >= 3


def test_mentors_have_open_cases_one_in_the_teachers_class(demo_school):
    cases = Case.objects.filter(school=demo_school).open()
    assert cases.filter(mentor__username="mentor").count() == 4
    # Three of their own and two more pupils in the small group.
    assert cases.filter(mentor__username="mentor2").count() == 5
    teachers_class = ClassStaff.objects.get(user__username="teacher").school_class
    assert cases.filter(pupil__school_class=teachers_class).exists()


def test_running_again_changes_nothing(output):
    before = row_counts()
    seed_demo()
    # Every save writes a history row, so equal counts also mean nothing was changed.
    assert row_counts() == before
    assert before["mentoring.Pupil"] > 0 and before["mentoring.HistoricalPupil"] > 0
    assert before["referrals.Referral"] > 0 and before["referrals.HistoricalReferral"] > 0
    assert before["referrals.ConsentRecord"] > 0
    assert before["mentoring_sessions.Slot"] > 0
    assert before["mentoring_sessions.HistoricalAllocation"] > 0
    assert before["mentoring_sessions.SessionRecord"] > 0
    assert before["mentoring_sessions.HistoricalSessionRecord"] > 0
    assert before["reviews.Administration"] > 0 and before["reviews.HistoricalAnswer"] > 0
    assert before["reviews.Target"] > 0 and before["reviews.TargetProgress"] > 0
    assert before["reviews.MeetingAction"] > 0 and before["reviews.TermlyReview"] > 0
    assert before["reviews.CaseClosure"] == 1


def test_the_data_is_the_same_on_every_run(output):
    def roll():
        return list(
            Pupil.objects.order_by("upn").values_list("upn", "legal_first_name", "date_of_birth")
        )

    def referrals():
        return sorted(Referral.objects.values_list("pupil__upn", "status", "referred_by"))

    def sessions():
        slots = Allocation.objects.values_list(
            "case__pupil__upn", "slot__weekday", "slot__starts_at", "slot__room__name"
        )
        records = SessionRecord.objects.values_list(
            "case__pupil__upn", "date", "attendance", "what_was_done"
        )
        return sorted(slots), sorted(records)

    def reviews():
        answers = Administration.objects.values_list(
            "case__pupil__upn", "questionnaire__kind", "stage", "completed_on", "answers__value"
        )
        progress = TargetProgress.objects.values_list(
            "target__case__pupil__upn", "target__what", "record__date", "rating"
        )
        decided = TermlyReview.objects.values_list("case__pupil__upn", "decision", "decided_on")
        return sorted(answers), sorted(progress), sorted(decided)

    first, referred, booked, reviewed = roll(), referrals(), sessions(), reviews()
    # The reviews app protects what it refers to: its rows go first.
    for model in (CaseClosure, TermlyReview, MeetingRecord, Observation, InstrumentScore):
        model.objects.all().delete()
    TargetProgress.objects.all().delete()
    Target.objects.all().delete()
    Administration.objects.all().delete()
    SessionRecord.objects.all().delete()
    Allocation.objects.all().delete()
    Slot.objects.all().delete()
    ConsentRecord.objects.all().delete()
    ConsentLetter.objects.all().delete()
    Referral.objects.all().delete()
    Case.objects.all().delete()
    Pupil.objects.all().delete()
    seed_demo()
    assert roll() == first
    assert referrals() == referred
    assert sessions() == booked
    assert reviews() == reviewed


def test_the_output_names_every_login_and_the_password(output):
    assert "http://127.0.0.1:8000" in output
    for username in LOGIN_ROLES:
        assert f"  {username} " in output
    assert "Head teacher, Designated safeguarding lead" in output
    assert demo.DEMO_PASSWORD in output


def test_never_in_production(settings):
    settings.PRODUCTION = True
    before = User.objects.count()
    with pytest.raises(CommandError):
        seed_demo()
    assert User.objects.count() == before


# --- Referrals -----------------------------------------------------------------------------


def test_referrals_at_every_status(demo_school):
    statuses = Referral.objects.filter(school=demo_school).values_list("status", flat=True)
    assert set(statuses) == set(Referral.Status.values)


def test_no_pupil_has_two_open_referrals_or_a_case_and_an_open_referral(demo_school):
    for referral in Referral.objects.filter(school=demo_school, status__in=OPEN_STATUSES):
        pupil = referral.pupil
        assert pupil.referrals.filter(status__in=OPEN_STATUSES).count() == 1, pupil
        assert not Case.objects.filter(pupil=pupil).open().exists(), pupil


def test_the_queue_has_new_referrals_of_every_kind_waiting_different_times(demo_school):
    today = timezone.localdate()
    new = Referral.objects.filter(school=demo_school, status=Referral.Status.NEW)
    assert len({referral.days_waiting(today) for referral in new}) >= 3
    assert len({referral.pupil.school_class_id for referral in new}) == new.count()
    assert new.filter(pupil_asked_for_help=True).exists()
    assert new.filter(short_term=True).exclude(short_term_details="").exists()
    for referral in new:
        assert referral.criteria.exists() and referral.barriers.exists(), referral
        assert referral.needs_and_strengths and referral.already_tried, referral
        # No placeholder left unfilled.
        assert "{" not in referral.needs_and_strengths + referral.already_tried, referral


def test_every_date_is_in_the_past_and_in_order(demo_school):
    now = timezone.now()
    for referral in Referral.objects.filter(school=demo_school):
        assert referral.created_at <= now, referral
        if referral.submitted_at:
            assert referral.created_at <= referral.submitted_at < now, referral
        if referral.prioritised_on:
            assert timezone.localdate(referral.submitted_at) <= referral.prioritised_on
        if referral.decided_at:
            assert referral.submitted_at < referral.decided_at < now, referral
    for record in ConsentRecord.objects.filter(case__school=demo_school):
        letter = record.case.consent_letters.get()
        assert letter.sent_on <= record.decided_on <= timezone.localdate()
        assert record.recorded_at < now


def test_triage_is_recorded_with_who_did_it(demo_school):
    discussed = Referral.objects.get(school=demo_school, status=Referral.Status.UNDER_DISCUSSION)
    note = discussed.discussions.get()
    assert note.discussed_on < timezone.localdate()
    assert note.author.username == "coordinator"
    assert "class teacher" in note.with_whom.lower()
    prioritised = Referral.objects.get(school=demo_school, status=Referral.Status.PRIORITISED)
    assert prioritised.priority == Referral.Priority.HIGH
    assert prioritised.prioritised_by.username == "coordinator"
    panel = set(prioritised.panel.values_list("username", flat=True))
    assert panel == {"head", "sendco", "coordinator"}
    for referral in Referral.objects.filter(school=demo_school).exclude(status="draft"):
        first = referral.history.earliest("history_date")
        assert first.history_user == referral.referred_by, referral
    referrers = Referral.objects.filter(school=demo_school).values_list(
        "referred_by__username", flat=True
    )
    assert {"teacher", "head", "sendco"} <= set(referrers)


def test_the_teacher_has_a_draft_and_a_decline_with_its_reason(demo_school):
    oak = ClassStaff.objects.get(user__username="teacher").school_class
    mine = Referral.objects.filter(referred_by__username="teacher")
    assert mine.filter(pupil__school_class=oak).count() >= 2
    assert mine.filter(status=Referral.Status.DRAFT).exists()
    declined = Referral.objects.get(school=demo_school, status=Referral.Status.DECLINED)
    assert declined.referred_by.username == "teacher"
    assert declined.pupil.school_class == oak
    assert declined.decline_reason and declined.decided_by.username == "coordinator"


def test_every_mentors_open_case_came_from_a_referral_and_has_consent(demo_school):
    today = timezone.localdate()
    cases = Case.objects.filter(school=demo_school, mentor__username__in=["mentor", "mentor2"])
    assert cases.open().count() == 9
    for case in cases.open():
        assert case.referral.status == Referral.Status.ACCEPTED, case
        assert case.referral.support_type == case.support_type, case
        assert timezone.localdate(case.referral.decided_at) == case.opened_on, case
        assert consent_in_force(case, today), case


def test_accepted_referrals_show_consent_at_every_stage(demo_school):
    today = timezone.localdate()
    accepted = Case.objects.filter(school=demo_school, referral__status=Referral.Status.ACCEPTED)
    assert any(consent_in_force(case, today) for case in accepted)
    assert accepted.filter(consent_letters__isnull=True).open().exists()
    waiting = [
        school_days_between(demo_school, case.consent_letters.get().sent_on, today)
        for case in accepted.open().filter(consent_records__isnull=True)
        if case.consent_letters.exists()
    ]
    assert any(days > demo_school.consent_chase_after for days in waiting)
    assert any(days <= 3 for days in waiting)
    refused = accepted.get(consent_records__decision=ConsentRecord.Decision.REFUSED)
    assert refused.status == Case.Status.CLOSED
    assert not consent_in_force(refused, today)


# --- Sessions ------------------------------------------------------------------------------


def _mentor(username):
    return User.objects.get(username=username)


def test_every_open_case_of_the_mentors_has_a_slot_in_a_suitable_room(demo_school):
    today = timezone.localdate()
    cases = Case.objects.filter(school=demo_school, mentor__username__in=["mentor", "mentor2"])
    for case in cases.open():
        allocation = Allocation.objects.select_related("slot__room").get(
            case=case, ended_on__isnull=True
        )
        slot = allocation.slot
        assert slot.mentor == case.mentor, case
        assert slot.room.suitable_for_one_to_one, slot
        assert 30 <= slot.duration <= 45, slot
        assert 6 <= slot.block_weeks <= 8, slot
        # Started this autumn and still running this week.
        assert slot.block_starts_on < today - dt.timedelta(days=today.weekday()), slot
        assert slot.last_day >= today - dt.timedelta(days=today.weekday()), slot
        # The coordinator allocated it.
        assert allocation.history.earliest().history_user.username == "coordinator"
        assert slot.history.earliest().history_user.username == "coordinator"


def test_the_mentors_slots_are_spread_over_the_week_within_their_hours(demo_school):
    for username, hours in (("mentor", 6), ("mentor2", 3)):
        slots = Slot.objects.filter(school=demo_school, mentor__username=username)
        assert slots.exists()
        assert sum(slot.duration for slot in slots) <= hours * 60, username
        assert len({slot.weekday for slot in slots}) >= 3, username
    corridor = Room.objects.get(school=demo_school, name__icontains="corridor")
    assert not Slot.objects.filter(room=corridor).exists()


def test_one_slot_is_a_small_group(demo_school):
    sizes = [
        slot.allocations.filter(ended_on__isnull=True).count()
        for slot in Slot.objects.filter(school=demo_school)
    ]
    assert any(2 <= size <= 3 for size in sizes)
    assert all(size <= demo_school.group_size_limit for size in sizes)


def test_my_week_has_sessions_this_week_and_one_overdue(demo_school):
    today = timezone.localdate()
    this_week, earlier = my_week(mentor_allocations(_mentor("mentor")), today)
    assert this_week
    monday = today - dt.timedelta(days=today.weekday())
    assert all(session.date >= monday for session in this_week)
    # This week's sessions are not logged yet.
    assert all(session.record is None for session in this_week)
    assert any(session.status == "overdue" for session in earlier)
    assert all(session.record is None and session.date < monday for session in earlier)


def test_past_sessions_have_records_by_their_mentor(demo_school):
    records = SessionRecord.objects.filter(case__school=demo_school).select_related("case", "slot")
    today = timezone.localdate()
    A = SessionRecord.Attendance
    kinds = [record.attendance for record in records]
    assert kinds.count(A.HELD) > len(kinds) / 2
    assert kinds.count(A.PUPIL_ABSENT) >= 2
    assert kinds.count(A.CANCELLED) == 1 and kinds.count(A.MENTOR_ABSENT) == 1
    assert records.get(attendance=A.CANCELLED).cancel_reason
    monday = today - dt.timedelta(days=today.weekday())
    for record in records:
        assert record.date < monday, record
        assert record.author == record.slot.mentor == record.case.mentor, record
        assert record.history.earliest().history_user == record.author, record
        assert timezone.localdate(record.created_at) == record.date, record
        if record.attendance == A.HELD:
            assert record.what_was_done and record.next_steps, record
            assert 1 <= record.pupil_feeling <= 5, record
            assert "{" not in record.what_was_done + record.next_steps, record
    # The first held session of every case carries the first meeting's checklist.
    for case_id in set(records.values_list("case", flat=True)):
        held = records.filter(case=case_id, attendance=A.HELD).order_by("date")
        first, *rest = held
        assert all(getattr(first, name) for name in SessionRecord.FIRST_MEETING_FIELDS)
        for later in rest:
            assert not any(getattr(later, name) for name in SessionRecord.FIRST_MEETING_FIELDS)


def test_a_flagged_record_waits_for_the_dsl(demo_school):
    flagged = SessionRecord.objects.get(case__school=demo_school, safeguarding_concern=True)
    assert flagged.author.username == "mentor"
    assert flagged.dsl_seen_at is None and flagged.dsl_seen_by is None
    assert "DSL" in flagged.what_was_done
    alerts = safeguarding_alerts(_mentor("head")).filter(dsl_seen_at__isnull=True)
    assert list(alerts) == [flagged]


def test_adherence_shows_held_against_expected_with_reasons(demo_school):
    today = timezone.localdate()
    for username in ("mentor", "mentor2"):
        book = SessionBook(mentor_allocations(_mentor(username)), until=today)
        figures = adherence(book, today)
        assert figures, username
        held = sum(f.held for f in figures.values())
        expected = sum(f.expected for f in figures.values())
        assert 0 < held < expected, username
        reasons = set().union(*(f.reasons for f in figures.values()))
        assert "Not recorded yet" in reasons, username
        assert len(reasons) >= 2, username


# --- Reviews -------------------------------------------------------------------------------


def _open_cases_of_the_mentors(school):
    return (
        Case.objects.filter(school=school, mentor__username__in=["mentor", "mentor2"])
        .open()
        .select_related("mentor", "pupil")
    )


def _mean(administration):
    values = list(administration.answers.values_list("value", flat=True))
    return sum(values) / len(values)


def test_the_school_has_the_default_questionnaires(demo_school):
    kinds = Questionnaire.objects.filter(school=demo_school, current=True).values_list(
        "kind", flat=True
    )
    assert set(kinds) == set(Questionnaire.Kind.values)
    first = Questionnaire.objects.filter(school=demo_school).first().history.earliest()
    assert first.history_user.username == "coordinator"


def test_every_open_case_of_the_mentors_has_a_baseline_and_targets(demo_school):
    K = Questionnaire.Kind
    with_pupil_answers = 0
    for case in _open_cases_of_the_mentors(demo_school):
        allocation = Allocation.objects.get(case=case, ended_on__isnull=True)
        given = case.administrations.select_related("questionnaire")
        baseline = given.get(stage=Administration.Stage.ENTRY, questionnaire__kind=K.STAFF_RATING)
        # Around the time the slot started, answered in full, mostly low to middling.
        assert abs((baseline.completed_on - allocation.starts_on).days) <= 7, case
        assert baseline.recorded_by == case.mentor, case
        assert baseline.answers.count() == baseline.questionnaire.items.count(), case
        assert 1.5 <= _mean(baseline) <= 3.5, case
        assert not given.filter(stage=Administration.Stage.EXIT).exists(), case
        with_pupil_answers += given.filter(questionnaire__kind=K.PUPIL).exists()
        targets = case.targets.all()
        assert 2 <= targets.count() <= 3, case
        for target in targets:
            assert target.what and target.measure and target.success, target
            assert allocation.starts_on < target.by_when, target
            assert target.outcome_area and target.set_by == case.mentor, target
            assert target.history.earliest().history_user == case.mentor, target
            assert "{" not in target.what + target.measure + target.success, target
    assert 0 < with_pupil_answers < _open_cases_of_the_mentors(demo_school).count()
    assert Target.objects.filter(case__school=demo_school).exclude(iep_reference="").exists()


def test_session_records_carry_progress_that_improves(demo_school):
    held = SessionRecord.objects.filter(
        case__in=_open_cases_of_the_mentors(demo_school), attendance=SessionRecord.Attendance.HELD
    )
    with_progress = held.filter(target_progress__isnull=False).distinct()
    assert with_progress.count() > held.count() / 2
    for entry in TargetProgress.objects.filter(record__case__school=demo_school):
        assert entry.record.case_id == entry.target.case_id, entry
        assert entry.history.earliest().history_user == entry.record.author, entry
        assert entry.note and "{" not in entry.note, entry
    for target in Target.objects.filter(case__school=demo_school):
        ratings = list(target.progress.order_by("record__date").values_list("rating", flat=True))
        assert ratings == sorted(ratings), target
    achieved = Target.objects.filter(case__school=demo_school, status=Target.Status.ACHIEVED)
    assert achieved.filter(case__status=Case.Status.OPEN).exists()
    for target in achieved:
        assert target.progress.order_by("record__date").last().rating == TargetProgress.Rating.MET


def test_some_cases_have_a_classroom_and_a_playground_observation(demo_school):
    observed = Observation.objects.filter(case__school=demo_school).select_related("case")
    settings = {}
    for observation in observed:
        assert observation.observer == observation.case.mentor, observation
        assert observation.observed_on <= timezone.localdate(), observation
        settings.setdefault(observation.case_id, set()).add(observation.setting)
    both = {Observation.Setting.CLASSROOM, Observation.Setting.PLAYGROUND}
    assert sum(found == both for found in settings.values()) >= 2


def test_meetings_leave_actions_open_overdue_and_done(demo_school):
    today = timezone.localdate()
    meetings = MeetingRecord.objects.filter(case__school=demo_school)
    kinds = set(meetings.values_list("kind", flat=True))
    assert {MeetingRecord.Kind.PARENTS, MeetingRecord.Kind.CLASS_TEACHER} <= kinds
    for meeting in meetings.select_related("case"):
        assert meeting.recorded_by == meeting.case.mentor, meeting
        assert meeting.met_on <= today and "{" not in meeting.notes, meeting
    teachers = open_actions_for(User.objects.get(username="teacher"), today)
    assert teachers and all(
        today < action.due_on <= today + dt.timedelta(days=7) for action in teachers
    )
    coordinators = open_actions_for(User.objects.get(username="coordinator"), today)
    assert any(action.overdue for action in coordinators)
    done = MeetingAction.objects.filter(meeting__case__school=demo_school, done_on__isnull=False)
    assert done.exists()
    for action in done:
        assert action.meeting.met_on <= action.done_on <= today, action
        assert action.history.latest().history_user == action.owner, action


def test_reviews_decided_waiting_and_due(demo_school):
    today = timezone.localdate()
    term = term_containing(demo_school, today)
    reviews = TermlyReview.objects.filter(case__school=demo_school, term=term)
    decided = reviews.filter(decision=TermlyReview.Decision.CONTINUE, case__status="open")
    assert decided.count() >= 2
    for review in decided.select_related("case__pupil__school_class", "case__mentor"):
        class_teacher = ClassStaff.objects.get(
            school_class=review.case.pupil.school_class, kind=ClassStaff.Kind.TEACHER
        ).user
        assert review.prepared_by == review.case.mentor, review
        assert review.teacher == class_teacher, review
        assert review.decided_by.username == "coordinator", review
        assert review.prepared_on <= review.teacher_added_on <= review.decided_on < today
        # The next review is in a later term (the spring term, in the autumn).
        assert review.next_review_on > term.ends_on, review
        assert review.history.latest().history_user.username == "coordinator", review
    # The Oak pupil's review has the "teacher" login's view and waits for the coordinator.
    oak = reviews.get(case__pupil__school_class__name="Oak")
    assert oak.teacher.username == "teacher" and not oak.decision
    _, due = reviews_due([demo_school.pk], today)
    assert any(case.review_id is None for case in due)
    assert any(case.review_id is not None for case in due)


def test_a_closed_case_with_its_questionnaires_and_case_study(demo_school):
    closure = CaseClosure.objects.select_related("case__pupil").get(case__school=demo_school)
    case = closure.case
    assert case.status == Case.Status.CLOSED and case.closed_on == closure.closed_on
    assert closure.reason == CaseClosure.Reason.TARGETS_MET
    assert closure.closed_by.username == "coordinator"
    assert case.opened_on <= closure.closed_on < timezone.localdate()
    for part in (closure.background, closure.what_was_done, closure.outcomes, closure.lessons):
        assert len(part) > 100 and "{" not in part and "?" not in part
    # Its referral, consent, block and records, all before it closed.
    assert case.referral.status == Referral.Status.ACCEPTED
    assert consent_in_force(case, case.opened_on + dt.timedelta(days=14))
    records = SessionRecord.objects.filter(case=case)
    assert records.count() >= 3
    assert all(record.date < closure.closed_on for record in records)
    assert not Allocation.objects.filter(case=case, ended_on__isnull=True).exists()
    # Entry and exit questionnaires, the exit higher, and the parents' view at exit.
    given = case.administrations.select_related("questionnaire")
    K, S = Questionnaire.Kind, Administration.Stage
    staff_entry = given.get(questionnaire__kind=K.STAFF_RATING, stage=S.ENTRY)
    staff_exit = given.get(questionnaire__kind=K.STAFF_RATING, stage=S.EXIT)
    assert _mean(staff_exit) > _mean(staff_entry)
    assert given.filter(questionnaire__kind=K.PUPIL, stage=S.EXIT).exists()
    assert given.filter(questionnaire__kind=K.PARENT, stage=S.EXIT).exists()
    assert exit_questionnaires_missing(case) == []
    assert all(a.completed_on <= closure.closed_on for a in given)
    assert set(case.targets.values_list("status", flat=True)) == {Target.Status.ACHIEVED}
    review = case.termly_reviews.get()
    assert review.decision == TermlyReview.Decision.CLOSE
    # The pupil has nothing else open.
    pupil = case.pupil
    assert not Case.objects.filter(pupil=pupil).open().exists()
    assert not pupil.referrals.filter(status__in=OPEN_STATUSES).exists()
