"""Who may see and do what: the one place that decides, for every app.

Deny by default. Every scope starts from the schools in which the user holds a role,
so nothing about a child crosses between the schools of a trust. Views never filter by
role themselves: lists start from a ``visible_*`` scope, object pages use a
``get_*_or_404`` getter (a hidden object is "not found", so its existence is not
revealed), and actions ask a ``can_*`` predicate.
"""

from datetime import timedelta

from django.db.models import Q
from django.shortcuts import get_object_or_404

from referrals.models import Referral
from reviews.models import MeetingAction, ProgrammeAction, ProgrammeMeeting
from sessions.models import SessionRecord, Slot

from .models import (
    Case,
    ClassStaff,
    Pupil,
    Resource,
    Role,
    SchoolClass,
    StaffMember,
    StaffRole,
    TrainingRecord,
)

# Roles that see every pupil on the roll of their school.
ROSTER_ROLES = (Role.OFFICE, Role.COORDINATOR, Role.HEAD, Role.SENDCO, Role.DSL)
# Roles that see every mentoring case of their school.
CASE_OVERSIGHT_ROLES = (Role.COORDINATOR, Role.HEAD, Role.SENDCO, Role.DSL)
# Roles that maintain the school's set-up: roster, calendar, rooms, classes and staff.
SETUP_ROLES = (Role.OFFICE,)
# Roles that may read the change history of a pupil's record.
PUPIL_HISTORY_ROLES = (Role.OFFICE, Role.COORDINATOR, Role.HEAD, Role.DSL)
# Roles that may read the change history of a case.
CASE_HISTORY_ROLES = (Role.COORDINATOR, Role.HEAD, Role.DSL)
# Roles that must sign in in two steps: they see every case of their school, safeguarding
# included, so a stolen password alone must not open their accounts.
SECOND_FACTOR_ROLES = (Role.HEAD, Role.DSL, Role.COORDINATOR)
# Roles that see who has viewed, printed or downloaded a pupil's file (the access log).
ACCESS_LOG_ROLES = (Role.COORDINATOR, Role.DSL, Role.HEAD)
# Roles that see the school's staff list and mentors' capacity.
STAFF_LIST_ROLES = (Role.OFFICE, Role.COORDINATOR, Role.HEAD)
# The prioritisation panel: they see the referral queue and triage.
PANEL_ROLES = (Role.COORDINATOR, Role.HEAD, Role.SENDCO)
# Who may refer: class teachers and TAs for their own classes; these for the whole school.
WHOLE_SCHOOL_REFERRER_ROLES = (Role.HEAD, Role.SENDCO, Role.COORDINATOR)
# Who sends consent letters, records consent and edits the school's referral lists.
CONSENT_ROLES = (Role.COORDINATOR, Role.HEAD)


def roles_by_school(user):
    """{school_id: frozenset(roles)} for the user, loaded once per request and kept on it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_roles_by_school", None)
    if cached is None:
        found = {}
        rows = StaffRole.objects.filter(staff_member__user=user).values_list(
            "staff_member__school_id", "role"
        )
        for school_id, role in rows:
            found.setdefault(school_id, set()).add(role)
        for school_id in StaffMember.objects.filter(user=user).values_list("school_id", flat=True):
            found.setdefault(school_id, set())
        cached = {school_id: frozenset(roles) for school_id, roles in found.items()}
        user._roles_by_school = cached
    return cached


def user_schools(user):
    """Ids of every school the user belongs to, whatever their roles there."""
    return set(roles_by_school(user))


def schools_where(user, *roles):
    """Ids of the schools in which the user holds any of ``roles``."""
    return {school for school, held in roles_by_school(user).items() if held.intersection(roles)}


def has_role(user, *roles, school=None):
    """Does the user hold any of ``roles`` (in ``school``, when given)?"""
    schools = schools_where(user, *roles)
    if school is None:
        return bool(schools)
    return getattr(school, "pk", school) in schools


def all_roles(user):
    """Every role the user holds in any school, in the order of ``Role``."""
    held = set().union(*roles_by_school(user).values()) if roles_by_school(user) else set()
    return [role for role in Role if role in held]


# --- Scopes: every list starts here ---------------------------------------------------------


def visible_pupils(user):
    """Pupils the user may see: the whole roll for office and oversight roles, a class
    teacher's or TA's own classes, and a mentor's own caseload."""
    member_of = user_schools(user)
    if not member_of:
        return Pupil.objects.none()
    own_classes = ClassStaff.objects.filter(
        user=user, school_class__school_id__in=member_of
    ).values("school_class_id")
    own_caseload = Case.objects.filter(
        mentor=user, school_id__in=schools_where(user, Role.MENTOR)
    ).values("pupil_id")
    return Pupil.objects.filter(
        Q(school_id__in=schools_where(user, *ROSTER_ROLES))
        | Q(school_class_id__in=own_classes)
        | Q(pk__in=own_caseload)
    )


