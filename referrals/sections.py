"""What the referrals app adds to landing pages and to the case page."""

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from mentoring import permissions
from mentoring.calendar import SchoolCalendar
from mentoring.case_page import case_section, shared
from mentoring.landing import section
from mentoring.models import Case, Role

from .forms import ConsentLetterForm
from .models import ConsentLetter, ConsentRecord, Referral
from .services import QUEUE_STATUSES, awaiting_consent, consent_in_force_from, consent_state

S = Referral.Status


def queue_summary(user, schools):
    queue = Referral.objects.filter(school_id__in=schools, status__in=QUEUE_STATUSES)
    oldest = queue.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    latest = (
        queue.filter(status=S.NEW)
        .select_related("pupil", "referred_by")
        .order_by("-submitted_at")[:5]
    )
    awaiting = awaiting_consent(Referral.objects.filter(school_id__in=schools)).count()
    return {
        "title": "Referrals",
        "new": queue.filter(status=S.NEW).count(),
        "waiting": queue.count(),
        "oldest": (timezone.localdate() - timezone.localdate(oldest)).days if oldest else 0,
        "latest": latest,
        "awaiting_consent": awaiting,
    }


for _role in (Role.COORDINATOR, Role.HEAD, Role.SENDCO):
    section(_role, "referrals/sections/queue.html", order=5)(queue_summary)


def my_referrals(user, schools):
    if permissions.has_role(user, *permissions.PANEL_ROLES):
        return None  # the panel sees every referral in its queue section
    mine = Referral.objects.filter(referred_by=user, school_id__in=schools)
    decided = (
        mine.filter(status__in=[S.ACCEPTED, S.DECLINED])
        .select_related("pupil")
        .order_by("-decided_at")[:5]
    )
    return {
        "title": "My referrals",
        "decided": decided,
        "open_count": mine.filter(status__in=QUEUE_STATUSES).count(),
        "drafts": mine.filter(status=S.DRAFT).count(),
    }


for _role in (Role.CLASS_TEACHER, Role.TEACHING_ASSISTANT):
    section(_role, "referrals/sections/my_referrals.html", order=5)(my_referrals)


@shared
def consent_records(case):
    """The parents' answers: the consent and the sessions sections both read them."""
    return list(ConsentRecord.objects.filter(case=case))


@case_section("referrals/sections/case_referral.html", order=10)
def case_referral(user, case):
    # Whether the user may open the referral comes with it, from the same scope its page uses.
    visible = permissions.visible_referrals(user).filter(pk=OuterRef("pk"))
    referral = (
        Referral.objects.filter(case=case)
        .select_related("referred_by", "decided_by")
        .annotate(can_open=Exists(visible))
        .first()
    )
    if referral is None:
        return None
    return {"referral": referral, "can_open": referral.can_open}


@case_section("referrals/sections/case_consent.html", order=20)
def case_consent(user, case):
    letters = list(ConsentLetter.objects.filter(case=case).select_related("sent_by"))
    records = consent_records(case)
    today = timezone.localdate()
    # Only a letter still waiting for its answer needs the school days counted.
    calendar = SimpleLazyObject(
        lambda: SchoolCalendar.for_school(case.school, today - timezone.timedelta(days=365), today)
    )
    state, chase = consent_state(case, letters, records, calendar, today)
    is_open = case.status == Case.Status.OPEN
    in_force = consent_in_force_from(records, today)
    # Once a mentor is allocated the case is past this step.
    ready = in_force and is_open and case.mentor_id is None
    can_manage = permissions.can_manage_consent(user, case)
    return {
        "case": case,
        "letters": letters,
        "records": records,
        "state": state,
        "needs_chasing": chase,
        "ready": ready,
        "open": is_open,
        "can_manage": can_manage,
        # Only while a letter may still be recorded (consent not in force, whether or not a
        # mentor is allocated yet) does the page show the form.
        "letter_form": ConsentLetterForm(case=case, initial={"sent_on": today})
        if can_manage and is_open and not in_force
        else None,
    }
