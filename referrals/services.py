"""Referral workflow: submission, triage, the panel's decision, and parental consent.

Every rule lives here and raises ValidationError with a message a member of staff
understands; views, admin and commands all come through these functions. Each move locks
the referral row (PostgreSQL) or takes SQLite's write lock (IMMEDIATE transactions), then
re-reads its status, so two panel members deciding at once cannot both succeed.
"""

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format

from mentoring.audit import save_as
from mentoring.models import Case, Pupil
from mentoring.signals import case_closed

from . import notifications
from .models import (
    Barrier,
    ConsentLetter,
    ConsentRecord,
    Criterion,
    DiscussionNote,
    LetterTemplate,
    Referral,
)

S = Referral.Status
# The moves the panel and referrer may make; anything else is refused.
TRANSITIONS = {
    S.DRAFT: {S.NEW, S.WITHDRAWN},
    S.NEW: {S.UNDER_DISCUSSION, S.PRIORITISED, S.DECLINED, S.WITHDRAWN},
    S.UNDER_DISCUSSION: {S.UNDER_DISCUSSION, S.PRIORITISED, S.DECLINED, S.WITHDRAWN},
    S.PRIORITISED: {S.PRIORITISED, S.ACCEPTED, S.WAITLISTED, S.DECLINED, S.WITHDRAWN},
    S.WAITLISTED: {S.PRIORITISED, S.ACCEPTED, S.DECLINED, S.WITHDRAWN},
    S.ACCEPTED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}
DECISIONS = {S.ACCEPTED, S.WAITLISTED, S.DECLINED}
OPEN_STATUSES = [S.DRAFT, S.NEW, S.UNDER_DISCUSSION, S.PRIORITISED, S.WAITLISTED]
QUEUE_STATUSES = [S.NEW, S.UNDER_DISCUSSION, S.PRIORITISED, S.WAITLISTED]

POLICY_CRITERIA = [
    "Underachieving",
    "Weak social skills",
    "New to school and having trouble settling in",
    "Challenging behaviour",
    "Low self-esteem",
    "Lacking in confidence or motivation",
    "At risk of exclusion",
    "Bereavement or separation",
    "Friendship issues",
]
POLICY_BARRIERS = [
    "Lack of confidence",
    "Low self-esteem",
    "Low aspirations",
    "Friendship issues",
    "Bullying",
    "Peer pressure",
    "Family issues or concerns",
    "Bereavement",
    "Transition",
    "Poor social and emotional skills",
    "Poor attendance or timekeeping",
]


def school_lists_ensure(*, school):
    """Give a school the policies' criteria and barriers if it has none yet."""
    for model, names in ((Criterion, POLICY_CRITERIA), (Barrier, POLICY_BARRIERS)):
        if not model.objects.filter(school=school).exists():
            for position, name in enumerate(names, start=1):
                model.objects.create(school=school, name=name, position=position)


def _when(moment):
    return date_format(timezone.localtime(moment), "j M Y \\a\\t H:i")


def _locked(referral):
    """The referral re-read under a lock; call inside transaction.atomic()."""
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("decided_by")
        .get(pk=referral.pk)
    )


def _refuse_move(referral, to):
    """Explain, in the panel's words, why ``referral`` cannot move to ``to``."""
    if referral.status == to:
        return
    if to in TRANSITIONS[referral.status]:
        return
    if referral.is_decided:
        who = referral.decided_by or "someone"
        raise ValidationError(
            f"This referral was already decided: {referral.get_status_display().lower()} "
            f"by {who} on {_when(referral.decided_at)}."
        )
    if referral.status == S.WITHDRAWN:
        raise ValidationError("This referral was withdrawn, so it can no longer be changed.")
    if referral.status == S.DRAFT:
        raise ValidationError("This referral is still a draft: the referrer has not submitted it.")
    if to in {S.ACCEPTED, S.WAITLISTED}:
        raise ValidationError("The panel must give the referral a priority before deciding it.")
    raise ValidationError(
        f"A referral that is {referral.get_status_display().lower()} cannot become "
        f"{S(to).label.lower()}."
    )