def sees_any_pupil(user):
    """Whether ``visible_pupils`` has anyone for the user (the menu's "Pupils", on every
    page). Two of the scope's parts are asked first on their own, each a third of the
    whole's cost: the whole roll, for office and oversight roles, and a mentor's caseload."""
    roll = schools_where(user, *ROSTER_ROLES)
    if roll and Pupil.objects.filter(school_id__in=roll).exists():
        return True
    mentoring = schools_where(user, Role.MENTOR)
    if mentoring and Case.objects.filter(mentor=user, school_id__in=mentoring).exists():
        return True
    return visible_pupils(user).exists()


def visible_cases(user):
    """Cases the user may open: every case of the school for the coordinator, head, SENDCO
    and DSL; a mentor's own caseload. Office staff and class teachers see no case content."""
    if not user_schools(user):
        return Case.objects.none()
    return Case.objects.filter(
        Q(school_id__in=schools_where(user, *CASE_OVERSIGHT_ROLES))
        | Q(mentor=user, school_id__in=schools_where(user, Role.MENTOR))
    )


def visible_staff(user):
    """Staff memberships the user may list: their schools' staff, for office and leaders."""
    return StaffMember.objects.filter(school_id__in=schools_where(user, *STAFF_LIST_ROLES))


def visible_classes(user):
    """Classes of the schools whose roll the user sees, plus their own classes."""
    return SchoolClass.objects.filter(
        Q(school_id__in=schools_where(user, *ROSTER_ROLES)) | Q(staff__user=user)
    ).distinct()


def referrable_pupils(user):
    """Pupils the user may refer: their own class's, or the whole roll for the head, SENDCO
    and coordinator."""
    own_classes = ClassStaff.objects.filter(
        user=user,
        school_class__school_id__in=schools_where(
            user, Role.CLASS_TEACHER, Role.TEACHING_ASSISTANT
        ),
    ).values("school_class_id")
    return Pupil.objects.on_roll().filter(
        Q(school_id__in=schools_where(user, *WHOLE_SCHOOL_REFERRER_ROLES))
        | Q(school_class_id__in=own_classes)
    )


def visible_referrals(user):
    """The panel sees its schools' submitted referrals; everyone sees the ones they made."""
    if not user_schools(user):
        return Referral.objects.none()
    return Referral.objects.filter(
        (Q(school_id__in=schools_where(user, *PANEL_ROLES)) & ~Q(status=Referral.Status.DRAFT))
        | Q(referred_by=user, school_id__in=user_schools(user))
    )


def triage_queue(user):
    """Referrals in the panel's queue: submitted, in the user's panel schools."""
    return Referral.objects.filter(school_id__in=schools_where(user, *PANEL_ROLES)).exclude(
        status=Referral.Status.DRAFT
    )


# --- Object getters: 404 for anything outside the user's scope --------------------------------


