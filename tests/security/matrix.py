"""The authorization matrix: every URL pattern of the project, with who may use it.

Read it as a table. Each entry names a URL pattern, the objects it is tried on, and for GET
and POST which personas it works for (OK), which are refused (FORBIDDEN, 403) and which are
told the object does not exist (NOT_FOUND, 404). Anyone not listed gets the entry's default:
NOT_FOUND on a page about one object (its existence is not revealed), FORBIDDEN on any other
page. A POST-only action answers GET with 405 for everyone.

"Works" means: a GET shows the page (200), or for a download the file of the stated kind;
a POST (sent empty unless the entry says otherwise, and rolled back afterwards) is answered
with a success redirect or the form shown again with its errors. Never a redirect to
signing in, a 403, a 404 or an error.
SEEN_BY, at the end, says who may ever be shown a pupil's name or a session note.

The rules are those stated in mentoring/permissions.py; the note of each entry says which.

The personas are those of tests/conftest.py, plus ``stranger``: a member of staff of another
school who holds every role there (office, head, DSL, SENDCO, coordinator, mentor, class
teacher), so that only the school boundary stands between them and this school's children.
The stranger worked here before, and left traces: a referral they made, and Kit's case that
still names them as mentor, with its slot and an action they own (conftest.py).

The objects:

- ``own``: Robin's, in class Oak. Robin's case is mentored by ``mentor``; Oak is taught by
  ``class_teacher`` with ``teaching_assistant``. Robin's referral was made by the class teacher,
  and the action agreed at Robin's meeting belongs to the class teacher.
- ``other``: Sky's, in class Ash. Sky's case is mentored by ``other_mentor``; Ash is taught by
  another teacher, who made Sky's referral and owns the action of Sky's meeting.
- ``own_draft``, ``other_draft``: a referral still in draft, by the same referrers.
- ``own_restricted``: a session record of Robin's flagged as a safeguarding concern.
- ``own_old``: a session record of Robin's written more than 7 days ago.

Who is written as ``"persona"`` (on every object of the entry) or ``"persona@object"``.

The set-up site (Django's admin under /setup/) is one group, SETUP_SITE, not one entry per
admin URL: its own permission checks (SetupAdminSite.has_permission and the school-scoped
ModelAdmins) guard every one of its pages alike. It belongs to the office only (SETUP_ROLES):
everyone else, the coordinator included, is sent to its sign-in and refused there.
"""

from dataclasses import dataclass

OK = "works"
FORBIDDEN = "403 forbidden"
NOT_FOUND = "404 not found"
NOT_ALLOWED = "405 method not allowed"

PERSONAS = (
    "head",
    "dsl",
    "sendco",
    "coordinator",
    "mentor",
    "other_mentor",
    "class_teacher",
    "teaching_assistant",
    "office",
    "stranger",
)
OBJECTS = ("own", "other", "own_draft", "other_draft", "own_restricted", "own_old")

EVERYONE = PERSONAS
OVERSIGHT = ("coordinator", "head", "sendco", "dsl")  # see every case of the school
PANEL = ("coordinator", "head", "sendco")  # the prioritisation panel
CASE_MENTORS = ("mentor@own", "other_mentor@other")  # each mentor on their own caseload
REFERRERS = ("class_teacher", "teaching_assistant", "head", "sendco", "coordinator", "stranger")
# Refused by a view's role test (403) before any object is looked up. The stranger holds every
# role, so only the school boundary (404) stops them.
NOT_REFERRERS = ("dsl", "mentor", "other_mentor", "office")

PDF = "application/pdf"
CSV = "text/csv"
ICS = "text/calendar"
ZIP = "application/zip"


def on(personas, objects):
    """``"persona@object"`` for each persona on each of the objects."""
    return tuple(f"{persona}@{obj}" for persona in personas for obj in objects)


def rule(ok=(), forbidden=(), not_found=(), not_allowed=()):
    return {
        OK: tuple(ok),
        FORBIDDEN: tuple(forbidden),
        NOT_FOUND: tuple(not_found),
        NOT_ALLOWED: tuple(not_allowed),
    }


