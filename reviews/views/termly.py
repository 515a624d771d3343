"""Termly reviews: the mentor prepares, the class teacher adds a view, the coordinator
decides; and the coordinator's lists of reviews due and blocks ending."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from mentoring import permissions
from mentoring.case_page import case_section
from mentoring.forms_util import RowPaths, apply_service
from mentoring.landing import section
from mentoring.models import Case, Role

from .. import termly
from ..forms_termly import DecisionForm, ReviewForm, TeacherViewForm
from ..models import TermlyReview

REVIEW_RELATED = ["case", "case__school", "case__pupil", "case__pupil__school_class", "term"]


def _review_or_404(user, pk):
    """A review of a case the user may open (a class teacher uses their own page)."""
    reviews = TermlyReview.objects.filter(case__in=permissions.visible_cases(user))
    return get_object_or_404(reviews.select_related(*REVIEW_RELATED, "case__mentor"), pk=pk)


def _form_page(request, case, review, term):
    context = termly.reference(case, review.term if review.pk else term, timezone.localdate())
    initial = None
    if review.pk is None:
        initial = {"term": term, "progress_summary": termly.initial_progress(context["targets"])}
    form = ReviewForm(request.POST or None, instance=review, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form, lambda: termly.review_save(review=form.instance, user=request.user)
        )
        if saved:
            messages.success(request, f"{saved} saved. The class teacher can now add their view.")
            return redirect("termly_review", saved.pk)
    context.update({"case": case, "review": review, "form": form})
    return render(request, "reviews/termly/review_form.html", context)


def review_create(request, pk):
    """Start this term's review (or a chosen term's) for the case."""
    case = permissions.get_case_or_404(request.user, pk)
    if not permissions.can_work_on_case(request.user, case):
        raise PermissionDenied
    if request.method == "GET" and case.status == Case.Status.CLOSED:
        # Said before anything is typed (a stale tab's post is still refused by the service,
        # keeping its text).
        messages.error(request, "This case is closed, so no review can be started for it.")
        return redirect("case_detail", case.pk)
    term = termly.term_containing(case.school, timezone.localdate())
    return _form_page(request, case, TermlyReview(case=case), term)


def review_edit(request, pk):
    review = _review_or_404(request.user, pk)
    if not permissions.can_work_on_case(request.user, review.case):
        raise PermissionDenied
    return _form_page(request, review.case, review, review.term)


def review_detail(request, pk):
    review = _review_or_404(request.user, pk)
    case, user = review.case, request.user
    context = termly.reference(case, review.term, timezone.localdate())
    is_open = case.status == Case.Status.OPEN
    undecided = is_open and not review.decision
    context.update(
        {
            "case": case,
            "review": review,
            "can_edit": undecided and permissions.can_work_on_case(user, case),
            "can_decide": is_open and permissions.can_decide_review(user, case),
            "can_close": is_open and permissions.can_close_case(user, case),
        }
    )
    return render(request, "reviews/termly/review_detail.html", context)


def review_teacher(request, pk):
    """The class teacher's page: this review's summary and their view, nothing else."""
    reviews = TermlyReview.objects.filter(case__in=permissions.teacher_review_cases(request.user))
    review = get_object_or_404(reviews.select_related(*REVIEW_RELATED), pk=pk)
    form = TeacherViewForm(
        request.POST or None, initial={"teacher_view": review.teacher_view}, record=review
    )
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form,
            lambda: termly.teacher_view_save(
                review=review, user=request.user, teacher_view=form.cleaned_data["teacher_view"]
            ),
        )
        if saved:
            messages.success(request, "Thank you: your view is added to the review.")
            return redirect("home")
    editable = review.case.status == Case.Status.OPEN and not review.decision
    context = {"review": review, "pupil": review.case.pupil, "form": form, "editable": editable}
    return render(request, "reviews/termly/teacher.html", context)


def review_decide(request, pk):
    review = _review_or_404(request.user, pk)
    if not permissions.can_decide_review(request.user, review.case):
        raise PermissionDenied
    initial = {"decision": review.decision, "refer_on_to": review.refer_on_to}
    initial["next_review_on"] = review.next_review_on
    form = DecisionForm(request.POST or None, initial=initial, record=review)
    if request.method == "POST" and form.is_valid():
        decide = termly.review_decide
        saved = apply_service(
            form, lambda: decide(review=review, user=request.user, **form.cleaned_data)
        )
        if saved and saved.decision == TermlyReview.Decision.CLOSE:
            messages.success(request, "Decided: close. Now record the closure and case study.")
            return redirect("case_close", review.case.pk)
        if saved:
            messages.success(request, f"Decided: {saved.get_decision_display().lower()}.")
            return redirect("termly_review", review.pk)
    return render(request, "reviews/termly/decide.html", {"review": review, "form": form})


def review_lists(request):
    """The coordinator's lists: reviews due this term, and blocks ending (or ended)."""
    schools = permissions.review_list_schools(request.user)
    if not schools:
        raise PermissionDenied
    today = timezone.localdate()
    terms, due = termly.reviews_due(schools, today)
    # Each row's links, from one reverse() per URL name.
    case_path, review_path = RowPaths("case_detail"), RowPaths("termly_review")
    decide_path, close_path = RowPaths("termly_review_decide"), RowPaths("case_close")
    due = list(due)
    for case in due:
        case.can_decide = permissions.can_decide_review(request.user, case)
        case.case_path = case_path(case.pk)
        if case.review_id:
            case.review_path = review_path(case.review_id)
            case.decide_path = decide_path(case.review_id)
    ending = list(termly.blocks_ending(schools, today))
    for allocation in ending:
        allocation.days_left = (allocation.slot.block_ends_on - today).days
        allocation.days_ago = -allocation.days_left
        allocation.can_close = permissions.can_close_case(request.user, allocation.case)
        allocation.case_path = case_path(allocation.case_id)
        allocation.close_path = close_path(allocation.case_id)
        if allocation.review_id:
            allocation.review_path = review_path(allocation.review_id)
    context = {
        "terms": sorted(terms.values(), key=lambda t: t.academic_year.school_id),
        "due": due,
        "ending": ending,
        "today": today,
        "several_schools": len(schools) > 1,
        "window": termly.BLOCK_END_WINDOW.days,
    }
    return render(request, "reviews/termly/lists.html", context)


