"""The retention schedule: when a closed case's records are due for review, which pupils
are due, and anonymising a pupil's records once they are.

The school sets the schedule (``School.records_kept_until_age`` and
``School.safeguarding_kept_until_age``). A closed case is due for review on the pupil's
birthday at the first age, or at the second if any of its session records raised a
safeguarding concern, whichever is later.

Anonymising keeps every case, referral, session record, attendance, decision, rating and
date, so the programme's figures (caseload, sessions held, outcomes) stay as they were. It
replaces what identifies the child: names, UPN and exact date of birth, the parents' and
carers' details, and every piece of free text written about the child, both in the records
and in their change history (django-simple-history keeps the old values). A stored staff
review pack that names the child is withdrawn, its file removed.

Like ``permissions``, this module sees every app: a child's records run through all of them.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from referrals.models import ConsentLetter, ConsentRecord, DiscussionNote, Referral
from reviews.models import (
    Administration,
    CaseClosure,
    InstrumentScore,
    MeetingAction,
    MeetingRecord,
    Observation,
    Target,
    TargetProgress,
    TermlyReview,
)
from reviews.tasks import withdraw_naming
from sessions.models import Allocation, SessionRecord

from .audit import record_access, save_as
from .models import AccessEvent, Case, Contact, Pupil

# What replaces a piece of free text, so that a reader sees that something was there.
REMOVED = "Removed under the retention schedule."
REASON = "Anonymised under the retention schedule"
ANONYMISED_FIRST_NAME = "Anonymised"

# Free text that may identify a child, model by model, with the link that finds the pupil's
# rows: (model, link column, what the column points at, fields). A field not named here is
# kept: dates, choices, ratings, who recorded it.
FREE_TEXT = [
    (Contact, "pupil_id", "pupil", ["name"]),
    (
        Referral,
        "pupil_id",
        "pupil",
        [
            "needs_and_strengths",
            "already_tried",
            "short_term_details",
            "decline_reason",
            "withdrawn_reason",
        ],
    ),
    (DiscussionNote, "referral_id", "referral", ["with_whom", "note"]),
    (Case, "pupil_id", "pupil", []),
    (ConsentLetter, "case_id", "case", ["salutation", "body"]),
    (ConsentRecord, "case_id", "case", ["given_by", "note"]),
    (Allocation, "case_id", "case", []),
    (
        SessionRecord,
        "case_id",
        "case",
        ["cancel_reason", "what_was_done", "next_steps", "dsl_action"],
    ),
    (TargetProgress, "record_id", "record", ["note"]),
    (Target, "case_id", "case", ["what", "measure", "success", "iep_reference"]),
    (Observation, "case_id", "case", ["notes"]),
    (MeetingRecord, "case_id", "case", ["attendees", "notes"]),
    (MeetingAction, "meeting_id", "meeting", ["action"]),
    (
        TermlyReview,
        "case_id",
        "case",
        ["progress_summary", "behaviour_evidence", "attendance_evidence", "teacher_view"],
    ),
    (CaseClosure, "case_id", "case", ["background", "what_was_done", "outcomes", "lessons"]),
    (Administration, "case_id", "case", ["completed_by"]),
    (InstrumentScore, "case_id", "case", ["note"]),
]
# Emptied rather than marked: a contact's phone, email and address.
CONTACT_DETAILS = ["phone", "email", "address"]


# --- The schedule --------------------------------------------------------------------------


def birthday(born, age):
    """The day a child born on ``born`` turns ``age``; a 29 February birthday falls on
    1 March in other years (the later day: records are kept no shorter than the rule says)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return dt.date(born.year + age, 3, 1)


def keep_until(pupil, school, *, raised_safeguarding=False):
    ages = [school.records_kept_until_age]
    if raised_safeguarding:
        ages.append(school.safeguarding_kept_until_age)
    return birthday(pupil.date_of_birth, max(ages))


def flagged_cases(case_ids):
    """Ids of the cases among ``case_ids`` with a session record that raised a safeguarding
    concern."""
    return set(
        SessionRecord.objects.filter(case_id__in=case_ids, safeguarding_concern=True)
        .values_list("case_id", flat=True)
        .distinct()
    )


def case_review_date(case):
    """When the closed case's records are due for review (None while it is open)."""
    if case.status != Case.Status.CLOSED:
        return None
    flagged = bool(flagged_cases([case.pk]))
    return keep_until(case.pupil, case.school, raised_safeguarding=flagged)


@dataclass
class Due:
    """A pupil whose records are due, with each case and its review date."""

    pupil: Pupil
    review_date: dt.date
    cases: list = field(default_factory=list)  # [(case, review date)]