# The rules that many entries share, named as permissions.py names them.
CASE_READERS = rule(ok=OVERSIGHT + CASE_MENTORS)  # visible_cases
CASE_WORK = rule(  # can_work_on_case: the case's mentor or the coordinator
    ok=("coordinator",) + CASE_MENTORS, forbidden=("head", "sendco", "dsl")
)
CASE_COORDINATOR = rule(  # can_allocate, can_decide_review, can_close_case
    ok=("coordinator",), forbidden=("head", "sendco", "dsl") + CASE_MENTORS
)
CASE_CONSENT = rule(  # can_manage_consent: CONSENT_ROLES
    ok=("coordinator", "head"), forbidden=("sendco", "dsl") + CASE_MENTORS
)
SAME = "same as GET"


@dataclass(frozen=True)
class Entry:
    name: str
    note: str
    get: dict
    post: dict | str = SAME
    objects: tuple = (None,)
    args: object = None  # (world, object) -> URL kwargs
    data: object = None  # (world, object, persona) -> POST data; empty by default
    post_only: bool = False
    redirects: bool = False  # success is a redirect: a sign-in page sends the signed-in on
    download: str | None = None  # the content type of a download that works
    refused: str | None = None  # the outcome for anyone not listed, when not the usual one

    @property
    def default(self):
        if self.refused:
            return self.refused
        return NOT_FOUND if self.objects != (None,) else FORBIDDEN

    def rules(self, method):
        if method == "GET":
            return None if self.post_only else self.get
        return self.get if self.post == SAME else self.post

    def expected(self, method, persona, obj):
        if method == "GET" and self.post_only:
            return NOT_ALLOWED
        rules = self.rules(method)
        for outcome, who in rules.items():
            if obj is not None and f"{persona}@{obj}" in who:
                return outcome
        for outcome, who in rules.items():
            if persona in who:
                return outcome
        return self.default


def pk(collection):
    return lambda world, obj: {"pk": getattr(world, collection)[obj].pk}


def case_and_day(world, obj):
    return {"case_pk": world.cases[obj].pk, "day": world.log_day.isoformat()}


def slot_and_day(world, obj):
    return {"pk": world.slots[obj].pk, "day": world.move_day.isoformat()}


def case_and_questionnaire(world, obj):
    return {"pk": world.cases[obj].pk, "questionnaire": world.questionnaire.pk}


BOTH = ("own", "other")
REFERRALS = ("own", "other", "own_draft", "other_draft")
RECORDS = ("own", "other", "own_restricted", "own_old")

