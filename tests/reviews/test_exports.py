"""The CSV exports: the dashboard's figures, and one anonymised row per case, each download
recorded; over the demo school, no pupil's name, UPN or date of birth in the case export."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring import demo
from mentoring.models import AccessEvent, Pupil, Role, StaffMember
from reviews import dashboard, exports

from ..accounts.second_step import pass_second_step
from .dashboard_fixture import build


def rows_of(response):
    text = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def test_the_case_export_one_anonymised_row_per_case(school, client_for, today):
    world = build(school)
    response = client_for(world.coordinator).get(reverse("dashboard_cases_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "programme-cases-autumn-2026.csv" in response["Content-Disposition"]
    header, *rows = rows_of(response)
    assert header == exports.CASES_HEADER
    assert len(rows) == 5
    ann = dict(zip(header, rows[0], strict=True))
    assert ann["Case number"] == world.cases["Ann"].reference
    assert ann["Gender"] == "Female" and ann["Pupil premium"] == "Yes"
    assert ann["Referred (month)"] == "2026-09" and ann["Referred (term)"] == "Autumn 2026/27"
    assert ann["Closed (month)"] == "2026-11" and ann["Closure reason"] == "Targets met"
    assert ann["Days from referral to decision"] == "5"
    assert ann["Days from decision to first session"] == "8"
    text = response.content.decode()
    assert "Ann" not in text and "Fixturechild" not in text
    event = AccessEvent.objects.get(action=AccessEvent.Action.EXPORT)
    assert event.what == "Anonymised case-level export (CSV), Autumn 2026/27"
    assert event.user == world.coordinator


def test_the_figures_export_matches_the_page(school, client_for, today):
    world = build(school)
    response = client_for(world.coordinator).get(
        reverse("dashboard_figures_csv"), {"term": world.term.pk}
    )
    rows = rows_of(response)
    assert rows[0] == exports.FIGURES_HEADER
    as_dict = {(r[1], r[2]): r[3] for r in rows[1:]}
    assert as_dict[("Referral to decision", "Median days")] == "7"
    assert as_dict[("Decision to first session", "Median days")] == "11.0"
    assert as_dict[("Fair access: Gender", "Male: On the roll")] == "not shown"
    assert as_dict[("Fair access: Gender", "Female: On the roll, share")] == "58%"
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.EXPORT, what__startswith="Programme dashboard figures"
    ).exists()


def test_a_cell_that_a_spreadsheet_would_run_is_made_text():
    assert exports._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert exports._cell("-3") == "-3"


@pytest.fixture
def demo_school(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo.seed()


def pupil_secrets(school):
    """Every name, UPN and date of birth of the roll, the dates in the usual spellings."""
    found = set()
    for pupil in Pupil.objects.filter(school=school):
        found |= {pupil.legal_first_name, pupil.legal_last_name, pupil.upn}
        if pupil.preferred_name:
            found.add(pupil.preferred_name)
        born = pupil.date_of_birth
        found |= {
            born.isoformat(),
            f"{born:%d/%m/%Y}",
            f"{born:%d/%m/%y}",
            f"{born.day}/{born.month}/{born.year}",
            f"{born:%d-%m-%Y}",
            f"{born.day} {born:%B %Y}",
            f"{born.day} {born:%b %Y}",
            f"{born:%d.%m.%Y}",
        }
    return found


def words_in(text):
    import re

    return set(re.findall(r"[A-Za-z][A-Za-z'-]+", text))


def test_the_demo_school_case_export_names_nobody(demo_school, client):
    coordinator = StaffMember.objects.get(school=demo_school, roles__role=Role.COORDINATOR).user
    client.force_login(coordinator)
    pass_second_step(client, coordinator)
    # This year and the demo's year of history before it.
    first = demo_school.academic_years.order_by("starts_on").first().starts_on
    period = dashboard.Period(first.replace(year=first.year - 1), timezone.localdate())
    response = client.get(
        reverse("dashboard_cases_csv"),
        {"from": period.starts_on.isoformat(), "to": period.ends_on.isoformat()},
    )
    text = response.content.decode("utf-8-sig")
    assert len(text.splitlines()) > 20
    assert "Targets met" in text
    secrets = pupil_secrets(demo_school)
    words = words_in(text)
    leaked = {s for s in secrets if (s in words if s.isalpha() else s in text)}
    assert not leaked
