from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from mentoring import permissions

from ..book import Adherence, AttendanceBook, adherence, running_between
from ..models import Allocation
from ..school_years import ALL_YEARS, chosen_year, school_years, year_span


def adherence_page(request):
    """Held against expected for the school, each mentor and each case, with the reasons:
    this school year unless another year, or every year, is asked for."""
    if not permissions.can_view_adherence(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    schools = permissions.adherence_schools(request.user)
    years = school_years(schools)
    year = chosen_year(years, request.GET.get("year"), today)
    allocations = Allocation.objects.filter(
        slot__school_id__in=schools, case__in=permissions.visible_cases(request.user)
    )
    since, until = year_span(year, today)
    if year is not None:
        allocations = running_between(allocations, since, until)
    book = AttendanceBook(allocations, until=until, since=since)
    per_case = adherence(book, until, since=since)
    cases = {a.case_id: a for a in book.allocations}
    per_mentor, school = defaultdict(Adherence), Adherence()
    for case_id, figures in per_case.items():
        per_mentor[cases[case_id].slot.mentor] += figures
        school += figures
    # Each row's link and labels are made here once: tags and lookups cost more per row.
    rows = [
        (reverse("case_detail", args=[case.pk]), case.pupil.full_name, str(slot), figures)
        for case, slot, figures in sorted(
            ((cases[cid].case, cases[cid].slot, fig) for cid, fig in per_case.items()),
            key=lambda row: row[0].pupil.legal_last_name,
        )
    ]
    context = {
        "school_figures": school,
        "mentors": sorted(per_mentor.items(), key=lambda item: item[0].last_name),
        "rows": rows,
        "since": since,
        "until": until,
        "year": year,
        "years": years,
        "all_years": ALL_YEARS,
    }
    return render(request, "sessions/adherence.html", context)