ENTRIES = [
    # --- Signing in and the landing page --------------------------------------------------------
    Entry(
        "login",
        "Public; a signed-in member of staff is sent on to their home page.",
        get=rule(ok=EVERYONE),
        redirects=True,
    ),
    Entry(
        "logout",
        "Anyone signed in signs themselves out (POST only).",
        get=None,
        post=rule(ok=EVERYONE),
        post_only=True,
    ),
    Entry("home", "Everyone lands on the sections of the roles they hold.", get=rule(ok=EVERYONE)),
    # Two-step sign-in: each page is about the signed-in member of staff's own account. The
    # personas here have passed the second step where their role needs it (head, DSL,
    # coordinator); the others have no authenticator app of their own yet.
    Entry(
        "two_factor",
        "Anyone signed in: their own two-step sign-in (GET only).",
        get=rule(ok=EVERYONE),
        post=rule(not_allowed=EVERYONE),
    ),
    Entry(
        "two_factor_setup",
        "Anyone signed in sets up (or replaces) their own authenticator app.",
        get=rule(ok=EVERYONE),
    ),
    Entry(
        "two_factor_verify",
        "The code page of the sign-in; anyone already past it, or without an app, is sent on.",
        get=rule(ok=EVERYONE),
        redirects=True,
    ),
    Entry(
        "backup_codes",
        "Anyone signed in: their own backup codes (new ones only once their app is set up).",
        get=rule(ok=EVERYONE),
    ),
    # --- Pupils, cases and staff ---------------------------------------------------------------
    Entry(
        "pupil_list",
        "Everyone; the list starts from visible_pupils, so it may be empty.",
        get=rule(ok=EVERYONE),
    ),
    Entry(
        "roster_import",
        "The office (SETUP_ROLES) of any school imports its own roster.",
        get=rule(ok=("office", "stranger")),
    ),
    Entry(
        "roster_template",
        "The office's CSV template.",
        get=rule(ok=("office", "stranger")),
        download=CSV,
    ),
    Entry(
        "pupil_detail",
        "visible_pupils: the roll for ROSTER_ROLES; own class for teacher and TA; own caseload.",
        get=rule(
            ok=("office",)
            + OVERSIGHT
            + CASE_MENTORS
            + ("class_teacher@own", "teaching_assistant@own")
        ),
        objects=BOTH,
        args=pk("pupils"),
    ),
    Entry(
        "pupil_history",
        "visible_pupils, then PUPIL_HISTORY_ROLES (office, coordinator, head, DSL).",
        get=rule(
            ok=("office", "coordinator", "head", "dsl"),
            forbidden=("sendco", "class_teacher@own", "teaching_assistant@own") + CASE_MENTORS,
        ),
        objects=BOTH,
        args=pk("pupils"),
    ),
    Entry(
        "pupil_access_log",
        "visible_pupils, then can_see_access_log: the coordinator, DSL and head of the pupil's "
        "school; to anyone else the page does not exist.",
        get=rule(ok=("coordinator", "dsl", "head")),
        objects=BOTH,
        args=pk("pupils"),
    ),
    Entry(
        "subject_access_download",
        "visible_pupils, then can_export_subject_access: the head or DSL of the pupil's school "
        "(POST only; a ZIP).",
        get=None,
        post=rule(
            ok=("head", "dsl"),
            forbidden=(
                "office",
                "coordinator",
                "sendco",
                "class_teacher@own",
                "teaching_assistant@own",
            )
            + CASE_MENTORS,
        ),
        objects=BOTH,
        args=pk("pupils"),
        post_only=True,
        download=ZIP,
    ),
    Entry(
        "case_list",
        "can_list_cases: CASE_OVERSIGHT_ROLES and mentors (their own caseload).",
        get=rule(ok=OVERSIGHT + ("mentor", "other_mentor", "stranger")),
    ),
    Entry("case_detail", "visible_cases.", get=CASE_READERS, objects=BOTH, args=pk("cases")),
    Entry(
        "case_history",
        "visible_cases, then CASE_HISTORY_ROLES or the case's own mentor.",
        get=rule(ok=("coordinator", "head", "dsl") + CASE_MENTORS, forbidden=("sendco",)),
        objects=BOTH,
        args=pk("cases"),
    ),
    Entry(
        "staff_list",
        "STAFF_LIST_ROLES: office, coordinator, head.",
        get=rule(ok=("office", "coordinator", "head", "stranger")),
    ),
    # --- Referrals and consent -----------------------------------------------------------------
    Entry(
        "referral_queue",
        "can_see_queue: the panel (coordinator, head, SENDCO).",
        get=rule(ok=PANEL + ("stranger",)),
    ),
    Entry(
        "referral_create",
        "can_refer: class teachers and TAs, and the head, SENDCO and coordinator.",
        get=rule(ok=REFERRERS),
    ),
    Entry("my_referrals", "can_refer.", get=rule(ok=REFERRERS)),
    Entry(
        "referral_lists",
        "CONSENT_ROLES (coordinator, head) edit the school's criteria and barriers.",
        get=rule(ok=("coordinator", "head", "stranger")),
        args=lambda world, obj: {"kind": "criteria"},
    ),
    Entry(
        "letter_wording_edit",
        "CONSENT_ROLES edit the consent letter's wording.",
        get=rule(ok=("coordinator", "head", "stranger")),
    ),
    Entry(
        "referral_detail",
        "visible_referrals: the panel sees submitted referrals; the referrer their own, drafts "
        "too.",
        get=rule(ok=on(PANEL, BOTH) + ("class_teacher@own", "class_teacher@own_draft")),
        objects=REFERRALS,
        args=pk("referrals"),
    ),
    Entry(
        "referral_edit",
        "can_refer, then visible_referrals, then can_edit_referral: the referrer's own draft.",
        get=rule(
            ok=("class_teacher@own_draft",),
            forbidden=NOT_REFERRERS + ("class_teacher@own",) + on(PANEL, BOTH),
        ),
        objects=REFERRALS,
        args=pk("referrals"),
    ),
    *[
        Entry(
            name,
            "visible_referrals, then can_triage: the panel of the referral's school (POST only).",
            get=None,
            post=rule(ok=PANEL, forbidden=("class_teacher@own",)),
            objects=BOTH,
            args=pk("referrals"),
            post_only=True,
        )
        for name in ("referral_discuss", "referral_prioritise", "referral_decide")
    ],
    Entry(
        "referral_withdraw",
        "visible_referrals, then can_withdraw_referral: the referrer or the panel (POST only).",
        get=None,
        post=rule(ok=PANEL + ("class_teacher@own",)),
        objects=BOTH,
        args=pk("referrals"),
        post_only=True,
    ),
    Entry(
        "consent_letter_create",
        "visible_cases, then can_manage_consent (POST only).",
        get=None,
        post=CASE_CONSENT,
        objects=BOTH,
        args=pk("cases"),
        post_only=True,
    ),
    Entry(
        "consent_record_create",
        "visible_cases, then can_manage_consent.",
        get=CASE_CONSENT,
        objects=BOTH,
        args=pk("cases"),
    ),
    Entry(
        "consent_letter_pdf",
        "The letter's case in visible_cases, then can_manage_consent.",
        get=CASE_CONSENT,
        objects=BOTH,
        args=pk("letters"),
        download=PDF,
    ),
    # --- Sessions ------------------------------------------------------------------------------
    Entry(
        "my_week",
        "Mentors: their own week.",
        get=rule(ok=("mentor", "other_mentor", "stranger")),
    ),
    Entry(
        "session_log",
        "visible_cases, then can_log_session: the case's own mentor.",
        get=rule(ok=CASE_MENTORS, forbidden=OVERSIGHT),
        objects=BOTH,
        args=case_and_day,
    ),
    Entry(
        "session_record",
        "GET: visible_session_records (a restricted note is shown redacted). POST: also "
        "can_read_session_notes and can_edit_session_record: the coordinator, or the author "
        "within 7 days; nobody changes a note they may not read.",
        get=rule(
            ok=OVERSIGHT
            + ("mentor@own", "mentor@own_restricted", "mentor@own_old", "other_mentor@other")
        ),
        post=rule(
            ok=(
                "coordinator@own",
                "coordinator@other",
                "coordinator@own_old",
                "mentor@own",
                "mentor@own_restricted",
                "other_mentor@other",
            ),
            forbidden=(
                "head",
                "sendco",
                "dsl",
                "coordinator@own_restricted",
                "mentor@own_old",
            ),
        ),
        objects=RECORDS,
        args=pk("records"),
    ),
    Entry(
        "safeguarding_acknowledge",
        "safeguarding_alerts: flagged records of the DSL's schools (POST only).",
        get=None,
        post=rule(ok=("dsl@own_restricted",)),
        objects=("own_restricted", "own"),
        args=pk("records"),
        post_only=True,
    ),
    Entry("safeguarding_alerts", "The DSL.", get=rule(ok=("dsl", "stranger"))),
    Entry(
        "allocate",
        "visible_cases, then can_allocate: the coordinator.",
        get=CASE_COORDINATOR,
        objects=BOTH,
        args=pk("cases"),
    ),
    Entry(
        "slot_change",
        "visible_slots (coordinator, head, the slot's mentor), then can_change_slot: the "
        "coordinator.",
        get=rule(ok=("coordinator",), forbidden=("head", "mentor@own", "other_mentor@other")),
        objects=BOTH,
        args=pk("slots"),
    ),
    Entry(
        "session_move",
        "visible_slots, then can_move_session: the slot's mentor or the coordinator.",
        get=rule(ok=("coordinator",) + CASE_MENTORS, forbidden=("head",)),
        objects=BOTH,
        args=slot_and_day,
    ),
    Entry(
        "adherence",
        "ADHERENCE_ROLES: coordinator and head.",
        get=rule(ok=("coordinator", "head", "stranger")),
    ),
    Entry(
        "calendar_feeds",
        "Mentors make a feed of their own slots; the coordinator one of a room of their school "
        "(each posts what the page offers them: the coordinator a room, a mentor nothing).",
        get=rule(ok=("coordinator", "mentor", "other_mentor", "stranger")),
        data=lambda world, obj, persona: (
            {"room": world.room.pk} if persona == "coordinator" else {}
        ),
    ),
    Entry(
        "calendar_feed_revoke",
        "Only whoever made the link revokes it (POST only).",
        get=None,
        post=rule(ok=CASE_MENTORS),
        objects=BOTH,
        args=pk("feeds"),
        post_only=True,
    ),
    Entry(
        "calendar_feed",
        "Public: the secret link is the key, for a calendar app that cannot sign in; it shows "
        "pupils' initials only.",
        get=rule(ok=EVERYONE),
        objects=("own",),
        args=lambda world, obj: {"token": world.feeds[obj].token},
        download=ICS,
    ),
    # --- Case work and reviews -----------------------------------------------------------------
    Entry(
        "questionnaire_list",
        "can_manage_questionnaires: the coordinator, for their schools.",
        get=rule(ok=("coordinator", "stranger")),
    ),
    Entry(
        "questionnaire_create",
        "The coordinator.",
        get=rule(ok=("coordinator", "stranger")),
    ),
    Entry(
        "questionnaire_edit",
        "The coordinator, for a questionnaire of their own schools.",
        get=rule(ok=("coordinator",), not_found=("stranger",)),
        objects=("own",),
        args=lambda world, obj: {"pk": world.questionnaire.pk},
        refused=FORBIDDEN,
    ),
    Entry(
        "administration_choose",
        "visible_cases, then can_work_on_case.",
        get=CASE_WORK,
        objects=BOTH,
        args=pk("cases"),
    ),
    Entry(
        "administration_create",
        "visible_cases, then can_work_on_case.",
        get=CASE_WORK,
        objects=BOTH,
        args=case_and_questionnaire,
    ),
    Entry(
        "instrument_score_create",
        "visible_cases, then can_work_on_case.",
        get=CASE_WORK,
        objects=BOTH,
        args=pk("cases"),
    ),
    Entry(
        "target_add",
        "visible_cases, then can_work_on_case.",
        get=CASE_WORK,
        objects=BOTH,
        args=pk("cases"),
    ),
    Entry(
        "target_detail",
        "GET: the target's case in visible_cases. POST (its status): can_work_on_case.",
        get=CASE_READERS,
        post=CASE_WORK,
        objects=BOTH,
        args=pk("targets"),
    ),
    Entry(
        "observation_add",
        "visible_cases, then can_work_on_case.",
        get=CASE_WORK,
        objects=BOTH,
        args=pk("cases"),
    ),
    Entry(
        "meeting_create",
        "visible_cases, then can_work_on_case.",
        get=CASE_WORK,
        objects=BOTH,
        args=pk("cases"),
    ),
    Entry(
        "meeting_action_done",
        "actions_visible_to (own actions, or the cases one may open), then "
        "can_mark_action_done: the action's owner or the coordinator (POST only).",
        get=None,
        post=rule(
            ok=("coordinator", "class_teacher@own"),
            forbidden=("head", "sendco", "dsl") + CASE_MENTORS,
        ),
        objects=BOTH,
        args=pk("actions"),
        post_only=True,
    ),
    Entry(
        "review_lists",
        "review_list_schools: coordinator and head.",
        get=rule(ok=("coordinator", "head", "stranger")),
    ),
    Entry(
        "termly_review_create",
        "visible_cases, then can_work_on_case.",
        get=CASE_WORK,
        objects=BOTH,
        args=pk("cases"),
    ),
    Entry(
        "termly_review",
        "The review's case in visible_cases (a class teacher has their own page).",
        get=CASE_READERS,
        objects=BOTH,
        args=pk("reviews"),
    ),
    Entry(
        "termly_review_edit",
        "The review's case in visible_cases, then can_work_on_case.",
        get=CASE_WORK,
        objects=BOTH,
        args=pk("reviews"),
    ),
    Entry(
        "termly_review_teacher",
        "teacher_review_cases: the class teacher of the pupil's class, never the session notes.",
        get=rule(ok=("class_teacher@own",)),
        objects=BOTH,
        args=pk("reviews"),
    ),
    Entry(
        "termly_review_decide",
        "The review's case in visible_cases, then can_decide_review: the coordinator.",
        get=CASE_COORDINATOR,
        objects=BOTH,
        args=pk("reviews"),
    ),
    Entry(
        "case_close",
        "visible_cases, then can_close_case: the coordinator.",
        get=CASE_COORDINATOR,
        objects=BOTH,
        args=pk("cases"),
    ),
    Entry(
        "case_reopen",
        "visible_cases, then can_close_case: the coordinator.",
        get=CASE_COORDINATOR,
        objects=BOTH,
        args=pk("cases"),
    ),
    Entry(
        "case_file_pdf",
        "visible_cases: whoever may open the case prints its file.",
        get=CASE_READERS,
        objects=BOTH,
        args=pk("cases"),
        download=PDF,
    ),
    # --- The programme: its meetings, mentors' training, the resources library ---------------
    Entry(
        "programme",
        "programme_schools (coordinator, mentors) or can_see_training (also the office).",
        get=rule(ok=("coordinator", "mentor", "other_mentor", "office", "stranger")),
    ),
    Entry(
        "programme_meeting_list",
        "programme_schools: the coordinator and the mentors.",
        get=rule(ok=("coordinator", "mentor", "other_mentor", "stranger")),
    ),
    Entry(
        "programme_meeting_create",
        "can_manage_programme: a coordinator, in their own school.",
        get=rule(ok=("coordinator", "stranger")),
    ),
    Entry(
        "programme_meeting",
        "visible_programme_meetings: the coordinator and mentors of the meeting's school.",
        get=rule(ok=("coordinator", "mentor", "other_mentor")),
        objects=("own",),
        args=pk("programme_meetings"),
    ),
    Entry(
        "programme_meeting_edit",
        "visible_programme_meetings, then can_manage_programme: the coordinator.",
        get=rule(ok=("coordinator",), forbidden=("mentor", "other_mentor")),
        objects=("own",),
        args=pk("programme_meetings"),
    ),
    Entry(
        "programme_action_done",
        "programme_actions_visible_to (own actions, or the meetings one reads), then "
        "can_mark_programme_action_done: the owner or the coordinator (POST only).",
        get=None,
        post=rule(ok=("coordinator", "class_teacher"), forbidden=("mentor", "other_mentor")),
        objects=("own",),
        args=pk("programme_actions"),
        post_only=True,
    ),
    Entry(
        "training_list",
        "can_see_training: the coordinator and office (their schools'), a mentor (their own).",
        get=rule(ok=("coordinator", "office", "mentor", "other_mentor", "stranger")),
    ),
    Entry(
        "training_create",
        "can_record_training: TRAINING_ROLES (coordinator, office), in their own school.",
        get=rule(ok=("coordinator", "office", "stranger")),
    ),
    Entry(
        "training_edit",
        "visible_training_records (a mentor sees their own), then can_record_training.",
        get=rule(ok=("coordinator", "office"), forbidden=("mentor",)),
        objects=("own",),
        args=pk("training"),
    ),
    Entry(
        "resource_list",
        "programme_schools: the coordinator and the mentors.",
        get=rule(ok=("coordinator", "mentor", "other_mentor", "stranger")),
    ),
    Entry(
        "resource_create",
        "can_add_resource: the coordinator and the mentors, in their own school.",
        get=rule(ok=("coordinator", "mentor", "other_mentor", "stranger")),
    ),
    Entry(
        "resource_edit",
        "visible_resources, then can_manage_resource: the coordinator.",
        get=rule(ok=("coordinator",), forbidden=("mentor", "other_mentor")),
        objects=("own",),
        args=pk("resources"),
    ),
    Entry(
        "resource_remove",
        "visible_resources, then can_manage_resource: the coordinator (POST only).",
        get=None,
        post=rule(ok=("coordinator",), forbidden=("mentor", "other_mentor")),
        objects=("own",),
        args=pk("resources"),
        post_only=True,
    ),
    Entry(
        "resource_download",
        "visible_resources: the coordinator and mentors of the resource's school, never a "
        "public address.",
        get=rule(ok=("coordinator", "mentor", "other_mentor")),
        objects=("own",),
        args=pk("resources"),
        download="text/plain",
    ),
    # --- Printing ------------------------------------------------------------------------------
    Entry(
        "review_packs",
        "PACK_ROLES: the head and the coordinator.",
        get=rule(ok=("coordinator", "head", "stranger")),
    ),
    Entry(
        "review_pack_list",
        "PACK_ROLES.",
        get=rule(ok=("coordinator", "head", "stranger")),
    ),
    Entry(
        "review_pack_download",
        "review_pack_schools: the head and coordinator of the pack's school.",
        get=rule(ok=("coordinator", "head")),
        objects=("own",),
        args=pk("packs"),
        download=PDF,
    ),
    # --- The programme dashboard and the annual report --------------------------------------
    # Each shows the figures of the user's own school only: the stranger sees their own.
    # Reading only (GET); a POST is refused with 405.
    Entry(
        "dashboard",
        "dashboard_schools: DASHBOARD_ROLES, the head and the coordinator.",
        get=rule(ok=("coordinator", "head", "stranger")),
        post=rule(not_allowed=EVERYONE),
    ),
    Entry(
        "dashboard_figures_csv",
        "dashboard_schools.",
        get=rule(ok=("coordinator", "head", "stranger")),
        post=rule(not_allowed=EVERYONE),
        download=CSV,
    ),
    Entry(
        "dashboard_cases_csv",
        "dashboard_schools: anonymised, still about children.",
        get=rule(ok=("coordinator", "head", "stranger")),
        post=rule(not_allowed=EVERYONE),
        download=CSV,
    ),
    Entry(
        "annual_report",
        "dashboard_schools.",
        get=rule(ok=("coordinator", "head", "stranger")),
        post=rule(not_allowed=EVERYONE),
    ),
    Entry(
        "annual_report_download",
        "dashboard_schools.",
        get=rule(ok=("coordinator", "head", "stranger")),
        post=rule(not_allowed=EVERYONE),
        download=PDF,
    ),
]

