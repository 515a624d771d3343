"""Termly reviews: the rules (services) and what the pages read (selectors).

One review per case per term. The mentor prepares it, the class teacher adds a view, the
coordinator decides. Services raise ValidationError in words a member of staff understands,
so a page, the admin or a command all get the same refusal; who may call them is decided in
``mentoring.permissions``. A closed case is read-only (``ensure_open``).
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Exists, OuterRef, Subquery
from django.utils import timezone

from mentoring.audit import save_as
from mentoring.models import Case, Term
from sessions.book import SessionBook, adherence
from sessions.models import Allocation

from .models import Administration, Target, TermlyReview
from .services import ensure_open
from .targets import action_plan

D = TermlyReview.Decision
# How far ahead the end-of-block prompt looks.
BLOCK_END_WINDOW = timedelta(days=14)


# --- Terms ------------------------------------------------------------------------------------


def school_terms(school):
    """The school's terms, latest first, to choose the review's term from."""
    return (
        Term.objects.filter(academic_year__school=school)
        .select_related("academic_year")
        .order_by("-starts_on")
    )


def case_terms(case, today):
    """The terms a review of ``case`` may be for: those the case was open in, up to today.
    A review looks back on a term of mentoring, so not one before the case opened, after
    it closed, or still to come."""
    last_day = min(today, case.closed_on) if case.closed_on else today
    return school_terms(case.school).filter(ends_on__gte=case.opened_on, starts_on__lte=last_day)


def term_containing(school, day):
    """The school's term that ``day`` falls in (half-term included), or None."""
    return school_terms(school).filter(starts_on__lte=day, ends_on__gte=day).first()


def current_terms(schools, today):
    """{school_id: term} for the schools that are in a term today, in one query."""
    terms = Term.objects.filter(
        academic_year__school_id__in=schools, starts_on__lte=today, ends_on__gte=today
    ).select_related("academic_year")
    return {term.academic_year.school_id: term for term in terms}


# --- Services -----------------------------------------------------------------------------------


def _locked_case(case_id):
    case = Case.objects.select_for_update(of=("self",)).select_related("pupil").get(pk=case_id)
    ensure_open(case)
    return case


def _refuse_if_decided(review, what):
    if review.decision:
        raise ValidationError(
            f"The coordinator has decided this review, so {what} can no longer change."
        )


def _refuse_term_outside_case(term, case, today):
    """The same rule as ``case_terms``, with the reason a term is not among them."""
    if term.ends_on < case.opened_on:
        reason = f"the case opened on {case.opened_on:%-d %B %Y}, after {term} ended"
    elif case.closed_on and term.starts_on > case.closed_on:
        reason = f"the case closed on {case.closed_on:%-d %B %Y}, before {term} began"
    elif term.starts_on > today:
        reason = f"{term} has not begun yet"
    else:
        return
    raise ValidationError({"term": f"A review looks back on a term of mentoring: {reason}."})


@transaction.atomic
def review_save(*, review, user, today=None):
    """Start or revise the mentor's part of a termly review: one per case and term."""
    today = today or timezone.localdate()
    case = _locked_case(review.case_id)
    if review.term_id is None:
        raise ValidationError({"term": "Choose the term the review is for."})
    if review.term.academic_year.school_id != case.school_id:
        raise ValidationError({"term": "That term is not in this school's calendar."})
    is_new = review.pk is None
    if is_new:
        _refuse_term_outside_case(review.term, case, today)
        if TermlyReview.objects.filter(case=case, term_id=review.term_id).exists():
            raise ValidationError(
                {
                    "term": f"{case.pupil.first_name} already has a review for {review.term}: "
                    "open it to change it."
                }
            )
    else:
        stored = TermlyReview.objects.select_for_update().get(pk=review.pk)
        _refuse_if_decided(stored, "the mentor's part")
        review.term_id = stored.term_id  # the term of a review is fixed
    review.progress_summary = review.progress_summary.strip()
    if not review.progress_summary:
        raise ValidationError({"progress_summary": "Write the progress made on the targets."})
    review.prepared_by = user
    review.prepared_on = today
    review.full_clean()
    save_as(review, user, "Termly review prepared" if is_new else "Termly review revised")
    return review


@transaction.atomic
def teacher_view_save(*, review, user, teacher_view, today=None):
    """The class teacher's view of the pupil, added to the review."""
    _locked_case(review.case_id)
    review = TermlyReview.objects.select_for_update().get(pk=review.pk)
    _refuse_if_decided(review, "the class teacher's view")
    text = (teacher_view or "").strip()
    if not text:
        raise ValidationError({"teacher_view": "Write your view of how the pupil is doing."})
    review.teacher_view = text
    review.teacher = user
    review.teacher_added_on = today or timezone.localdate()
    save_as(review, user, "Class teacher's view added")
    return review