# --- Landing-page and case-page sections ---------------------------------------------------------


def coordinator_reviews(user, schools):
    today = timezone.localdate()
    terms, due = termly.reviews_due(schools, today)
    return {
        "title": "Termly reviews",
        "terms": list(terms.values()),
        "due_count": due.count(),
        "ending_count": termly.blocks_ending(schools, today).count(),
        "window": termly.BLOCK_END_WINDOW.days,
    }


for _role in (Role.COORDINATOR, Role.HEAD):
    section(_role, "reviews/termly/sections/coordinator.html", order=30)(coordinator_reviews)


@section(Role.CLASS_TEACHER, "reviews/termly/sections/teacher.html", order=20)
def teacher_reviews(user, schools):
    """Reviews of the teacher's pupils waiting for their view."""
    waiting = (
        TermlyReview.objects.filter(
            case__in=permissions.teacher_review_cases(user).open(),
            case__school_id__in=schools,
            decision="",
        )
        .select_related("case__pupil", "term")
        .order_by("prepared_on", "pk")
    )
    if not waiting:
        return None
    return {"title": "Termly reviews: your view", "reviews": waiting}


@case_section("reviews/termly/sections/case_reviews.html", order=60)
def case_reviews(user, case):
    reviews = list(case.termly_reviews.select_related("term", "term__academic_year"))
    term = termly.term_containing(case.school, timezone.localdate())
    has_this_term = term is not None and any(r.term_id == term.pk for r in reviews)
    return {
        "case": case,
        "reviews": reviews,
        "term": term,
        "can_prepare": case.status == Case.Status.OPEN
        and not has_this_term
        and permissions.can_work_on_case(user, case),
    }


urlpatterns = [
    path("termly-reviews/", review_lists, name="review_lists"),
    path("cases/<int:pk>/termly-review/new/", review_create, name="termly_review_create"),
    path("termly-reviews/<int:pk>/", review_detail, name="termly_review"),
    path("termly-reviews/<int:pk>/edit/", review_edit, name="termly_review_edit"),
    path("termly-reviews/<int:pk>/teacher/", review_teacher, name="termly_review_teacher"),
    path("termly-reviews/<int:pk>/decision/", review_decide, name="termly_review_decide"),
]