def get_pupil_or_404(user, pk):
    return get_object_or_404(visible_pupils(user).select_related("school", "school_class"), pk=pk)


def get_case_or_404(user, pk):
    # With the pupil's class, which the case page's summary and most case forms show.
    cases = visible_cases(user).select_related("school", "pupil", "pupil__school_class", "mentor")
    return get_object_or_404(cases, pk=pk)


def get_referral_or_404(user, pk):
    return get_object_or_404(
        visible_referrals(user).select_related("pupil", "pupil__school_class", "referred_by"),
        pk=pk,
    )


# --- Predicates: may the user do this? ---------------------------------------------------------


def can_import_pupils(user):
    return has_role(user, *SETUP_ROLES)


def can_manage_setup(user):
    return has_role(user, *SETUP_ROLES)


def setup_schools(user):
    """Schools whose set-up (roster, calendar, rooms, classes, staff) the user maintains."""
    return schools_where(user, *SETUP_ROLES)


def can_view_case(user, case):
    return visible_cases(user).filter(pk=case.pk).exists()


def can_view_pupil_history(user, pupil):
    return has_role(user, *PUPIL_HISTORY_ROLES, school=pupil.school_id)


def can_view_case_history(user, case):
    return has_role(user, *CASE_HISTORY_ROLES, school=case.school_id) or (
        case.mentor_id == user.pk and has_role(user, Role.MENTOR, school=case.school_id)
    )


def second_factor_required(user):
    """Two-step sign-in is required of the head, DSL and coordinator, and of a superuser, who
    can change anyone's account. Everyone else may turn it on for themselves."""
    return user.is_superuser or has_role(user, *SECOND_FACTOR_ROLES)


def can_see_access_log(user, pupil):
    """Who has seen this pupil's file: the coordinator, DSL and head of the pupil's school."""
    return has_role(user, *ACCESS_LOG_ROLES, school=pupil.school_id)


def can_export_subject_access(user, pupil):
    """Everything held about a pupil, to answer a subject access request: the head or the DSL
    of the pupil's school, who review it before anything is disclosed."""
    return has_role(user, Role.HEAD, Role.DSL, school=pupil.school_id)


def can_see_review_date(user, case):
    """When a closed case's records are due under the retention schedule: those who keep
    the school's records (as for the case's change history, less its mentor)."""
    return has_role(user, *CASE_HISTORY_ROLES, school=case.school_id)


def can_view_staff(user):
    return has_role(user, *STAFF_LIST_ROLES)


def can_list_cases(user):
    return has_role(user, *CASE_OVERSIGHT_ROLES, Role.MENTOR)


def can_refer(user):
    return has_role(user, Role.CLASS_TEACHER, Role.TEACHING_ASSISTANT, *WHOLE_SCHOOL_REFERRER_ROLES)


def can_see_queue(user):
    return has_role(user, *PANEL_ROLES)


def can_triage(user, referral):
    """Discuss, prioritise and decide: the panel of the referral's school."""
    return has_role(user, *PANEL_ROLES, school=referral.school_id)


def can_edit_referral(user, referral):
    return referral.status == Referral.Status.DRAFT and referral.referred_by_id == user.pk


def can_withdraw_referral(user, referral):
    return referral.referred_by_id == user.pk or can_triage(user, referral)


def can_manage_consent(user, case):
    """Send consent letters and record parents' answers for the case."""
    return has_role(user, *CONSENT_ROLES, school=case.school_id)


def can_edit_referral_lists(user):
    return has_role(user, *CONSENT_ROLES)


def referral_list_schools(user):
    return schools_where(user, *CONSENT_ROLES)


# --- Sessions -----------------------------------------------------------------------------------

# A mentor may change their own session record for this long; then only the coordinator.
RECORD_EDIT_WINDOW = timedelta(days=7)
ADHERENCE_ROLES = (Role.COORDINATOR, Role.HEAD)


