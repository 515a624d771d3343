"""The allowed moves of a referral, and a clear refusal for every other one."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentoring.models import Case
from referrals import services
from referrals.models import Referral

from ..factories import make_referral

pytestmark = pytest.mark.django_db
S = Referral.Status


def prioritise(referral, user):
    return services.referral_prioritise(
        referral=referral,
        user=user,
        priority=Referral.Priority.HIGH,
        panel=[user],
        prioritised_on=timezone.localdate(),
    )


def test_the_whole_path_from_new_to_accepted_opens_the_case(pupil, class_teacher, coordinator):
    referral = make_referral(pupil, class_teacher)
    services.discussion_add(
        referral=referral,
        user=coordinator,
        discussed_on=timezone.localdate(),
        with_whom="Class teacher",
        note="Struggles after lunch.",
    )
    referral.refresh_from_db()
    assert referral.status == S.UNDER_DISCUSSION
    prioritise(referral, coordinator)
    decided = services.referral_decide(
        referral=referral, user=coordinator, decision=S.ACCEPTED, support_type="sand_play"
    )
    assert decided.status == S.ACCEPTED and decided.decided_by == coordinator
    case = Case.objects.get(pupil=pupil)
    assert case.support_type == "sand_play" and decided.case == case
    assert case.status == Case.Status.OPEN and case.mentor is None


def test_deciding_twice_says_who_decided_and_when(pupil, class_teacher, coordinator, head):
    referral = make_referral(pupil, class_teacher)
    prioritise(referral, coordinator)
    services.referral_decide(
        referral=referral, user=coordinator, decision=S.DECLINED, reason="Needs a CAMHS referral"
    )
    with pytest.raises(ValidationError) as refused:
        services.referral_decide(
            referral=referral, user=head, decision=S.ACCEPTED, support_type="mentoring"
        )
    message = refused.value.messages[0]
    assert "already decided: declined by Cora Staffperson on" in message
    assert Case.objects.count() == 0


def test_a_stale_page_cannot_decide_a_referral_already_decided(
    pupil, class_teacher, coordinator, head
):
    """Two panel members with the page open: the second is told, and nothing changes."""
    referral = make_referral(pupil, class_teacher)
    prioritise(referral, coordinator)
    seen_by_head = Referral.objects.get(pk=referral.pk)  # loaded before the decision
    services.referral_decide(
        referral=referral, user=coordinator, decision=S.ACCEPTED, support_type="nurture"
    )
    with pytest.raises(ValidationError, match="already decided: accepted by Cora"):
        services.referral_decide(
            referral=seen_by_head, user=head, decision=S.DECLINED, reason="No capacity"
        )
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED and Case.objects.count() == 1


def test_a_withdrawn_referral_cannot_be_accepted(pupil, class_teacher, coordinator):
    referral = make_referral(pupil, class_teacher)
    prioritise(referral, coordinator)
    services.referral_withdraw(referral=referral, user=class_teacher, reason="Family moving away")
    with pytest.raises(ValidationError, match="withdrawn, so it can no longer be changed"):
        services.referral_decide(
            referral=referral, user=coordinator, decision=S.ACCEPTED, support_type="mentoring"
        )
    assert Case.objects.count() == 0


def test_accepting_needs_a_priority_first(pupil, class_teacher, coordinator):
    referral = make_referral(pupil, class_teacher)
    with pytest.raises(ValidationError, match="must give the referral a priority"):
        services.referral_decide(
            referral=referral, user=coordinator, decision=S.ACCEPTED, support_type="mentoring"
        )


def test_accepting_needs_a_support_type_and_declining_a_reason(pupil, class_teacher, coordinator):
    referral = make_referral(pupil, class_teacher)
    prioritise(referral, coordinator)
    with pytest.raises(ValidationError) as no_support:
        services.referral_decide(referral=referral, user=coordinator, decision=S.ACCEPTED)
    assert no_support.value.message_dict == {"support_type": ["Choose the support to offer."]}
    with pytest.raises(ValidationError) as no_reason:
        services.referral_decide(
            referral=referral, user=coordinator, decision=S.DECLINED, reason=" "
        )
    assert "the referrer will see it" in no_reason.value.message_dict["reason"][0]
    referral.refresh_from_db()
    assert referral.status == S.PRIORITISED


def test_a_draft_cannot_be_triaged(pupil, class_teacher, coordinator):
    draft = make_referral(pupil, class_teacher, status="draft")
    with pytest.raises(ValidationError, match="still a draft"):
        prioritise(draft, coordinator)


def test_waitlisted_then_accepted(pupil, class_teacher, coordinator):
    referral = make_referral(pupil, class_teacher)
    prioritise(referral, coordinator)
    services.referral_decide(referral=referral, user=coordinator, decision=S.WAITLISTED)
    with pytest.raises(ValidationError, match="already on the waiting list"):
        services.referral_decide(referral=referral, user=coordinator, decision=S.WAITLISTED)
    accepted = services.referral_decide(
        referral=referral, user=coordinator, decision=S.ACCEPTED, support_type="mentoring"
    )
    assert accepted.status == S.ACCEPTED


def test_every_move_is_in_the_history_with_who_made_it(pupil, class_teacher, coordinator):
    referral = make_referral(pupil, class_teacher)
    prioritise(referral, coordinator)
    latest = referral.history.order_by("-history_date", "-history_id").first()
    assert latest.status == S.PRIORITISED
    assert latest.history_user == coordinator
