"""The case file: everything recorded about one case, as one PDF, in the order of the
Castilion policy's list ("Files are kept for all mentees on the caseload...").

``case_file_context(case, user)`` gathers the data in a fixed number of queries, whatever the
number of session records, letters or meetings; ``render_case_file`` lays it out through
``mentoring.pdf.render_pdf`` with ``templates/pdf/case_file.html``.

A restricted (safeguarding) session note is printed in full only when the DSL of the case's
school prints the file. For anyone else the file says that the note exists, with its date
and author, and none of its text: the text is blanked here, before the template sees it.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from mentoring import permissions
from mentoring.models import Case, Contact
from mentoring.pdf import render_pdf
from referrals.models import ConsentLetter, ConsentRecord, DiscussionNote, Referral
from sessions.book import SessionBook, adherence
from sessions.models import Allocation, SessionRecord

from .models import (
    CaseClosure,
    InstrumentScore,
    MeetingAction,
    MeetingRecord,
    Observation,
    Questionnaire,
    TargetProgress,
    TermlyReview,
)
from .questionnaires import case_comparisons
from .targets import action_plan

TEMPLATE = "pdf/case_file.html"
# What the footer says when the file is printed by the command without --user.
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Section:
    number: int
    anchor: str
    title: str
    template: str


def _section(number, anchor, title):
    return Section(number, anchor, title, f"reviews/casefile/parts/{anchor}.html")


# The policy's list, in its order. Each section starts on a new page and has a bookmark.
SECTIONS = [
    _section(1, "referral", "Referral form"),
    _section(2, "letters", "Letters to parents and carers"),
    _section(3, "consent", "Parental consent"),
    _section(4, "progress", "Baseline and progress data"),
    _section(5, "action-plan", "Action plan with SMART targets"),
    _section(6, "sessions", "Weekly session reports"),
    _section(7, "meetings", "Meeting records"),
    _section(8, "evaluation", "Evaluation questionnaires"),
    _section(9, "case-study", "Case study"),
]

# Evaluation questionnaires in the policy's words and order: pupil, parent, teacher, then
# the staff rating given at entry and exit.
EVALUATION_KINDS = [
    Questionnaire.Kind.PUPIL,
    Questionnaire.Kind.PARENT,
    Questionnaire.Kind.TEACHER,
    Questionnaire.Kind.STAFF_RATING,
]

FIRST_MEETING_LABELS = [
    (name, SessionRecord._meta.get_field(name).verbose_name)
    for name in SessionRecord.FIRST_MEETING_FIELDS
]


def file_title(case):
    return f"Case file {case.reference}: {case.pupil.full_name}"


def case_file_context(case, user):
    """The template context of the case's file as ``user`` may print it (``user`` None: the
    command line, which sees no restricted note). About 30 queries, however long the case."""
    case = Case.objects.select_related(
        "school", "pupil", "pupil__school_class", "mentor", "previous_episode"
    ).get(pk=case.pk)
    shows_restricted = user is not None and permissions.can_handle_safeguarding(user, case)
    today = timezone.localdate()

    sessions = _session_records(case, shows_restricted)
    allocations = Allocation.objects.filter(case=case)
    book = SessionBook(allocations, until=today)
    comparisons = case_comparisons(case)
    return {
        "case": case,
        "pupil": case.pupil,
        "school": case.school,
        "sections": SECTIONS,
        "shows_restricted": shows_restricted,
        "today": today,
        # 1. Referral form
        "referral": _referral(case),
        "contacts": list(Contact.objects.filter(pupil_id=case.pupil_id)),
        # 2. Letters
        "letters": _letters(case),
        # 3. Consent
        "consent_records": list(
            ConsentRecord.objects.filter(case=case).select_related("recorded_by")
        ),
        # 4. Baseline and progress data
        "allocations": book.allocations,
        "attendance": adherence(book, today).get(case.pk),
        "comparisons": comparisons,
        "scores": list(InstrumentScore.objects.filter(case=case).select_related("recorded_by")),
        "observations": list(
            Observation.objects.filter(case=case)
            .select_related("observer")
            .order_by("observed_on", "pk")
        ),
        "termly_reviews": list(
            TermlyReview.objects.filter(case=case).select_related(
                "term__academic_year", "prepared_by", "teacher", "decided_by"
            )
        ),
        # 5. Action plan, with the progress noted on session records (already redacted)
        "targets": _targets(case, sessions),
        # 6. Weekly session reports
        "session_records": sessions,
        "restricted_count": sum(1 for r in sessions if r.safeguarding_concern),
        # 7. Meeting records
        "meetings": _meetings(case),
        # 8. Evaluation questionnaires
        "evaluations": _evaluations(comparisons),
        # 9. Case study
        "closure": CaseClosure.objects.filter(case=case).select_related("closed_by").first(),
    }


def render_case_file(case, user, request=None) -> bytes:
    """The case file as the bytes of a PDF. With a request, the footer names its user;
    without one (the command line), ``user`` or "command line"."""
    context = case_file_context(case, user)
    if request is None:
        context["printed_by"] = str(user) if user is not None else COMMAND_LINE
    return render_pdf(TEMPLATE, context, request=request, title=file_title(context["case"]))


# --- The sections' data ----------------------------------------------------------------------


def _referral(case):
    discussions = DiscussionNote.objects.select_related("author").order_by("discussed_on", "pk")
    return (
        Referral.objects.filter(case=case)
        .select_related("referred_by", "prioritised_by", "decided_by")
        .prefetch_related(
            "criteria", "barriers", "panel", Prefetch("discussions", queryset=discussions)
        )
        .first()
    )


def _letters(case):
    letters = list(
        ConsentLetter.objects.filter(case=case).select_related("sent_by", "addressed_to")
    )
    for letter in letters:
        # As the printed letter splits it: a blank line starts a new paragraph.
        letter.paragraphs = [p.strip() for p in letter.body.split("\n\n") if p.strip()]
    return letters


def _session_records(case, shows_restricted):
    """Every session record, oldest first, each with its progress on targets and the
    first-meeting points covered. A restricted record's text is blanked unless the DSL
    prints the file, so no template can print it by mistake."""
    progress = TargetProgress.objects.select_related("target").order_by("target__by_when", "pk")
    records = list(
        SessionRecord.objects.filter(case=case)
        .select_related("author", "dsl_seen_by")
        .prefetch_related(Prefetch("target_progress", queryset=progress))
        .order_by("date", "pk")
    )
    for record in records:
        record.hidden = record.safeguarding_concern and not shows_restricted
        record.progress_entries = list(record.target_progress.all())
        record.checklist = [label for name, label in FIRST_MEETING_LABELS if getattr(record, name)]
        if record.hidden:
            record.what_was_done = record.next_steps = record.cancel_reason = ""
            record.dsl_action = ""
            for entry in record.progress_entries:
                entry.note = ""
                entry.hidden = True
    return records


def _targets(case, records):
    """The action plan, each target with its progress entries oldest first."""
    by_target = defaultdict(list)
    for record in records:
        for entry in record.progress_entries:
            entry.record = record  # the redacted record, not a fresh copy from the database
            by_target[entry.target_id].append(entry)
    targets = action_plan(case)
    for target in targets:
        target.progress_entries = by_target.get(target.pk, [])
    return targets


def _meetings(case):
    actions = MeetingAction.objects.select_related("owner").order_by("due_on", "pk")
    return list(
        MeetingRecord.objects.filter(case=case)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("met_on", "pk")
    )


@dataclass
class Evaluation:
    label: str
    comparisons: list


def _evaluations(comparisons):
    """The questionnaires grouped by kind, in the policy's order; an empty kind says so."""
    labels = dict(Questionnaire.Kind.choices)
    return [
        Evaluation(
            labels[kind],
            [c for c in comparisons if c.kind == labels[kind]],
        )
        for kind in EVALUATION_KINDS
    ]
