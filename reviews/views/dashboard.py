"""The programme dashboard: a term or a run of dates, its figures and charts, and their CSVs.

For the head and the coordinator (``permissions.dashboard_schools``). The period comes in
the query string (``term``, or ``from`` and ``to``), so a view of the figures can be
bookmarked and its CSVs carry the same period.
"""

from django import forms
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from mentoring import permissions
from mentoring.audit import record_access
from mentoring.changes import latest_change
from mentoring.forms_util import DateInput, ModelChoiceField, crispy_helper
from mentoring.models import AccessEvent, School, Term

from .. import dashboard, exports

# A longer period would make the expected sessions slow to work out and says little.
LONGEST_DAYS = 3 * 366


class PeriodForm(forms.Form):
    """A term, or a first and last day; with neither, the current term."""

    school = ModelChoiceField(
        queryset=School.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your schools."},
    )
    term = ModelChoiceField(
        queryset=Term.objects.none(),
        required=False,
        empty_label="The dates below",
        error_messages={"invalid_choice": "Choose one of the school's terms."},
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(pk__in=schools).order_by("name")
        if len(schools) == 1:
            self.fields["school"].widget = forms.HiddenInput()
        self.fields["term"].queryset = (
            Term.objects.filter(academic_year__school_id__in=schools)
            .select_related("academic_year__school")
            .order_by("-starts_on")
        )
        self.fields["term"].label_from_instance = lambda t: (
            f"{t} ({t.starts_on:%d/%m/%Y} to {t.ends_on:%d/%m/%Y})"
            + (f", {t.academic_year.school}" if len(schools) > 1 else "")
        )
        # "from" is a Python keyword, so these are added by name rather than declared.
        self.fields["from"] = forms.DateField(
            label="From",
            required=False,
            widget=DateInput(),
            error_messages={"invalid": "Enter the first day as a date, like 01/09/2026."},
        )
        self.fields["to"] = forms.DateField(
            label="To",
            required=False,
            widget=DateInput(),
            error_messages={"invalid": "Enter the last day as a date, like 31/12/2026."},
        )
        self.schools = schools
        self.helper = crispy_helper()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        school = data["school"]
        first, last, term = data.get("from"), data.get("to"), data.get("term")
        if first or last:
            if not first:
                self.add_error("from", "Enter the first day too, or clear the last day.")
            elif not last:
                self.add_error("to", "Enter the last day too, or clear the first day.")
            elif last < first:
                self.add_error("to", "The last day must be on or after the first day.")
            elif (last - first).days > LONGEST_DAYS:
                self.add_error("to", "Choose at most three years.")
            else:
                data["period"] = dashboard.Period(first, last)
        elif term is not None:
            if term.academic_year.school_id != school.pk:
                self.add_error("term", "That term belongs to another school.")
            else:
                data["period"] = dashboard.Period.of_term(term)
        else:
            data["period"] = dashboard.default_period(school)
        return data


def _schools_or_403(user):
    schools = permissions.dashboard_schools(user)
    if not schools:
        raise PermissionDenied
    return schools


def _period_form(request):
    schools = _schools_or_403(request.user)
    data = request.GET.copy()
    if not data.get("school"):
        data["school"] = str(min(schools))
    form = PeriodForm(data, schools=schools)
    if form.is_valid() and not any(data.get(name) for name in ("term", "from", "to")):
        # Nothing chosen: the page shows the current term, and so must the form.
        term = form.cleaned_data["period"].term
        if term is not None:
            form.data["term"] = str(term.pk)
    return form


def figures_html(school, period, today):
    """The figures and charts of the page, drawn once for everyone until the data changes:
    they are the same whoever asks, and working them out takes dozens of queries."""
    key = ":".join(
        str(part)
        for part in (
            "dashboard",
            school.pk,
            period.starts_on,
            period.ends_on,
            period.term.pk if period.term else "",
            period.name,
            today,
            latest_change(),
        )
    )
    html = cache.get(key)
    if html is None:
        figures = dashboard.dashboard_figures(school, period, today)
        html = render_to_string("reviews/dashboard/_figures.html", figures)
        cache.set(key, html)
    return html


@require_GET
def dashboard_page(request):
    """The figures of one school's programme over a term or a run of dates."""
    form = _period_form(request)
    context = {"form": form, "query": request.GET.urlencode()}
    if form.is_valid():
        school, period = form.cleaned_data["school"], form.cleaned_data["period"]
        today = timezone.localdate()
        context.update(
            school=school,
            period=period,
            as_at=min(today, period.ends_on),
            figures=figures_html(school, period, today),
            several_schools=len(form.schools) > 1,
        )
    return render(request, "reviews/dashboard/dashboard.html", context)


def _csv_response(text, filename):
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _invalid(request, form):
    context = {"form": form, "query": request.GET.urlencode()}
    return render(request, "reviews/dashboard/dashboard.html", context, status=400)


def _csv_export(request, what, name, make):
    """A CSV of the period the query string gives, made by ``make(school, period)``, its
    download noted in the access log as ``what``."""
    form = _period_form(request)
    if not form.is_valid():
        return _invalid(request, form)
    school, period = form.cleaned_data["school"], form.cleaned_data["period"]
    text = make(school, period)
    record_access(request, AccessEvent.Action.EXPORT, f"{what}, {period.label}", school=school)
    return _csv_response(text, f"programme-{name}-{period.slug}.csv")


@require_GET
def figures_csv(request):
    """The dashboard's figures as CSV, as the page shows them (noted in the access log)."""
    return _csv_export(
        request,
        "Programme dashboard figures (CSV)",
        "figures",
        lambda school, period: exports.figures_csv(dashboard.dashboard_figures(school, period)),
    )


@require_GET
def cases_csv(request):
    """One anonymised row per case of the period, as CSV (noted in the access log)."""
    return _csv_export(
        request,
        "Anonymised case-level export (CSV)",
        "cases",
        lambda school, period: exports.cases_csv(school, period, timezone.localdate()),
    )


urlpatterns = [
    path("dashboard/", dashboard_page, name="dashboard"),
    path("dashboard/figures.csv", figures_csv, name="dashboard_figures_csv"),
    path("dashboard/cases.csv", cases_csv, name="dashboard_cases_csv"),
]
