"""Closing a case with its short case study, and reopening it as a new episode.

A closed case is read-only: every service of the reviews app calls ``ensure_open``, and the
sessions and referrals services check the case's status themselves. A new block of support
for the same pupil is a new case (a new episode) that links back to the closed one, so the
old episode's record stays as it was.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mentoring.audit import save_as
from mentoring.models import Case
from mentoring.signals import case_closed

from .models import Administration, CaseClosure
from .services import ensure_open


@transaction.atomic
def case_close(
    *,
    case,
    user,
    reason,
    closed_on,
    background="",
    what_was_done="",
    outcomes="",
    lessons="",
    today=None,
):
    """Close the case: its closure and case study, the case's status, closed date and reason,
    and the end of its open allocations (a slot left with no pupil stops that day)."""
    today = today or timezone.localdate()
    case = Case.objects.select_for_update().get(pk=case.pk)
    ensure_open(case)
    if reason not in CaseClosure.Reason.values:
        raise ValidationError({"reason": "Choose why the case is closing."})
    if closed_on > today:
        raise ValidationError({"closed_on": "The date cannot be in the future."})
    if closed_on < case.opened_on:
        raise ValidationError(
            {"closed_on": f"The case opened on {case.opened_on:%d/%m/%Y}; it cannot close before."}
        )
    closure = CaseClosure(
        case=case,
        reason=reason,
        closed_on=closed_on,
        background=background.strip(),
        what_was_done=what_was_done.strip(),
        outcomes=outcomes.strip(),
        lessons=lessons.strip(),
        closed_by=user,
    )
    closure.full_clean()
    save_as(closure, user, "Case closed")
    case.status = Case.Status.CLOSED
    case.closed_on = closed_on
    case.closed_reason = closure.get_reason_display()
    save_as(case, user, "Case closed")
    case_closed.send(sender=Case, case=case, user=user, on=closed_on)
    return closure


@transaction.atomic
def case_reopen(*, case, user, today=None):
    """A new block of support: a new open case (episode) for the same pupil, school and
    support, continuing the closed one, which stays closed. Consent is asked for again."""
    today = today or timezone.localdate()
    case = Case.objects.select_for_update(of=("self",)).select_related("pupil").get(pk=case.pk)
    if case.status != Case.Status.CLOSED:
        raise ValidationError("This case is still open: only a closed case can be reopened.")
    following = Case.objects.filter(previous_episode=case).first()
    if following is not None:
        raise ValidationError(
            f"This episode is already continued in case {following.reference}: "
            "reopen that one when it has closed."
        )
    if case.pupil.date_left is not None:
        raise ValidationError(f"{case.pupil.full_name} has left the school.")
    if Case.objects.open().filter(pupil=case.pupil).exists():
        raise ValidationError(f"{case.pupil.full_name} already has an open case.")
    episode = Case(
        school=case.school,
        pupil=case.pupil,
        support_type=case.support_type,
        status=Case.Status.OPEN,
        opened_on=today,
        previous_episode=case,
    )
    episode.full_clean()
    save_as(episode, user, f"Reopened as a new episode of case {case.reference}")
    return episode


def exit_questionnaires_missing(case):
    """Questionnaires given at entry that have no exit administration yet."""
    given = Administration.objects.filter(case=case).select_related("questionnaire")
    exits = {a.questionnaire_id for a in given if a.stage == Administration.Stage.EXIT}
    return [
        a.questionnaire
        for a in given
        if a.stage == Administration.Stage.ENTRY and a.questionnaire_id not in exits
    ]
