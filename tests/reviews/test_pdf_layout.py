"""The printed documents of the demo school keep inside the page: no table, chart or line of
text runs into the side margins, where a printer cuts it off or a photocopy loses it."""

import io
import zipfile

import pdfplumber
import pytest
from django.db import transaction
from django.db.models import Count
from django.test import RequestFactory, override_settings

from mentoring import demo
from mentoring.models import Case, User
from mentoring.subject_access import subject_access_export
from referrals.models import ConsentLetter
from referrals.views.consent import consent_letter_pdf
from reviews import pack
from reviews.annual_report import render_annual_report, start_year_of
from reviews.casefile import render_case_file

MM = 72 / 25.4
SIDE_MARGIN = 20 * MM  # print.css: @page margin 24mm 20mm 22mm 20mm
TOLERANCE = 0.5  # points: a border's half-width may sit on the edge of the text area

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def documents(django_db_setup, django_db_blocker):
    """Every kind of PDF the product prints, from the demo school: its longest case file,
    both termly packs, the annual report, a consent letter and a subject access export."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        school = demo.seed()
        head = User.objects.get(username="head")
        case = Case.objects.annotate(n=Count("session_records")).order_by("-n", "pk").first()
        term = pack.find_term(school, "current")
        request = RequestFactory().get("/")
        request.user = User.objects.get(username="coordinator")
        letter = ConsentLetter.objects.filter(case__school=school).order_by("pk").first()
        export = zipfile.ZipFile(io.BytesIO(subject_access_export(case.pupil, head)))
        yield {
            "case file": render_case_file(case, head),
            "staff pack": pack.render_review_pack(school, term, pack.STAFF, head),
            "governors' pack": pack.render_review_pack(school, term, pack.GOVERNORS, head),
            # The last whole year.
            "annual report": render_annual_report(school, start_year_of(term.starts_on) - 1, head),
            "consent letter": consent_letter_pdf(request, letter.pk).content,
            "subject access export": next(
                export.read(name) for name in export.namelist() if name.endswith(".pdf")
            ),
        }
        transaction.set_rollback(True)


def outside_the_margins(data):
    """(page number, what, where) for each character, rule, box or picture drawn in a side
    margin."""
    found = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            left, right = SIDE_MARGIN - TOLERANCE, page.width - SIDE_MARGIN + TOLERANCE
            for kind, objects in (
                ("text", page.chars),
                ("rule", page.lines),
                ("box", page.rects),
                ("picture", page.images),
                ("drawing", page.curves),
            ):
                for o in objects:
                    if o["x0"] < left or o["x1"] > right:
                        what = o.get("text", kind)
                        found.append((number, what, f"{o['x0'] / MM:.0f}-{o['x1'] / MM:.0f} mm"))
    return found


@pytest.mark.parametrize(
    "name",
    [
        "case file",
        "staff pack",
        "governors' pack",
        "annual report",
        "consent letter",
        "subject access export",
    ],
)
def test_nothing_is_printed_in_the_side_margins(documents, name):
    assert outside_the_margins(documents[name]) == []


def test_each_fair_access_table_is_printed_whole_under_its_caption(documents):
    """Split, a table left its caption alone at the foot of a page, or its last row alone at
    the top of the next. Whole, each caption is followed on its page by its table's header
    row and total, before the next caption."""
    with pdfplumber.open(io.BytesIO(documents["annual report"])) as pdf:
        pages = [page.extract_text() for page in pdf.pages]
    fair = [text for text in pages if "Fair access" in text.splitlines()[0]]
    tables = [table for text in fair for table in text.split("count and share of each column")[1:]]
    assert len(tables) == 7  # year group, gender, SEN, pupil premium, EAL, looked after, ethnicity
    for table in tables:
        assert table.count("On the roll") == table.count("\nTotal ") == 1, table
