"""The core's landing-page sections: roster, caseload, cases and staff capacity."""

from django.db.models import Count, F, Q

from . import permissions
from .landing import section
from .models import Case, Pupil, Role, StaffMember, SupportType


@section(Role.OFFICE, "mentoring/sections/office.html", order=10)
def office_roster(user, schools):
    pupils = Pupil.objects.filter(school_id__in=schools).on_roll()
    by_year = pupils.values("year_group").annotate(n=Count("pk")).order_by("year_group")
    return {
        "title": "Roster and set-up",
        "pupil_count": pupils.count(),
        "by_year": by_year,
        "without_class": pupils.filter(school_class__isnull=True).count(),
    }


@section(Role.MENTOR, "mentoring/sections/caseload.html", order=10)
def mentor_caseload(user, schools):
    cases = (
        permissions.visible_cases(user)
        .filter(mentor=user, school_id__in=schools)
        .open()
        .select_related("pupil", "pupil__school_class")
        .order_by("pupil__legal_last_name")
    )
    return {"title": "My caseload", "cases": cases}


def _capacity(schools):
    mentors = (
        StaffMember.objects.filter(school_id__in=schools, roles__role=Role.MENTOR)
        .select_related("user", "school")
        .annotate(
            open_cases=Count(
                "user__caseload",
                filter=Q(user__caseload__status=Case.Status.OPEN)
                & Q(user__caseload__school=F("school")),
            )
        )
        .order_by("user__last_name")
    )
    return mentors


@section(Role.COORDINATOR, "mentoring/sections/cases_overview.html", order=20)
def coordinator_cases(user, schools):
    cases = Case.objects.filter(school_id__in=schools)
    return {
        "title": "Cases and staff capacity",
        "open_count": cases.open().count(),
        "by_support": [
            {"value": row["support_type"], "label": SupportType(row["support_type"]).label, **row}
            for row in cases.open().values("support_type").annotate(n=Count("pk")).order_by("-n")
        ],
        "unallocated": cases.open().filter(mentor__isnull=True).count(),
        "mentors": _capacity(schools),
    }


@section(Role.HEAD, "mentoring/sections/cases_overview.html", order=20)
def head_overview(user, schools):
    if permissions.has_role(user, Role.COORDINATOR):
        return None  # the coordinator's section already shows the same figures
    context = coordinator_cases(user, schools)
    context["title"] = "The mentoring programme"
    return context


@section(Role.SENDCO, "mentoring/sections/sen_cases.html", order=20)
def sendco_cases(user, schools):
    cases = (
        Case.objects.filter(school_id__in=schools)
        .open()
        .exclude(pupil__sen_status="N")
        .select_related("pupil", "mentor")
    )
    return {"title": "Open cases of pupils with SEN", "cases": cases}


def _my_class_pupils(user, schools):
    return (
        permissions.visible_pupils(user)
        .filter(school_class__staff__user=user, school_id__in=schools)
        .on_roll()
        .select_related("school_class")
        .order_by("school_class__name", "legal_last_name", "legal_first_name")
    )


@section(Role.CLASS_TEACHER, "mentoring/sections/my_class.html", order=10)
def teacher_class(user, schools):
    return {"title": "My class", "pupils": _my_class_pupils(user, schools)}


@section(Role.TEACHING_ASSISTANT, "mentoring/sections/my_class.html", order=10)
def assistant_class(user, schools):
    if permissions.has_role(user, Role.CLASS_TEACHER):
        return None  # the teacher's section already lists the same pupils
    return {"title": "My class", "pupils": _my_class_pupils(user, schools)}