def pupils_due(*, today=None, schools=None):
    """Pupils whose records are due for anonymising, oldest review date first.

    A pupil is due only when all of these hold:
    * they have left the school (``date_left`` is set): a child on roll may be referred
      again, and their file is still in use;
    * every case of theirs is closed: an open case is current work;
    * every case's review date has passed, and so has the pupil's own date
      (``records_kept_until_age``), which also covers a pupil who was referred but never
      had a case: the longest-kept record decides, so nothing goes early.
    Pupils already anonymised are never due again.
    """
    today = today or timezone.localdate()
    pupils = (
        Pupil.objects.filter(date_left__isnull=False, date_left__lte=today)
        .filter(anonymised_on__isnull=True)
        .exclude(cases__status=Case.Status.OPEN)
        .select_related("school")
        .order_by("school__name", "pk")
    )
    if schools is not None:
        pupils = pupils.filter(school__in=schools)
    pupils = list(pupils)
    cases = list(
        Case.objects.filter(pupil__in=pupils)
        .select_related("school", "pupil")
        .order_by("opened_on", "pk")
    )
    flagged = flagged_cases([c.pk for c in cases])
    by_pupil = {}
    for case in cases:
        date = keep_until(case.pupil, case.school, raised_safeguarding=case.pk in flagged)
        by_pupil.setdefault(case.pupil_id, []).append((case, date))
    due = []
    for pupil in pupils:
        own = by_pupil.get(pupil.pk, [])
        review = max([keep_until(pupil, pupil.school), *(date for _case, date in own)])
        if review <= today:
            due.append(Due(pupil=pupil, review_date=review, cases=own))
    return sorted(due, key=lambda d: (d.review_date, d.pupil.pk))


# --- Anonymising ---------------------------------------------------------------------------


def cohort_start(born):
    """1 September of the school year a child was born in: children born from September
    to August share a year group, so counts by age in year stay right without the day."""
    return dt.date(born.year if born.month >= 9 else born.year - 1, 9, 1)


def anonymised_upn(pupil):
    # Never a valid UPN (no check letter), so a roster import can never match it to a real
    # child; unique in the school, as the pupil's id is.
    return f"ANON{pupil.pk:09d}"


def _ever(model, **lookup):
    """Ids of the rows matching ``lookup`` now, or at any time in their history (a row
    deleted since still has its text in the history)."""
    current = set(model.objects.filter(**lookup).values_list("pk", flat=True))
    past = set(model.history.filter(**lookup).values_list("id", flat=True))
    return current | past


def _linked_ids(pupil):
    """Ids of every case, referral, session record and meeting that was ever the pupil's."""
    cases = _ever(Case, pupil_id=pupil.pk)
    return {
        "pupil": {pupil.pk},
        "case": cases,
        "referral": _ever(Referral, pupil_id=pupil.pk),
        "record": _ever(SessionRecord, case_id__in=cases),
        "meeting": _ever(MeetingRecord, case_id__in=cases),
    }


def _scrub(obj, fields):
    changed = False
    for name in fields:
        value = getattr(obj, name)
        if value and value != REMOVED:
            setattr(obj, name, REMOVED)
            changed = True
    return changed


def _scrub_history(model, lookup, fields, extra=None):
    """Replace the text in the history's copies of the rows; the history of a history is not
    kept, so this is an update."""
    past = model.history.filter(**lookup)
    for name in fields:
        past.exclude(**{name: ""}).exclude(**{name: REMOVED}).update(**{name: REMOVED})
    if extra:
        past.update(**extra)
    # A reason typed when a change was saved may name people too.
    past.exclude(Q(history_change_reason__isnull=True) | Q(history_change_reason="")).exclude(
        history_change_reason=REASON
    ).update(history_change_reason=REMOVED)


def _scrub_admin_log(model, ids):
    """The set-up area's log names each row it changed as it read then (a pupil's name)."""
    content_type = ContentType.objects.get_for_model(model)
    LogEntry.objects.filter(
        content_type=content_type, object_id__in=[str(pk) for pk in ids]
    ).exclude(object_repr=REMOVED).update(object_repr=REMOVED)


@transaction.atomic
def anonymise_pupil(pupil, *, user=None, today=None, request=None):
    """Anonymise the pupil's records and their history; False if it was done already."""
    today = today or timezone.localdate()
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if pupil.anonymised_on is not None:
        return False
    ids = _linked_ids(pupil)
    identity = {
        "legal_first_name": ANONYMISED_FIRST_NAME,
        "legal_last_name": f"pupil {pupil.pk}",
        "preferred_name": "",
        "upn": anonymised_upn(pupil),
        "date_of_birth": cohort_start(pupil.date_of_birth),
    }
    # The history first, so that the rows saved below add one entry saying who did it.
    _scrub_history(Pupil, {"id": pupil.pk}, [], extra=identity)
    _scrub_admin_log(Pupil, [pupil.pk])
    for model, link, key, fields in FREE_TEXT:
        lookup = {f"{link}__in": ids[key]}
        extra = dict.fromkeys(CONTACT_DETAILS, "") if model is Contact else None
        _scrub_history(model, lookup, fields, extra=extra)
        _scrub_admin_log(model, _ever(model, **lookup))
        for obj in model.objects.filter(**lookup).order_by("pk"):
            changed = _scrub(obj, fields)
            if model is Contact:
                for name in CONTACT_DETAILS:
                    changed |= bool(getattr(obj, name))
                    setattr(obj, name, "")
            if changed:
                save_as(obj, user, REASON)
    for name, value in identity.items():
        setattr(pupil, name, value)
    pupil.anonymised_on = today
    save_as(pupil, user, REASON)
    withdraw_naming(pupil, user, REASON)
    references = ", ".join(f"C{pk:05d}" for pk in sorted(ids["case"])) or "no case"
    record_access(
        request,
        AccessEvent.Action.ANONYMISED,
        f"the pupil's records ({references})",
        pupil=pupil,
        user=user,
    )
    return True


def record_listed(due, *, user=None):
    """Note in the access log that the pupil's records were listed as due."""
    references = ", ".join(case.reference for case, _date in due.cases) or "no case"
    record_access(
        None,
        AccessEvent.Action.RETENTION_LISTED,
        f"the pupil's records ({references})",
        pupil=due.pupil,
        user=user,
    )