def open_referral_or_case(pupil, *, exclude=None):
    """The pupil's open referral or open case, if there is one: a second would duplicate it."""
    referrals = Referral.objects.filter(pupil=pupil, status__in=OPEN_STATUSES)
    if exclude is not None:
        referrals = referrals.exclude(pk=exclude.pk)
    return referrals.first() or Case.objects.filter(pupil=pupil).open().first()


NEEDS_CRITERION = "Choose at least one referral criterion that applies."


def referral_save(*, referral, user, criteria, barriers, submit):
    """Save the referrer's form (a new or a draft referral); submit it when asked.

    A duplicate is refused: the pupil may have only one open referral or case at a time.
    """
    with transaction.atomic():
        # Locking the pupil serialises two referrers of the same child.
        Pupil.objects.select_for_update().filter(pk=referral.pupil_id).first()
        if referral.pk:
            current = _locked(referral)
            if current.status != S.DRAFT:
                raise ValidationError(
                    "This referral has already been submitted; it can no longer be edited."
                )
        existing = open_referral_or_case(referral.pupil, exclude=referral if referral.pk else None)
        if existing is not None:
            raise ValidationError(
                f"{referral.pupil} already has an open "
                f"{'case' if isinstance(existing, Case) else 'referral'}.",
                code="duplicate",
                params={"existing": existing},
            )
        if submit and not criteria:
            raise ValidationError({"criteria": NEEDS_CRITERION})
        referral.school = referral.pupil.school
        referral.referred_by = referral.referred_by if referral.pk else user
        if submit:
            referral.status = S.NEW
            referral.submitted_at = timezone.now()
        referral.full_clean(exclude=["criteria", "barriers", "panel"])
        save_as(referral, user)
        referral.criteria.set(criteria)
        referral.barriers.set(barriers)
        if submit:
            transaction.on_commit(lambda: notifications.new_referral(referral))
    return referral


def discussion_add(*, referral, user, discussed_on, with_whom, note):
    """Record a discussion with staff; a new referral is then under discussion."""
    with transaction.atomic():
        current = _locked(referral)
        if current.status not in {S.NEW, S.UNDER_DISCUSSION, S.PRIORITISED, S.WAITLISTED}:
            _refuse_move(current, S.UNDER_DISCUSSION)
        discussion = DiscussionNote(
            referral=current, discussed_on=discussed_on, with_whom=with_whom, note=note, author=user
        )
        discussion.full_clean()
        save_as(discussion, user)
        if current.status == S.NEW:
            current.status = S.UNDER_DISCUSSION
            save_as(current, user)
    return discussion


def referral_prioritise(*, referral, user, priority, panel, prioritised_on):
    """The panel's priority, who sat on the panel, and when."""
    with transaction.atomic():
        current = _locked(referral)
        _refuse_move(current, S.PRIORITISED)
        if not panel:
            raise ValidationError({"panel": "Say who sat on the panel."})
        current.status = S.PRIORITISED if current.status != S.WAITLISTED else S.WAITLISTED
        current.priority = priority
        current.prioritised_on = prioritised_on
        current.prioritised_by = user
        save_as(current, user)
        current.panel.set(panel)
    return current


