from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mentoring import permissions
from mentoring.audit import record_access
from mentoring.forms_util import apply_service
from mentoring.models import AccessEvent, School
from mentoring.pdf import render_pdf

from .. import services
from ..forms import ConsentLetterForm, ConsentRecordForm, LetterTemplateForm
from ..models import ConsentLetter


def _consent_case(request, pk):
    case = permissions.get_case_or_404(request.user, pk)
    if not permissions.can_manage_consent(request.user, case):
        raise PermissionDenied
    return case


@require_POST
def consent_letter_create(request, pk):
    """Record the consent letter as sent (its text frozen), then offer it to print."""
    case = _consent_case(request, pk)
    form = ConsentLetterForm(request.POST, case=case)
    letter = form.is_valid() and apply_service(
        form,
        lambda: services.consent_letter_send(
            case=case,
            user=request.user,
            addressed_to=form.cleaned_data["addressed_to"],
            sent_on=form.cleaned_data["sent_on"],
        ),
    )
    if letter:
        messages.success(request, "Letter recorded as sent. Print it from the consent section.")
        return redirect("case_detail", case.pk)
    # Shown again on a page of its own, the reason beside the date and the choices kept: the
    # case page's sections are built afresh and could not show this form as it was filled.
    return render(request, "referrals/consent_letter_form.html", {"case": case, "form": form})


def consent_letter_pdf(request, pk):
    visible = ConsentLetter.objects.filter(case__in=permissions.visible_cases(request.user))
    letter = get_object_or_404(visible.select_related("case__pupil", "case__school"), pk=pk)
    if not permissions.can_manage_consent(request.user, letter.case):
        raise PermissionDenied
    pdf = render_pdf(
        "pdf/consent_letter.html",
        {
            "letter": letter,
            "case": letter.case,
            "school": letter.case.school,
            "paragraphs": [p.strip() for p in letter.body.split("\n\n") if p.strip()],
        },
        request=request,
        title=f"Consent letter: {letter.case.pupil.full_name}",
    )
    what = f"the consent letter of {letter.sent_on:%-d %b %Y} ({letter.case.reference})"
    record_access(
        request, AccessEvent.Action.PRINT, what, school=letter.case.school, pupil=letter.case.pupil
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"consent-letter-{letter.case.reference}-{letter.sent_on:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def consent_record_create(request, pk):
    case = _consent_case(request, pk)
    form = ConsentRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = apply_service(
            form, lambda: services.consent_record(case=case, user=request.user, **form.cleaned_data)
        )
        if record:
            messages.success(request, f"{record} recorded.")
            return redirect("case_detail", case.pk)
    return render(request, "referrals/consent_form.html", {"case": case, "form": form})


def letter_wording_edit(request):
    schools = permissions.referral_list_schools(request.user)
    if not schools:
        raise PermissionDenied
    chosen = request.GET.get("school") or str(min(schools))
    if not chosen.isdecimal() or int(chosen) not in schools:
        raise PermissionDenied  # another school's, or no school at all: never a server error
    school = get_object_or_404(School, pk=chosen)
    form = LetterTemplateForm(
        request.POST or None, initial={"body": services.letter_wording(school)}, record=school
    )
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form,
            lambda: services.letter_wording_save(
                school=school, user=request.user, body=form.cleaned_data["body"]
            ),
        )
        if saved:
            messages.success(
                request, "The letter's wording is saved. Letters already sent keep theirs."
            )
            return redirect("letter_wording_edit")
    return render(request, "referrals/letter_wording.html", {"form": form, "school": school})
