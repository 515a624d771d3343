"""The annual report for governors: its figures hide small counts, its PDF names nobody
(read back over the demo school), and its download is for the head and coordinator, recorded."""

import datetime as dt
import io
import re

import pypdf
from django.urls import reverse
from django.utils import timezone

from mentoring.models import AccessEvent, Term
from reviews import annual_report

from .dashboard_fixture import TODAY, build
from .test_exports import demo_school, pupil_secrets, words_in  # noqa: F401  (fixture)


def pdf_text(data):
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_the_year_term_by_term_with_small_counts_hidden(school):
    build(school)
    context = annual_report.annual_context(school, 2026, today=TODAY)
    assert context["period"].label == "2026/27"
    (autumn,) = context["terms"]
    assert autumn.term == "Autumn 2026/27"
    # 5 cases and 7 referrals are shown; 1 closure is hidden, and so the (only) other term's
    # count would be too: there is none, so the total alone is printed.
    assert (autumn.cases.shown, autumn.referrals.shown, autumn.closed.shown) == (
        "5",
        "7",
        "fewer than 5",
    )
    assert context["closures"].cells[0].shown == "fewer than 5"
    assert context["referrals"].waiting.hidden is False


def test_the_download_is_a_pdf_recorded_in_the_access_log(school, client_for, today, mentor):
    world = build(school)
    response = client_for(world.coordinator).get(reverse("annual_report_download"), {"year": 2026})
    assert response["Content-Type"] == "application/pdf"
    assert "annual-report-2026-27.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Mentoring programme: annual" in text
    assert "Fair access" in text
    assert "Fixturechild" not in text
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.DOWNLOAD, what="Annual report for governors, 2026/27"
    ).exists()
    assert client_for(mentor).get(reverse("annual_report_download")).status_code == 403


def test_a_year_not_offered_is_refused_with_a_message(school, client_for, today):
    world = build(school)
    response = client_for(world.coordinator).get(reverse("annual_report_download"), {"year": 1999})
    assert response.status_code == 400
    assert "Choose one of the years listed." in response.content.decode()


def test_the_demo_school_annual_report_names_nobody(demo_school):  # noqa: F811
    # Last year: the demo's year of history, every case of it closed.
    start = annual_report.start_year_of(timezone.localdate()) - 1
    assert start in annual_report.years_to_choose(demo_school)
    data = annual_report.render_annual_report(demo_school, start)
    text = pdf_text(data)
    assert "Fair access" in text
    assert re.search(r"\b1\d cases closed this year", text)
    words = words_in(text)
    secrets = pupil_secrets(demo_school)
    leaked = {s for s in secrets if (s in words if s.isalpha() else s in text)}
    assert not leaked


def with_spring(school):
    """The spring term of 2026/27, which has not begun on TODAY (26 November 2026)."""
    autumn = Term.objects.get(academic_year__school=school, starts_on__year=2026, name="autumn")
    return Term.objects.create(
        academic_year=autumn.academic_year,
        name=Term.Name.SPRING,
        starts_on=dt.date(2027, 1, 5),
        half_term_starts_on=dt.date(2027, 2, 15),
        half_term_ends_on=dt.date(2027, 2, 19),
        ends_on=dt.date(2027, 3, 26),
    )


def test_a_term_not_begun_is_listed_without_figures(school):
    build(school)
    with_spring(school)
    autumn, spring = annual_report.annual_context(school, 2026, today=TODAY)["terms"]
    assert autumn.begun and autumn.cases.shown == "5"
    assert not spring.begun
    assert (spring.cases, spring.referrals, spring.closed, spring.sessions) == (None,) * 4

    text = " ".join(pdf_text(annual_report.render_annual_report(school, 2026, today=TODAY)).split())
    assert "Spring 2026/27 Not begun yet" in text
    assert "A term that has not begun yet is listed without figures." in text


def test_the_contents_give_each_parts_page(school):
    build(school)
    reader = pypdf.PdfReader(
        io.BytesIO(annual_report.render_annual_report(school, 2026, today=TODAY))
    )
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    glance = re.search(r"The year at a glance, page (\d+)", pages[0])
    fair = re.search(r"Fair access, page (\d+)", pages[0])
    assert glance and fair
    assert "The year at a glance Term by term" in pages[int(glance.group(1)) - 1]
    assert "Fair access Each table compares" in pages[int(fair.group(1)) - 1]


def test_the_report_says_fewer_than_5_in_its_sentences_and_totals(school):
    """5 cases, 1 of them closed (20 November), 4 open at the end of the year."""
    build(school)
    text = " ".join(pdf_text(annual_report.render_annual_report(school, 2026, today=TODAY)).split())

    assert "5 cases in the programme during the year. Opened: 5. Closed: fewer than 5." in text
    assert "Open at the end of the year: fewer than 5." in text
    assert "Fewer than 5 cases closed this year" in text
    assert "Closed fewer than 5" in text  # the closures table's total
    small = re.findall(
        r"\b[0-4] (?:cases?|referrals?|decisions?|opened|closed)\b"
        r"|(?:Total|Closed|Decided|Opened|Closed:|year:) [0-4]\b",
        text,
    )
    assert not small, small
