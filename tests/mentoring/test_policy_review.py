"""The governors review the mentoring policy on a cycle (every two years in one of the
schools' policies): the office keeps its dates in the set-up, and the head is told on their
landing page when the review is due within 60 days, or overdue."""

import datetime as dt

import pytest
from django.urls import reverse

from mentoring.policy import add_months, policy_review_due_on, policy_review_notice

from ..clock import freeze_today

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    return freeze_today(monkeypatch, TODAY)


def agreed(school, on, months=24):
    school.policy_adopted_on = on
    school.policy_review_months = months
    school.save()
    return school


def test_the_review_falls_due_the_interval_after_it_was_agreed(school):
    assert policy_review_due_on(school) is None
    assert policy_review_due_on(agreed(school, dt.date(2024, 2, 29))) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)


@pytest.mark.parametrize(
    ("agreed_on", "notice"),
    [
        (dt.date(2025, 1, 25), (dt.date(2027, 1, 25), False)),  # in 60 days
        (dt.date(2025, 1, 26), None),  # in 61 days
        (dt.date(2024, 11, 26), (dt.date(2026, 11, 26), False)),  # today
        (dt.date(2024, 11, 1), (dt.date(2026, 11, 1), True)),  # overdue
    ],
)
def test_the_head_is_told_within_60_days_of_the_review_and_after(school, agreed_on, notice):
    assert policy_review_notice(agreed(school, agreed_on)) == notice


def test_the_head_sees_the_review_coming_on_their_landing_page(client_for, head, school):
    agreed(school, dt.date(2025, 1, 10))
    home = client_for(head).get(reverse("home")).content.decode()
    assert "Mentoring policy review" in home
    assert "is due on <strong>10 January 2027</strong>" in home
    assert "reviewed every 24 months" in home


def test_an_overdue_review_says_so(client_for, head, school):
    agreed(school, dt.date(2023, 9, 1))
    home = client_for(head).get(reverse("home")).content.decode()
    assert "Overdue" in home and "was due on <strong>1 September 2025</strong>" in home


def test_no_notice_when_the_review_is_far_off_or_for_other_roles(
    client_for, head, coordinator, school
):
    agreed(school, dt.date(2026, 9, 1))
    assert "Mentoring policy review" not in client_for(head).get(reverse("home")).content.decode()
    agreed(school, dt.date(2023, 9, 1))
    home = client_for(coordinator).get(reverse("home")).content.decode()
    assert "Mentoring policy review" not in home


def test_the_office_keeps_the_policy_dates_in_the_set_up(client_for, office, school):
    url = reverse("admin:mentoring_school_change", args=[school.pk])
    page = client_for(office).get(url).content.decode()
    assert 'name="policy_adopted_on"' in page and 'name="policy_review_months"' in page
