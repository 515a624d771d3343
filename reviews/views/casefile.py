"""The case file: one PDF of everything recorded about a case, for anyone who may open it."""

from django.http import HttpResponse
from django.urls import path

from mentoring import permissions
from mentoring.audit import record_access
from mentoring.case_page import case_section
from mentoring.models import AccessEvent

from ..casefile import render_case_file


def case_file_pdf(request, pk):
    """Print the case file; the print is recorded. Restricted notes only for the DSL."""
    case = permissions.get_case_or_404(request.user, pk)
    pdf = render_case_file(case, request.user, request=request)
    record_access(
        request,
        AccessEvent.Action.PRINT,
        f"Case file {case.reference}",
        school=case.school,
        pupil=case.pupil,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="case-file-{case.reference}.pdf"'
    return response


@case_section("reviews/casefile/case_section.html", order=2)
def case_file_link(user, case):
    """Whoever may open the case page may print its file."""
    return {"case": case, "shows_restricted": permissions.can_handle_safeguarding(user, case)}


urlpatterns = [
    path("cases/<int:pk>/case-file.pdf", case_file_pdf, name="case_file_pdf"),
]