def can_allocate(user, case):
    """Choose the mentor, slot and room: the coordinator of the case's school."""
    return has_role(user, Role.COORDINATOR, school=case.school_id)


def can_log_session(user, case):
    return case.mentor_id == user.pk and has_role(user, Role.MENTOR, school=case.school_id)


def can_edit_session_record(user, record, now):
    if has_role(user, Role.COORDINATOR, school=record.case.school_id):
        return True
    return record.author_id == user.pk and now - record.created_at <= RECORD_EDIT_WINDOW


def can_read_session_notes(user, record):
    """A record flagged for safeguarding is read only by the DSL and its author."""
    return (
        not record.safeguarding_concern
        or record.author_id == user.pk
        or has_role(user, Role.DSL, school=record.case.school_id)
    )


def can_handle_safeguarding(user, case):
    return has_role(user, Role.DSL, school=case.school_id)


def visible_session_records(user):
    return SessionRecord.objects.filter(case__in=visible_cases(user))


def safeguarding_alerts(user):
    """Flagged records of the schools where the user is the DSL."""
    return SessionRecord.objects.filter(
        safeguarding_concern=True, case__school_id__in=schools_where(user, Role.DSL)
    )


def can_view_adherence(user):
    return has_role(user, *ADHERENCE_ROLES)


def adherence_schools(user):
    return schools_where(user, *ADHERENCE_ROLES)


def visible_slots(user):
    """The coordinator's and head's schools' slots, and a mentor's own."""
    return Slot.objects.filter(
        Q(school_id__in=schools_where(user, Role.COORDINATOR, Role.HEAD))
        | Q(mentor=user, school_id__in=schools_where(user, Role.MENTOR))
    )


def can_change_slot(user, slot):
    return has_role(user, Role.COORDINATOR, school=slot.school_id)


def can_move_session(user, slot):
    return slot.mentor_id == user.pk or can_change_slot(user, slot)


# --- Case work and reviews ------------------------------------------------------------------------


def can_work_on_case(user, case):
    """Record questionnaires, observations, targets, meetings and the mentor's part of a
    review: the case's own mentor, or the coordinator."""
    return can_log_session(user, case) or has_role(user, Role.COORDINATOR, school=case.school_id)


def can_decide_review(user, case):
    return has_role(user, Role.COORDINATOR, school=case.school_id)


def can_close_case(user, case):
    return has_role(user, Role.COORDINATOR, school=case.school_id)


def teacher_review_cases(user):
    """Cases whose termly review the user may add a class teacher's view to: pupils in the
    classes they teach, never the session notes."""
    own_classes = ClassStaff.objects.filter(
        user=user,
        kind=ClassStaff.Kind.TEACHER,
        school_class__school_id__in=schools_where(user, Role.CLASS_TEACHER),
    ).values("school_class_id")
    return Case.objects.filter(pupil__school_class_id__in=own_classes)


def can_manage_questionnaires(user):
    return has_role(user, Role.COORDINATOR)


def questionnaire_schools(user):
    return schools_where(user, Role.COORDINATOR)


def review_list_schools(user):
    """Schools whose reviews-due and end-of-block lists the user sees."""
    return schools_where(user, Role.COORDINATOR, Role.HEAD)


def actions_visible_to(user):
    """Meeting actions the user may look up: their own, and those of the cases they may open."""
    return MeetingAction.objects.filter(
        Q(owner=user, meeting__case__school_id__in=user_schools(user))
        | Q(meeting__case__in=visible_cases(user))
    )


def can_mark_action_done(user, action):
    """The action's owner, or the coordinator of the case's school."""
    school = action.meeting.case.school_id
    return (action.owner_id == user.pk and school in user_schools(user)) or has_role(
        user, Role.COORDINATOR, school=school
    )


# --- Printing -----------------------------------------------------------------------------------

PACK_ROLES = (Role.HEAD, Role.COORDINATOR)


