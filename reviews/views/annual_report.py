"""The annual report for governors: choose the academic year, download the PDF.

For the head and the coordinator (``permissions.dashboard_schools``). The report has no
page per case, so it is made while the download waits (a few seconds), not queued as the
termly packs are. Each download is recorded in the access log.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from mentoring import permissions
from mentoring.audit import record_access
from mentoring.forms_util import crispy_helper
from mentoring.models import AccessEvent, School

from .. import annual_report


class YearForm(forms.Form):
    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your schools."},
    )
    year = forms.TypedChoiceField(
        label="Academic year",
        coerce=int,
        error_messages={"invalid_choice": "Choose one of the years listed."},
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(pk__in=schools).order_by("name")
        if len(schools) == 1:
            self.fields["school"].widget = forms.HiddenInput()
        years = set()
        for school_id in schools:
            years.update(annual_report.years_to_choose(school_id))
        self.fields["year"].choices = [
            (y, annual_report.year_name(y)) for y in sorted(years, reverse=True)
        ]
        self.helper = crispy_helper()


def _form(request):
    schools = permissions.dashboard_schools(request.user)
    if not schools:
        raise PermissionDenied
    data = request.GET.copy()
    if not data.get("school"):
        data["school"] = str(min(schools))
    form = YearForm(data, schools=schools)
    if not data.get("year"):
        data["year"] = str(form.fields["year"].choices[0][0])
        form = YearForm(data, schools=schools)
    return form


@require_GET
def annual_report_page(request):
    form = _form(request)
    return render(request, "reviews/dashboard/annual_report.html", {"form": form})


@require_GET
def annual_report_download(request):
    form = _form(request)
    if not form.is_valid():
        return render(request, "reviews/dashboard/annual_report.html", {"form": form}, status=400)
    school, year = form.cleaned_data["school"], form.cleaned_data["year"]
    data = annual_report.render_annual_report(school, year, user=request.user)
    name = annual_report.year_name(year)
    record_access(
        request,
        AccessEvent.Action.DOWNLOAD,
        f"Annual report for governors, {name}",
        school=school,
    )
    response = HttpResponse(data, content_type="application/pdf")
    filename = f"annual-report-{name.replace('/', '-')}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("annual-report/", annual_report_page, name="annual_report"),
    path("annual-report/download/", annual_report_download, name="annual_report_download"),
]