def referral_decide(*, referral, user, decision, support_type="", reason=""):
    """Accept (opening the pupil's case), waitlist or decline, saying who decided and when."""
    if decision == S.ACCEPTED and not support_type:
        raise ValidationError({"support_type": "Choose the support to offer."})
    if decision == S.DECLINED and not reason.strip():
        raise ValidationError({"reason": "Give the reason; the referrer will see it."})
    if decision not in DECISIONS:
        raise ValidationError("Choose accept, waitlist or decline.")
    with transaction.atomic():
        current = _locked(referral)
        if current.status == decision == S.WAITLISTED:
            raise ValidationError("This referral is already on the waiting list.")
        _refuse_move(current, decision)
        current.status = decision
        if decision != S.WAITLISTED:
            current.decided_at = timezone.now()
            current.decided_by = user
        if decision == S.ACCEPTED:
            current.support_type = support_type
            case = Case(school=current.school, pupil=current.pupil, support_type=support_type)
            case.full_clean()
            save_as(case, user)
            current.case = case
        if decision == S.DECLINED:
            current.decline_reason = reason.strip()
        save_as(current, user)
        if decision != S.WAITLISTED:
            transaction.on_commit(lambda: notifications.referral_decided(current))
    return current


def referral_withdraw(*, referral, user, reason):
    with transaction.atomic():
        current = _locked(referral)
        _refuse_move(current, S.WITHDRAWN)
        current.status = S.WITHDRAWN
        current.withdrawn_reason = reason.strip() or f"Withdrawn by {user}"
        save_as(current, user)
    return current


# --- Consent --------------------------------------------------------------------------------


def consent_in_force(case, on_date):
    """Is parental consent in force for ``case`` on ``on_date``?

    The latest answer dated on or before the day decides: given means yes; refused or
    withdrawn means no, a withdrawal taking effect from its own date. No answer means no.
    """
    return consent_in_force_from(ConsentRecord.objects.filter(case=case), on_date)


def consent_in_force_from(records, on_date):
    """The same answer from records already fetched, for lists that check many dates."""
    answers = [r for r in records if r.decided_on <= on_date]
    if not answers:
        return False
    latest = max(answers, key=lambda r: (r.decided_on, r.recorded_at, r.pk))
    return latest.decision == ConsentRecord.Decision.GIVEN


def awaiting_consent(referrals):
    """Accepted referrals whose case is open with no answer from the family yet: the figure on
    the landing page and the queue's list behind its link, so the two always agree."""
    answered = ConsentRecord.objects.filter(case=OuterRef("case"))
    return (
        referrals.filter(status=S.ACCEPTED, case__isnull=False)
        .exclude(case__status=Case.Status.CLOSED)
        .exclude(Exists(answered))
    )


def consent_record(*, case, user, decision, given_by, relationship, method, decided_on, note=""):
    """Record a parent's or carer's answer. Refusal closes the case with that reason, and
    frees its slot, mentor's time and room as closing the case does."""
    D = ConsentRecord.Decision
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status == Case.Status.CLOSED:
            raise ValidationError("This case is closed; consent can no longer be recorded.")
        if decided_on > timezone.localdate():
            raise ValidationError({"decided_on": "The date cannot be in the future."})
        if decided_on < case.opened_on:
            raise ValidationError(
                {
                    "decided_on": f"The case opened on {case.opened_on:%d/%m/%Y}; "
                    "the answer cannot be dated before."
                }
            )
        first_letter = (
            ConsentLetter.objects.filter(case=case)
            .order_by("sent_on")
            .values_list("sent_on", flat=True)
            .first()
        )
        if first_letter is not None and decided_on < first_letter:
            raise ValidationError(
                {
                    "decided_on": f"The first letter was sent on {first_letter:%d/%m/%Y}; "
                    "the answer to it cannot be dated before."
                }
            )
        if decision == D.WITHDRAWN and not consent_in_force(case, decided_on):
            raise ValidationError(
                {"decision": "Consent was not in force on that date, so it cannot be withdrawn."}
            )
        record = ConsentRecord(
            case=case,
            decision=decision,
            given_by=given_by,
            relationship=relationship,
            method=method,
            decided_on=decided_on,
            note=note,
            recorded_by=user,
        )
        record.full_clean()
        save_as(record, user)
        if decision == D.REFUSED:
            case.status = Case.Status.CLOSED
            case.closed_on = decided_on
            case.closed_reason = "Parental consent refused"
            save_as(case, user, "Case closed: parental consent refused")
            case_closed.send(sender=Case, case=case, user=user, on=decided_on)
    return record