# The set-up site: Django's admin under /setup/, one group for all its URLs (see above). The
# pages tried stand for the rest: its front page, a list, and an object of this school.
SETUP_SITE = [
    Entry(
        "admin:index",
        "SetupAdminSite.has_permission: SETUP_ROLES (the office) of any school.",
        get=rule(ok=("office", "stranger")),
    ),
    Entry(
        "admin:mentoring_pupil_changelist",
        "The office; the list is scoped to the schools it sets up.",
        get=rule(ok=("office", "stranger")),
    ),
    Entry(
        "admin:mentoring_pupil_change",
        "The office of the pupil's school; another school's office is told it does not exist.",
        get=rule(ok=("office",), not_found=("stranger",)),
        objects=BOTH,
        args=lambda world, obj: {"object_id": world.pupils[obj].pk},
        refused=FORBIDDEN,
    ),
    Entry(
        "admin:mentoring_user_change",
        "The office of the member of staff's school.",
        get=rule(ok=("office",), not_found=("stranger",)),
        objects=("own",),
        args=lambda world, obj: {"object_id": world.accounts[obj].pk},
        refused=FORBIDDEN,
    ),
]
SETUP_NAMESPACE = "admin"

# Text that only some personas may ever be shown, on any page or file of the matrix: the
# pupils' names (never across the school boundary), and session notes, which the office and
# class teachers never read, and which, when restricted, only the DSL and the author read.
SEEN_BY = {
    "Robin": ("office",) + OVERSIGHT + ("mentor", "class_teacher", "teaching_assistant"),
    "Sky": ("office",) + OVERSIGHT + ("other_mentor",),
    # Kit, in class Oak, whose case still names the stranger, who has left, as its mentor.
    "Kit": ("office",) + OVERSIGHT + ("class_teacher", "teaching_assistant"),
    "note": OVERSIGHT + ("mentor",),
    "other note": OVERSIGHT + ("other_mentor",),
    "restricted note": ("dsl", "mentor"),
}
