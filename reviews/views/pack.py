"""Termly review packs: the head (or the coordinator) asks for one, the task worker makes
it, the page shows its progress, and the finished PDF is downloaded (and the download noted).

Asking (``reviews.tasks.request_pack``) only records a GeneratedDocument and enqueues
``reviews.tasks.make_review_pack``, so the request returns at once; the list of packs polls
itself (htmx, every 2 s) while one is being made, and has a plain Refresh link for a browser
without JavaScript.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from mentoring import permissions
from mentoring.accounts.durations import in_words
from mentoring.audit import record_access
from mentoring.forms_util import crispy_helper
from mentoring.landing import section
from mentoring.models import AccessEvent, Role, Term

from .. import pack
from ..models import GeneratedDocument
from ..tasks import STALLED_AFTER, UNFINISHED, generated_path, request_pack

Status = GeneratedDocument.Status
LIST_LENGTH = 20


def visible_packs(user):
    """Review packs of the schools where the user is the head or the coordinator."""
    return GeneratedDocument.objects.filter(
        kind=GeneratedDocument.Kind.REVIEW_PACK, school_id__in=permissions.review_pack_schools(user)
    )


def _schools_or_403(user):
    schools = permissions.review_pack_schools(user)
    if not schools:
        raise PermissionDenied
    return schools


class PackRequestForm(forms.Form):
    term = forms.ModelChoiceField(
        queryset=Term.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the term.", "invalid_choice": "Choose a term."},
    )
    audience = forms.ChoiceField(
        label="For",
        choices=pack.AUDIENCES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the pack is for."},
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        several = len(schools) > 1
        field = self.fields["term"]
        # Only terms that have begun: a later one has no figures yet (reviews.pack.has_begun).
        field.queryset = (
            Term.objects.filter(
                academic_year__school_id__in=schools, starts_on__lte=timezone.localdate()
            )
            .select_related("academic_year__school")
            .order_by("-starts_on", "academic_year__school__name")
        )
        field.label_from_instance = lambda term: (
            f"{term} ({term.starts_on:%d/%m/%Y} to {term.ends_on:%d/%m/%Y})"
            + (f", {term.academic_year.school}" if several else "")
        )
        self.helper = crispy_helper()


def _default_term(schools):
    today = timezone.localdate()
    terms = Term.objects.filter(academic_year__school_id__in=schools, starts_on__lte=today)
    return terms.filter(ends_on__gte=today).first() or terms.order_by("-starts_on").first()


def _pack_list(user):
    documents = list(
        visible_packs(user)
        .select_related("school", "term__academic_year", "requested_by")
        .order_by("-requested_at", "-pk")[:LIST_LENGTH]
    )
    stalled_before = timezone.now() - STALLED_AFTER
    for document in documents:
        document.audience_label = pack.AUDIENCE_NAMES.get(document.audience, document.audience)
        document.removed = document.status == Status.READY and not document.file_name
        document.stalled = document.status in UNFINISHED and document.requested_at < stalled_before
    return {
        "documents": documents,
        "stalled_after": in_words(STALLED_AFTER),
        # Followed while a pack is on its way, not while the only ones unfinished are stuck.
        "busy": any(d.status in UNFINISHED and not d.stalled for d in documents),
        "several_schools": len({d.school_id for d in documents}) > 1,
    }


def packs_page(request):
    """Choose a term and audience and ask for the pack; follow the school's packs."""
    schools = _schools_or_403(request.user)
    form = PackRequestForm(
        request.POST or None, schools=schools, initial={"term": _default_term(schools)}
    )
    if request.method == "POST" and form.is_valid():
        term, audience = form.cleaned_data["term"], form.cleaned_data["audience"]
        document, created = request_pack(request.user, term, audience)
        name = pack.PACK_NAMES[audience]
        if created:
            messages.success(
                request,
                f"The {name} for {term} is being made. It shows as ready below in a minute "
                "or so; you can leave this page meanwhile.",
            )
        else:
            messages.info(request, f"The {name} for {term} is already being made.")
        return redirect("review_packs")
    context = {"form": form, **_pack_list(request.user)}
    return render(request, "reviews/pack/packs.html", context)


def pack_list(request):
    """The list of packs alone: what the page's list fetches every 2 s while one is made."""
    _schools_or_403(request.user)
    return render(request, "reviews/pack/_list.html", _pack_list(request.user))


def download_name(document):
    term = document.term
    slug = pack.term_slug(term) if term else "term"
    return f"review-pack-{slug}-{document.audience}.pdf"


def pack_download(request, pk):
    """The finished PDF, as an attachment; the download is noted in the access record, and
    in the access log of each pupil the pack names."""
    document = get_object_or_404(
        visible_packs(request.user).select_related("school", "term__academic_year"),
        pk=pk,
        status=Status.READY,
    )
    if not document.file_name:
        raise Http404("This pack has been removed; ask for it again.")
    try:
        handle = generated_path(document.file_name).open("rb")
    except (OSError, ValueError) as exc:
        raise Http404("This pack's file is missing; ask for it again.") from exc
    audience = pack.AUDIENCE_NAMES.get(document.audience, document.audience)
    # One entry for the school, and one in the access log of each pupil the pack names.
    record_access(
        request,
        AccessEvent.Action.DOWNLOAD,
        f"Termly review pack ({audience}), {document.term}",
        school=document.school,
        naming=document.pupils.order_by("pk"),
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(document),
        content_type="application/pdf",
    )


# --- Landing-page section ------------------------------------------------------------------


@section(Role.HEAD, "reviews/pack/sections/head.html", order=35)
def head_packs(user, schools):
    latest = (
        GeneratedDocument.objects.filter(
            kind=GeneratedDocument.Kind.REVIEW_PACK, school_id__in=schools, status=Status.READY
        )
        .exclude(file_name="")
        .select_related("term__academic_year")
        .order_by("-finished_at", "-pk")
        .first()
    )
    if latest is not None:
        latest.audience_label = pack.AUDIENCE_NAMES.get(latest.audience, latest.audience)
    return {"title": "Termly review packs", "latest": latest}


urlpatterns = [
    path("review-packs/", packs_page, name="review_packs"),
    path("review-packs/list/", pack_list, name="review_pack_list"),
    path("review-packs/<int:pk>/download/", pack_download, name="review_pack_download"),
]
