"""Parental consent: the gate of the whole programme."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from mentoring.models import Case
from referrals import services
from referrals.models import ConsentRecord

from ..factories import CaseFactory

pytestmark = pytest.mark.django_db
D = ConsentRecord.Decision
DAY = dt.date(2026, 10, 5)
OPENED = dt.date(2026, 9, 21)  # the panel accepted the referral a fortnight before DAY


def record(case, user, decision, on, **extra):
    return services.consent_record(
        case=case,
        user=user,
        decision=decision,
        given_by="Pat Testparent",
        relationship="Mother",
        method=ConsentRecord.Method.SLIP,
        decided_on=on,
        **extra,
    )


def test_no_answer_means_no_consent(pupil):
    case = CaseFactory(pupil=pupil, opened_on=OPENED)
    assert not services.consent_in_force(case, DAY)


def test_consent_given_is_in_force_from_its_date(pupil, coordinator):
    case = CaseFactory(pupil=pupil, opened_on=OPENED)
    record(case, coordinator, D.GIVEN, DAY)
    assert not services.consent_in_force(case, DAY - dt.timedelta(days=1))
    assert services.consent_in_force(case, DAY)
    assert services.consent_in_force(case, DAY + dt.timedelta(days=60))


def test_withdrawal_stops_consent_from_its_own_date(pupil, coordinator):
    case = CaseFactory(pupil=pupil, opened_on=OPENED)
    record(case, coordinator, D.GIVEN, DAY)
    withdrawn_on = DAY + dt.timedelta(days=14)
    record(case, coordinator, D.WITHDRAWN, withdrawn_on, note="Phoned the office")
    assert services.consent_in_force(case, withdrawn_on - dt.timedelta(days=1))
    assert not services.consent_in_force(case, withdrawn_on)
    assert not services.consent_in_force(case, withdrawn_on + dt.timedelta(days=30))
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN  # the coordinator decides what happens next


def test_refusal_closes_the_case_with_the_reason(pupil, coordinator):
    case = CaseFactory(pupil=pupil, opened_on=OPENED)
    record(case, coordinator, D.REFUSED, DAY)
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closed_on == DAY and case.closed_reason == "Parental consent refused"
    assert not services.consent_in_force(case, DAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="This case is closed"):
        record(case, coordinator, D.GIVEN, DAY + dt.timedelta(days=2))


def test_consent_cannot_be_withdrawn_before_it_was_given(pupil, coordinator):
    case = CaseFactory(pupil=pupil, opened_on=OPENED)
    with pytest.raises(ValidationError) as refused:
        record(case, coordinator, D.WITHDRAWN, DAY)
    assert "was not in force on that date" in refused.value.message_dict["decision"][0]
    assert not ConsentRecord.objects.exists()


def test_an_answer_cannot_be_dated_in_the_future(pupil, coordinator):
    case = CaseFactory(pupil=pupil, opened_on=OPENED)
    with pytest.raises(ValidationError) as refused:
        record(case, coordinator, D.GIVEN, dt.date.today() + dt.timedelta(days=3))
    assert refused.value.message_dict == {"decided_on": ["The date cannot be in the future."]}


def test_given_again_after_withdrawal(pupil, coordinator):
    case = CaseFactory(pupil=pupil, opened_on=OPENED)
    record(case, coordinator, D.GIVEN, DAY)
    record(case, coordinator, D.WITHDRAWN, DAY + dt.timedelta(days=7))
    record(case, coordinator, D.GIVEN, DAY + dt.timedelta(days=21))
    assert not services.consent_in_force(case, DAY + dt.timedelta(days=10))
    assert services.consent_in_force(case, DAY + dt.timedelta(days=21))


def test_a_letter_keeps_the_words_it_was_sent_with(pupil, coordinator, school):
    case = CaseFactory(pupil=pupil, opened_on=OPENED, support_type="drawing_talking")
    services.letter_wording_save(
        school=school, user=coordinator, body="We offer {child_first_name} {support_type}."
    )
    letter = services.consent_letter_send(case=case, user=coordinator, sent_on=DAY)
    assert letter.body == "We offer Robin Drawing & Talking."
    services.letter_wording_save(
        school=school, user=coordinator, body="New words for {child_name}."
    )
    letter.refresh_from_db()
    assert letter.body == "We offer Robin Drawing & Talking."
    assert letter.salutation == "Dear Parent/Carer"
