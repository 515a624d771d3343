"""The programme dashboard: every figure against the school of dashboard_fixture.py, counted
by hand; the period's validation; who may see it; its charts under the CSP; its queries."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import Case
from reviews import dashboard
from reviews.dashboard import Period

from ..factories import UserFactory
from .dashboard_fixture import TODAY, build


@pytest.fixture
def world(school):
    return build(school)


def figures(school, world):
    return dashboard.dashboard_figures(school, Period.of_term(world.term), today=TODAY)


def cells(breakdown):
    return {c.label: c.shown for c in breakdown.cells}


def test_caseload_and_each_mentor_against_their_hours(school, world):
    f = figures(school, world)
    caseload = f["caseload"]
    assert (caseload.total.value, caseload.opened.value, caseload.closed.value) == (5, 5, 1)
    assert caseload.open_at_end.value == 4
    rows = {r.name.split()[0]: r for r in f["mentors"].rows}
    mina, milo = rows["Mina"], rows["Milo"]
    assert (mina.hours, mina.booked_hours, mina.percent_booked) == (6, Decimal("0.5"), 8)
    assert (mina.open_cases, mina.cases_in_period) == (2, 3)
    assert (milo.hours, milo.booked_hours, milo.percent_booked) == (3, Decimal("0.0"), 0)
    assert (milo.open_cases, milo.cases_in_period) == (2, 2)


def test_a_former_mentor_is_named_as_such_with_no_hours_set(school, world):
    """A case of the period whose mentor no longer holds the role (last year's mentor,
    who left): their row says so, and the chart's text has no "None" in it."""
    former = UserFactory(first_name="Wren", last_name="Formerly")
    Case.objects.filter(pk=world.cases["Ann"].pk).update(mentor=former)
    mentors = figures(school, world)["mentors"]
    row = next(r for r in mentors.rows if r.name.startswith("Wren"))
    assert (row.name, row.hours, row.cases_in_period) == (
        "Wren Formerly (no longer a mentor)",
        None,
        1,
    )
    assert "Wren Formerly (no longer a mentor) no hours set, 0.0 booked" in mentors.chart_alt
    assert "None" not in mentors.chart_alt and "none hours" not in mentors.chart_alt


def test_waiting_list_and_waiting_times(school, world):
    w = figures(school, world)["waiting"]
    assert cells(w.waiting_now) == {
        "New": "1",
        "Under discussion": "0",
        "Prioritised": "0",
        "Waitlisted": "1",
    }
    assert (w.waiting_now_days.count, w.waiting_now_days.median) == (2, Decimal("20.0"))
    assert w.waiting_now_days.longest == 30
    # Referral to decision: 5, 7, 10, 20 and 3 days.
    assert (w.to_decision.decided, w.to_decision.median, w.to_decision.longest) == (
        5,
        Decimal("7"),
        20,
    )
    # Decision to first session: 8 and 14 days; still to start: 68, 57 and 53 days so far.
    assert (w.to_first_session.count, w.to_first_session.median) == (2, Decimal("11.0"))
    assert w.to_first_session.longest == 14
    assert (w.still_to_start.count, w.still_to_start.median) == (3, Decimal("57.0"))
    assert w.still_to_start.longest == 68


def test_referrals_by_criterion_and_by_who_referred(school, world):
    f = figures(school, world)
    first, second = world.criteria[0].name, world.criteria[1].name
    by_criterion = cells(f["criteria"])
    assert by_criterion[first] == "7"
    assert by_criterion[second] == "1"
    assert all(v == "0" for k, v in by_criterion.items() if k not in (first, second))
    assert f["criteria"].total.value == 7
    assert cells(f["sources"]) == {"Class teacher": "5", "SENDCO": "2"}
    assert f["referrals"].made.value == 7
    assert cells(f["referrals"].decisions) == {"Accepted": "5", "Declined": "0"}


def test_closures_and_reviews_overdue(school, world):
    f = figures(school, world)
    assert f["closures"].total.value == 1
    assert cells(f["closures"])["Targets met"] == "1"
    reviews = f["reviews"]
    assert (reviews.cases, reviews.due_this_term, reviews.overdue) == (1, 1, 1)
    assert (reviews.missed_last_term, reviews.next_date_passed) == (1, 0)
    assert reviews.overdue_refs == [world.cases["Bea"].reference]


