"""The coordinator's queue: what is new, what waits longest, and who may see it."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import Case
from referrals import services
from referrals.models import ConsentRecord, Referral

from ..factories import CaseFactory, PupilFactory, make_referral

pytestmark = pytest.mark.django_db


def names_in_order(page):
    return re.findall(r'<a href="/referrals/\d+/">([^<]+)</a>', page)


def test_the_queue_puts_the_longest_waiting_first(client_for, coordinator, class_teacher, school):
    for name, days in [("Newest", 1), ("Oldest", 30), ("Middle", 9)]:
        make_referral(
            PupilFactory(school=school, legal_first_name=name), class_teacher, days_ago=days
        )
    page = client_for(coordinator).get(reverse("referral_queue")).content.decode()
    assert names_in_order(page) == ["Oldest Testchild", "Middle Testchild", "Newest Testchild"]
    assert '<span class="days-waiting">30</span>' in page


def test_counts_per_status_and_the_status_filter(client_for, coordinator, class_teacher, school):
    for status in ["new", "new", "discussion", "waitlisted", "declined"]:
        make_referral(PupilFactory(school=school), class_teacher, status=status)
    client = client_for(coordinator)
    page = client.get(reverse("referral_queue")).content.decode()
    assert re.search(r'New <span class="badge[^"]*">2</span>', page)
    assert re.search(r'Waitlisted <span class="badge[^"]*">1</span>', page)
    assert re.search(r'Decided <span class="badge[^"]*">1</span>', page)
    assert "4 referrals" in page  # all waiting: not the declined one
    waitlisted = client.get(reverse("referral_queue"), {"status": "waitlisted"}).content.decode()
    assert "1 referral<" in waitlisted


def test_filters_by_year_group_class_and_criterion(
    client_for, coordinator, class_teacher, pupil, other_class_pupil, school
):
    make_referral(pupil, class_teacher)
    make_referral(other_class_pupil, class_teacher)
    client = client_for(coordinator)
    oak = client.get(reverse("referral_queue"), {"school_class": pupil.school_class_id})
    assert names_in_order(oak.content.decode()) == [pupil.full_name]
    year4 = client.get(reverse("referral_queue"), {"year_group": 4})
    assert names_in_order(year4.content.decode()) == [other_class_pupil.full_name]


def test_an_htmx_filter_returns_only_the_rows(client_for, coordinator, class_teacher, pupil):
    make_referral(pupil, class_teacher)
    response = client_for(coordinator).get(
        reverse("referral_queue"), {"status": "new"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "<table" in page and "<html" not in page and pupil.full_name in page


def test_the_queue_flags_a_letter_with_no_answer(
    client_for, coordinator, class_teacher, pupil, school
):
    from ..factories import TermFactory

    TermFactory(
        academic_year__school=school,
        starts_on=dt.date.today() - dt.timedelta(days=60),
        half_term_starts_on=dt.date.today() + dt.timedelta(days=200),
        half_term_ends_on=dt.date.today() + dt.timedelta(days=201),
        ends_on=dt.date.today() + dt.timedelta(days=300),
    )
    referral = make_referral(pupil, class_teacher, status="accepted")
    referral.case = CaseFactory(pupil=pupil, opened_on=dt.date.today() - dt.timedelta(days=30))
    referral.save()
    services.consent_letter_send(
        case=referral.case, user=coordinator, sent_on=dt.date.today() - dt.timedelta(days=28)
    )
    page = client_for(coordinator).get(reverse("referral_queue"), {"status": "decided"})
    assert "Chase: Awaiting answer" in page.content.decode()


def test_sorting_by_priority_puts_high_first_and_the_unprioritised_last(
    client_for, coordinator, class_teacher, school
):
    for name, priority in [("Unrated", None), ("Low", 3), ("High", 1), ("Medium", 2)]:
        status = "prioritised" if priority else "new"
        make_referral(
            PupilFactory(school=school, legal_first_name=name),
            class_teacher,
            status=status,
            priority=priority,
        )
    page = client_for(coordinator).get(reverse("referral_queue"), {"order": "priority"})
    assert names_in_order(page.content.decode()) == [
        "High Testchild",
        "Medium Testchild",
        "Low Testchild",
        "Unrated Testchild",
    ]


def test_the_landing_link_lists_exactly_the_referrals_awaiting_consent(
    client_for, coordinator, class_teacher, school
):
    def accepted(name, **case_fields):
        pupil = PupilFactory(school=school, legal_first_name=name)
        referral = make_referral(pupil, class_teacher, status="accepted")
        referral.case = CaseFactory(pupil=pupil, **case_fields)
        referral.save()
        return referral.case

    accepted("Waiting")
    accepted("Alsowaiting")
    answered = accepted("Answered")
    ConsentRecord.objects.create(
        case=answered,
        decision=ConsentRecord.Decision.GIVEN,
        given_by="Pat Testparent",
        relationship="Mother",
        method=ConsentRecord.Method.SLIP,
        decided_on=answered.opened_on,
        recorded_by=coordinator,
    )
    accepted("Lastyear", status=Case.Status.CLOSED, closed_on=dt.date.today())
    make_referral(
        PupilFactory(school=school, legal_first_name="Declined"), class_teacher, status="declined"
    )
    client = client_for(coordinator)
    home = client.get(reverse("home")).content.decode()
    link = re.search(r'<a href="([^"]+)">2 accepted referrals awaiting parental consent</a>', home)
    assert link
    page = client.get(html.unescape(link.group(1))).content.decode()
    assert sorted(names_in_order(page)) == ["Alsowaiting Testchild", "Waiting Testchild"]
    assert "2 referrals<" in page


def count_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("referral_queue")).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("status", ["", "decided"])
def test_the_queue_costs_the_same_for_10_and_500_referrals(
    client_for, coordinator, class_teacher, school, status, django_assert_max_num_queries
):
    client = client_for(coordinator)

    def add(n):
        for i in range(n):
            pupil = PupilFactory(school=school)
            referral = make_referral(
                pupil, class_teacher, status="accepted" if status else "new", days_ago=i % 40
            )
            if status:
                referral.case = CaseFactory(pupil=pupil)
                referral.save()

    add(10)
    few = count_queries(client)
    add(490)
    assert Referral.objects.count() == 500
    assert count_queries(client) == few
    with django_assert_max_num_queries(20):
        client.get(reverse("referral_queue"), {"status": status})


@pytest.mark.parametrize("persona", ["mentor", "office", "class_teacher"])
def test_the_queue_is_only_for_the_panel(client_for, persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("referral_queue")).status_code == 403


def test_mentor_and_office_cannot_open_any_referral(
    client_for, mentor, office, class_teacher, pupil
):
    referral = make_referral(pupil, class_teacher)
    for user in (mentor, office):
        response = client_for(user).get(reverse("referral_detail", args=[referral.pk]))
        assert response.status_code == 404
        assert "Finds playtimes hard" not in response.content.decode()


def test_a_teacher_cannot_open_another_teachers_referral(
    client_for, class_teacher, other_teacher, other_class_pupil
):
    theirs = make_referral(other_class_pupil, other_teacher)
    response = client_for(class_teacher).get(reverse("referral_detail", args=[theirs.pk]))
    assert response.status_code == 404


def test_the_referrer_sees_the_decline_reason_but_no_discussion_notes(
    client_for, class_teacher, coordinator, pupil
):
    import datetime as dt

    referral = make_referral(pupil, class_teacher)
    services.discussion_add(
        referral=referral,
        user=coordinator,
        discussed_on=dt.date.today(),
        with_whom="SENDCO",
        note="Private panel note about the family.",
    )
    services.referral_decide(
        referral=referral,
        user=coordinator,
        decision="declined",
        reason="Better met by the nurture group at lunch.",
    )
    client = client_for(class_teacher)
    detail = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Better met by the nurture group at lunch." in detail
    assert "Private panel note" not in detail
    mine = client.get(reverse("my_referrals")).content.decode()
    assert "Declined: Better met by the nurture group at lunch." in mine
    home = client.get(reverse("home")).content.decode()
    assert "Better met by the nurture group" in home