# --- Consent letters ------------------------------------------------------------------------

DEFAULT_LETTER = """\
At {school_name} we offer some children extra support in school to help them feel happier \
and more confident about learning. We would like to offer {child_first_name} a place in our \
{support_type} programme.

The sessions take place once a week, at the same time each week, during the school day, \
usually for six to eight weeks. They are led by a member of staff trained in this work and \
give {child_first_name} time to talk, to set small goals and to build skills for getting on \
well in school. We review how it is going every term and will keep you informed.

We would like to invite you to meet the mentor, to talk about the support and to ask any \
questions before it begins. Please contact the school office to arrange a time that suits you.

We can only begin with your consent. Please complete the slip below and return it to the \
school office, or let us know by phone or email."""


def letter_wording(school):
    """The school's own wording of the consent letter, or the product's default."""
    template = getattr(school, "letter_template", None)
    return template.body if template is not None else DEFAULT_LETTER


def letter_wording_save(*, school, user, body):
    body = body.replace("\r\n", "\n").strip()
    template = LetterTemplate.objects.filter(school=school).first() or LetterTemplate(school=school)
    if template.body != body or template.pk is None:
        template.body = body
        save_as(template, user)
    return template


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill_placeholders(body, values):
    """Replace {name} placeholders; the form has already refused unknown names."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), body)


def consent_letter_send(*, case, user, addressed_to=None, sent_on=None):
    """Record a consent letter as sent, freezing its text as it stands today."""
    if case.status == Case.Status.CLOSED:
        raise ValidationError("This case is closed; no letter can be sent.")
    sent_on = sent_on or timezone.localdate()
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "The date cannot be in the future."})
    if sent_on < case.opened_on:
        # The wait for an answer is counted from the letter: an earlier date would count
        # school days from before there was anything to consent to.
        raise ValidationError(
            {
                "sent_on": f"The case opened on {case.opened_on:%d/%m/%Y}; "
                "the letter cannot be dated before."
            }
        )
    if consent_in_force(case, sent_on):
        raise ValidationError("Consent is already given for this case; no letter is needed.")
    pupil, school = case.pupil, case.school
    values = {
        "child_name": pupil.full_name,
        "child_first_name": pupil.first_name,
        "support_type": case.get_support_type_display(),
        "school_name": school.name,
        "head_name": school.head_name,
        "coordinator_name": user.display_name,
    }
    if addressed_to is not None and addressed_to.pupil_id != pupil.pk:
        raise ValidationError({"addressed_to": "Choose a parent or carer of this child."})
    letter = ConsentLetter(
        case=case,
        addressed_to=addressed_to,
        salutation=f"Dear {addressed_to.name}" if addressed_to else "Dear Parent/Carer",
        body=fill_placeholders(letter_wording(school), values),
        sent_on=sent_on,
        sent_by=user,
    )
    letter.full_clean()
    save_as(letter, user)
    return letter


def consent_state(case, letters, records, calendar, today):
    """Where the case stands on consent, for the queue and the case page.

    Works on already-fetched letters and records so that lists cost no query per row.
    Returns (label, needs_chasing).
    """
    if records:
        latest = max(records, key=lambda r: (r.decided_on, r.recorded_at, r.pk))
        return f"Consent {latest.get_decision_display().lower()}", False
    if not letters:
        return "Letter to send", False
    sent = max(letter.sent_on for letter in letters)
    waited = sum(1 for _ in calendar.school_days(sent + timedelta(days=1), today))
    if waited == 0:
        label = "Awaiting answer (letter sent today)"
    else:
        days = "school day" if waited == 1 else "school days"
        label = f"Awaiting answer ({waited} {days} since the letter)"
    return label, waited >= case.school.consent_chase_after