def test_the_dashboard_page_shows_the_figures_and_inline_charts(school, world, client_for, today):
    response = client_for(world.coordinator).get(reverse("dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Autumn 2026/27" in page
    assert "Referral to decision, decided in the period" in page
    # Charts drawn inline, with a title and description, and nothing the CSP would refuse.
    assert page.count("<svg") >= 10
    assert 'role="img"' in page and "<title id=" in page and "<desc id=" in page
    assert "<style" not in page and "style=" not in page
    assert "activate-serie" not in page  # pygal's repeated ids are gone
    assert "<script" not in page.split("<svg", 1)[1].rsplit("</svg>", 1)[0]
    assert "fewer than 5" in page
    # A count of the waiting list takes its noun's plural ("8 referrals", not "8 referral").
    waiting = re.search(r"<strong>(\d+)</strong> (referrals?) waiting", page)
    assert waiting and (waiting[2] == "referral") == (waiting[1] == "1"), waiting
    # The period chooser shows the term the figures are for, not "The dates below".
    form = response.context["form"]
    assert str(form["term"].value()) == str(world.term.pk)
    assert re.search(rf'<option value="{world.term.pk}"[^>]*selected', page)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-10-01"}, "to", "Enter the last day too, or clear the first day."),
        ({"to": "2026-10-01"}, "from", "Enter the first day too, or clear the last day."),
        (
            {"from": "2026-10-01", "to": "2026-09-01"},
            "to",
            "The last day must be on or after the first day.",
        ),
        ({"from": "2020-01-01", "to": "2026-09-01"}, "to", "Choose at most three years."),
        ({"from": "someday", "to": "2026-09-01"}, "from", "Enter the first day as a date"),
    ],
)
def test_the_period_is_checked_with_clear_messages(
    school, world, client_for, today, query, field, message
):
    response = client_for(world.coordinator).get(reverse("dashboard"), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "The figures are not shown" in response.content.decode()
    assert "Caseload per mentor" not in response.content.decode()


def test_a_run_of_dates_gives_the_figures_of_those_dates(school, world, client_for, today):
    client = client_for(world.coordinator)
    page = client.get(reverse("dashboard"), {"from": "2026-10-01", "to": "2026-10-31"})
    text = page.content.decode()
    assert "1 October 2026 to 31 October 2026" in text
    assert "Referrals made in this period, by criterion" in text
    assert page.context["referrals"].made.value == 2  # Eve's on 1 October, Fay's on 27 October


def test_only_the_head_and_coordinator_see_it_and_the_nav_says_so(
    school, world, head, sendco, dsl, mentor, client_for, today
):
    assert client_for(head).get(reverse("dashboard")).status_code == 200
    for user in (sendco, dsl, mentor):
        assert client_for(user).get(reverse("dashboard")).status_code == 403
    home = client_for(world.coordinator).get(reverse("home")).content.decode()
    assert reverse("dashboard") in home


def _count_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_cases(school, client_for, today, other_school):
    few = build(school)
    few_count = _count_queries(client_for(few.coordinator))
    many = build(other_school, extra_cases=12)
    assert _count_queries(client_for(many.coordinator)) == few_count


def test_period_labels():
    period = Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert period.label == "1 September 2026 to 30 September 2026"
    assert period.during == "in this period"
    assert period.slug == "2026-09-01-to-2026-09-30"


def test_the_figures_are_worked_out_once_until_the_data_changes(
    school, world, client_for, today, monkeypatch
):
    client = client_for(world.coordinator)

    def shown():
        page = client.get(reverse("dashboard")).content.decode()
        return page.split("Sections of the dashboard")[1].split('id="exports"')[0]

    first = shown()
    assert "<strong>1</strong> case closed this term" in first

    # Asked again with nothing changed: the same figures, not worked out again.
    def not_again(*args, **kwargs):
        raise AssertionError("the figures were worked out again")

    real = dashboard.dashboard_figures
    monkeypatch.setattr(dashboard, "dashboard_figures", not_again)
    assert shown() == first

    # Any change to the records (here a second closure) brings new figures at once.
    monkeypatch.setattr(dashboard, "dashboard_figures", real)
    closed = world.cases["Bea"]
    closed.status, closed.closed_on = Case.Status.CLOSED, TODAY
    closed.save()
    assert "<strong>2</strong> cases closed this term" in shown()