def review_pack_schools(user):
    """Schools whose termly review packs the user may request and download."""
    return schools_where(user, *PACK_ROLES)


def can_print_review_pack(user, school=None):
    return has_role(user, *PACK_ROLES, school=school)


# The programme dashboard, its exports and the annual report: the school's leaders of the
# programme. The SENDCO and DSL see every case already, but the whole programme's figures
# (mentors' loads, fair access across groups) are for those who run it and answer for it.
DASHBOARD_ROLES = (Role.HEAD, Role.COORDINATOR)


def dashboard_schools(user):
    """Ids of the schools whose programme dashboard and annual report the user may see."""
    return schools_where(user, *DASHBOARD_ROLES)


def can_see_dashboard(user, school=None):
    return has_role(user, *DASHBOARD_ROLES, school=school)


# --- The programme: its meetings, mentors' training and the resources library --------------------

# The programme's own meetings and its library: the coordinator runs them, the mentors take part.
PROGRAMME_ROLES = (Role.COORDINATOR, Role.MENTOR)
# Who records mentors' training: the coordinator, or the office that keeps staff records.
TRAINING_ROLES = (Role.COORDINATOR, Role.OFFICE)
# Who is told when the governors' review of the mentoring policy is due.
POLICY_REVIEW_ROLES = (Role.HEAD,)


def programme_schools(user):
    """Schools whose programme meetings and resources the user reads."""
    return schools_where(user, *PROGRAMME_ROLES)


def visible_programme_meetings(user):
    return ProgrammeMeeting.objects.filter(school_id__in=programme_schools(user))


def get_programme_meeting_or_404(user, pk):
    return get_object_or_404(visible_programme_meetings(user).select_related("school"), pk=pk)


def programme_manage_schools(user):
    """Schools whose programme meetings the user may record: where they are coordinator."""
    return schools_where(user, Role.COORDINATOR)


def can_manage_programme(user, school=None):
    """Record and edit programme meetings, edit and remove resources: the coordinator."""
    return has_role(user, Role.COORDINATOR, school=school)


def programme_actions_visible_to(user):
    """Programme actions the user may look up: their own, and those of meetings they read."""
    return ProgrammeAction.objects.filter(
        Q(owner=user, meeting__school_id__in=user_schools(user))
        | Q(meeting__school_id__in=programme_schools(user))
    )


def can_mark_programme_action_done(user, action):
    """The action's owner, or the coordinator of the meeting's school."""
    school = action.meeting.school_id
    return (action.owner_id == user.pk and school in user_schools(user)) or has_role(
        user, Role.COORDINATOR, school=school
    )


def training_schools(user):
    """Schools whose mentors' training the user records and reads."""
    return schools_where(user, *TRAINING_ROLES)


def visible_training_records(user):
    """The coordinator's and office's schools' records; a mentor's own."""
    return TrainingRecord.objects.filter(
        Q(school_id__in=training_schools(user))
        | Q(mentor=user, school_id__in=schools_where(user, Role.MENTOR))
    )


def can_see_training(user):
    return has_role(user, *TRAINING_ROLES, Role.MENTOR)


def can_record_training(user, school=None):
    return has_role(user, *TRAINING_ROLES, school=school)


def get_training_record_or_404(user, pk):
    return get_object_or_404(
        visible_training_records(user).select_related("mentor", "school"), pk=pk
    )


def visible_resources(user):
    return Resource.objects.filter(school_id__in=programme_schools(user))


def get_resource_or_404(user, pk):
    return get_object_or_404(visible_resources(user).select_related("school"), pk=pk)


def can_add_resource(user, school=None):
    return has_role(user, *PROGRAMME_ROLES, school=school)


def can_manage_resource(user, resource):
    return has_role(user, Role.COORDINATOR, school=resource.school_id)


def policy_review_schools(user):
    return schools_where(user, *POLICY_REVIEW_ROLES)