@transaction.atomic
def review_decide(*, review, user, decision, refer_on_to="", next_review_on=None, today=None):
    """The coordinator's decision: continue, extend, close or refer on, with the next
    review's date (not needed when closing). Deciding "close" is followed by the closure."""
    today = today or timezone.localdate()
    _locked_case(review.case_id)
    review = TermlyReview.objects.select_for_update().get(pk=review.pk)
    errors = {}
    if decision not in D.values:
        errors["decision"] = "Choose a decision."
    if decision == D.REFER_ON and refer_on_to not in TermlyReview.ReferOn.values:
        errors["refer_on_to"] = "Say who the pupil is referred on to."
    if decision != D.CLOSE:
        if next_review_on is None:
            errors["next_review_on"] = "Give the date of the next review."
        elif next_review_on <= today:
            errors["next_review_on"] = "The next review must be after today."
    if errors:
        raise ValidationError(errors)
    review.decision = decision
    review.refer_on_to = refer_on_to if decision == D.REFER_ON else ""
    review.next_review_on = None if decision == D.CLOSE else next_review_on
    review.decided_by = user
    review.decided_on = today
    save_as(review, user, f"Review decided: {review.get_decision_display()}")
    return review


# --- Selectors: the review's reference figures -------------------------------------------------


@dataclass
class Rating:
    """One administration of a questionnaire, with its mean answer."""

    administration: Administration
    mean: Decimal | None


@dataclass
class RatingsSinceBaseline:
    kind: str
    baseline: Rating | None
    latest: Rating | None


def _mean(value):
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ratings_since_baseline(case):
    """Per kind of questionnaire: the entry (baseline) mean and the latest one since."""
    administrations = (
        Administration.objects.filter(case=case)
        .select_related("questionnaire")
        .annotate(mean=Avg("answers__value"))
        .order_by("completed_on", "pk")
    )
    by_kind = {}
    for a in administrations:
        row = by_kind.setdefault(
            a.questionnaire.kind,
            RatingsSinceBaseline(a.questionnaire.get_kind_display(), None, None),
        )
        rating = Rating(a, _mean(a.mean))
        if a.stage == Administration.Stage.ENTRY and row.baseline is None:
            row.baseline = rating
        else:
            row.latest = rating
    return list(by_kind.values())


def attendance(case, until):
    """Held of expected sessions up to ``until``, with the reasons, from the records."""
    book = SessionBook(Allocation.objects.filter(case=case), until=until)
    return adherence(book, until).get(case.pk)


def reference(case, term, today):
    """What the mentor (and the coordinator) see beside the review: targets, attendance at
    sessions, ratings since baseline."""
    return {
        "targets": action_plan(case),
        "attendance": attendance(case, min(today, term.ends_on) if term else today),
        "ratings": ratings_since_baseline(case),
    }


def initial_progress(targets):
    """A starting text for the progress on the targets: one paragraph per open target."""
    return "\n\n".join(f"{t.what}: " for t in targets if t.status == Target.Status.OPEN)


# --- Selectors: the coordinator's lists -------------------------------------------------------


def _this_term_review(case_ref, today):
    """The review of the term containing today (a review's term is in its case's school)."""
    return TermlyReview.objects.filter(
        case=case_ref, term__starts_on__lte=today, term__ends_on__gte=today
    )


def reviews_due(schools, today):
    """Open cases with an allocation and no decided review for this term, with the review
    started this term (if any) as ``review_id`` and ``teacher_added_on``."""
    terms = current_terms(schools, today)
    this_term = _this_term_review(OuterRef("pk"), today)
    cases = (
        Case.objects.open()
        .filter(school_id__in=list(terms))
        .filter(Exists(Allocation.objects.filter(case=OuterRef("pk"))))
        .exclude(Exists(this_term.exclude(decision="")))
        .annotate(
            review_id=Subquery(this_term.values("pk")[:1]),
            teacher_added_on=Subquery(this_term.values("teacher_added_on")[:1]),
        )
        .select_related("school", "pupil", "pupil__school_class", "mentor")
        .order_by("pupil__legal_last_name", "pupil__legal_first_name", "pk")
    )
    return terms, cases


def blocks_ending(schools, today):
    """The end-of-block prompt: open cases still in a slot whose block ends within the next
    14 days or has already ended, soonest first, with this term's decision if there is one."""
    this_term = _this_term_review(OuterRef("case_id"), today)
    return (
        Allocation.objects.filter(
            slot__school_id__in=schools,
            # A slot's cases are its school's (sessions.services.allocate): saying so lets the
            # database start from the schools' open cases, not from every allocation.
            case__school_id__in=schools,
            ended_on__isnull=True,
            case__status=Case.Status.OPEN,
            slot__block_ends_on__lte=today + BLOCK_END_WINDOW,
        )
        .annotate(
            review_id=Subquery(this_term.values("pk")[:1]),
            decision=Subquery(this_term.values("decision")[:1]),
        )
        .select_related("slot", "slot__mentor", "slot__room", "case", "case__school", "case__pupil")
        .order_by("slot__block_ends_on", "case__pupil__legal_last_name", "pk")
    )


def decision_label(value):
    return D(value).label if value else ""
