"""Hostile and broken roster files on the import page.

The office uploads whatever the management information system (or a spreadsheet, or a
mistake) produced: another encoding, a byte order mark, the wrong columns, nothing at all,
binary junk, a file far too big. Whatever arrives, the office sees no server error, a clear
message when the file is refused (what is wrong, and where), nothing half-imported, and
nothing from the file rendered unescaped.
"""

import csv
import io
import traceback

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring import roster
from mentoring.models import Pupil
from tests.factories import make_upn

from . import hostile
from .hostile import DATES, MARKUP, TEXTS

pytestmark = pytest.mark.django_db

NOT_UTF8 = "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”."
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-be", "utf-32"]
GOOD = {
    "upn": make_upn(901),
    "legal_first_name": "Zoë",
    "legal_last_name": "Ó Briain",
    "preferred_name": "Zo",
    "date_of_birth": "14/03/2018",
    "year_group": "3",
    "class": "Oak",
    "gender": "F",
    "sen_status": "K",
    "pupil_premium": "yes",
    "eal": "no",
    "looked_after": "n",
    "ethnicity": "WBRI",
    "date_left": "",
}


def roster_text(rows, columns=roster.COLUMNS, newline="\n"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def office_client(client_for, office, school, school_class):
    """The office of a school with class Oak, on the import page."""
    return client_for(office)


def upload(client, school, content, button="import"):
    data = {
        "school": school.pk,
        "file": SimpleUploadedFile("roster.csv", content, content_type="text/csv"),
        button: "",
    }
    return client.post(reverse("roster_import"), data)


def page_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Files an office really meets ---------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding",
    ["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32"],
    ids=["latin-1", "windows-1252", "utf-16 (Excel's Unicode text)", "utf-16, no BOM", "utf-32"],
)
def test_a_file_in_another_encoding_is_refused_with_how_to_save_it(office_client, school, encoding):
    content = roster_text([GOOD]).encode(encoding)

    page = page_of(upload(office_client, school, content))

    assert "Nothing was imported: 1 problem was found." in page
    assert escape(NOT_UTF8) in page
    assert not Pupil.objects.exists()


def test_invalid_bytes_in_a_utf8_file_are_refused(office_client, school):
    content = roster_text([GOOD]).encode() + b"\xff\xfe\xc3\x28\xa0\xa1"

    page = page_of(upload(office_client, school, content))

    assert escape(NOT_UTF8) in page
    assert not Pupil.objects.exists()


def test_a_byte_order_mark_is_ignored_and_accented_names_arrive_intact(office_client, school):
    content = roster_text([GOOD], newline="\r\n").encode("utf-8-sig")

    response = upload(office_client, school, content)

    assert response.status_code == 302
    pupil = Pupil.objects.get(upn=GOOD["upn"])
    assert (pupil.legal_first_name, pupil.legal_last_name) == ("Zoë", "Ó Briain")


def test_a_second_byte_order_mark_leaves_the_header_unrecognised_and_says_so(office_client, school):
    content = b"\xef\xbb\xbf" + roster_text([GOOD]).encode("utf-8-sig")

    page = page_of(upload(office_client, school, content))

    assert "The header (line 1) is missing the column(s) upn." in page
    assert not Pupil.objects.exists()


def test_missing_columns_are_named(office_client, school):
    columns = ["upn", "legal_first_name", "year_group"]
    content = roster_text([GOOD], columns=columns).encode()

    page = page_of(upload(office_client, school, content))

    assert "missing the column(s) legal_last_name, date_of_birth." in page
    assert not Pupil.objects.exists()


def test_unknown_columns_are_named_escaped(office_client, school):
    columns = [*roster.REQUIRED_COLUMNS, "shoe size", MARKUP[0]]
    content = roster_text([GOOD], columns=columns).encode()

    page = page_of(upload(office_client, school, content))

    assert "unknown column(s): shoe size, " + escape(MARKUP[0].lower()) in page
    assert MARKUP[0] not in page and MARKUP[0].lower() not in page
    assert not Pupil.objects.exists()


def test_a_row_that_is_not_csv_at_all_is_reported(office_client, school):
    content = (roster_text([GOOD]) + '"an unclosed quote,\n').encode()

    page = page_of(upload(office_client, school, content))

    assert "Nothing was imported" in page
    assert not Pupil.objects.exists()


def test_an_empty_file_is_refused_by_the_field(office_client, school):
    response = upload(office_client, school, b"")

    page = page_of(response)
    assert "The submitted file is empty." in page
    assert "invalid-feedback" in page
    assert not Pupil.objects.exists()


def test_a_header_without_pupils_is_refused(office_client, school):
    page = page_of(upload(office_client, school, roster_text([]).encode()))

    assert "The file has a header but no pupils." in page


@pytest.mark.parametrize(
    "junk",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x06\x00",  # a spreadsheet (.xlsx) rather than its CSV
        bytes(range(256)),
        roster_text([GOOD]).encode().replace(b",", b"\x00,"),
    ],
    ids=["an image", "an xlsx workbook", "every byte", "NUL characters"],
)
def test_binary_junk_is_refused(office_client, school, junk):
    page = page_of(upload(office_client, school, junk))

    assert escape(NOT_UTF8) in page or "The file is not a CSV text file." in page
    assert not Pupil.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    office_client, school, monkeypatch
):
    """At the real limit: one byte more is refused next to the field, and the roster
    code never sees the file."""

    def must_not_run(**kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(roster, "import_pupils", must_not_run)
    limit = django_settings.ROSTER_IMPORT_MAX_BYTES
    row = roster_text([GOOD]).encode()
    content = (row * (limit // len(row) + 1))[: limit + 1]

    for button in ("check", "import"):
        page = page_of(upload(office_client, school, content, button))
        assert 'id="error_1_id_file"' in page
        assert "The file is larger than 5.0\xa0MB; split it in two." in page
    assert not Pupil.objects.exists()


# --- Generated files -----------------------------------------------------------------------------

VALID = {
    "upn": st.integers(1, 999).map(make_upn),
    "legal_first_name": st.sampled_from(["Juniper", "Zoë", "Åsa", "Nguyễn", "李"]),
    "legal_last_name": st.sampled_from(["Quillfeather", "O'Neill", "Smith-Jones"]),
    "preferred_name": st.sampled_from(["", "Jo"]),
    "date_of_birth": st.sampled_from(["14/03/2018", "2018-03-14", "29/02/2020"]),
    "year_group": st.sampled_from(["3", "R", "Year 3", "y3"]),
    "class": st.sampled_from(["", "Oak", "oak"]),
    "gender": st.sampled_from(["F", "m", "", "X"]),
    "sen_status": st.sampled_from(["", "N", "k", "EHC plan"]),
    "pupil_premium": st.sampled_from(["", "yes", "N", "1"]),
    "eal": st.sampled_from(["", "no", "true"]),
    "looked_after": st.sampled_from(["", "y"]),
    "ethnicity": st.sampled_from(["", "WBRI"]),
    "date_left": st.sampled_from(["", "31/07/2027"]),
}
HOSTILE_CELLS = st.one_of(
    st.sampled_from(TEXTS + DATES + ["R", "7", "-1", "yes please", "T12345678901"]),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30),
)
BROKEN_LINES = ['"unclosed,\n', ",".join("abcdefghijklmnop") + "\n", ",,,\n"]
HEADERS = st.lists(
    st.one_of(
        st.sampled_from(roster.COLUMNS),
        st.sampled_from(["UPN", " Legal_First_Name ", "notes", "", "class", MARKUP[1]]),
    ),
    max_size=16,
)


@st.composite
def roster_files(draw):
    """The bytes of a roster file: mostly like a real one, with damage of every kind."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    columns = draw(st.sampled_from([roster.COLUMNS, roster.REQUIRED_COLUMNS]))
    if draw(st.booleans()):
        columns = draw(HEADERS)
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        row = {}
        for column in columns:
            good = VALID.get(column.strip().lower())
            bad = good is None or draw(st.integers(0, 4)) == 0
            row[column] = draw(HOSTILE_CELLS) if bad else draw(good)
        rows.append(row)
    text = roster_text(rows, columns=columns, newline=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    if draw(st.integers(0, 5)) == 0:
        text += draw(st.sampled_from(BROKEN_LINES))
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    damage = draw(st.integers(0, 5))
    if damage == 0 and data:
        data = data[: draw(st.integers(0, len(data)))]  # cut short, mid-character perhaps
    elif damage == 1:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


def test_any_file_is_imported_whole_or_refused_clearly(office_client, school, request):
    hostile.register(request.config)
    tally = hostile.Tally("import")
    tally.forms.add("roster_import")

    @settings(hostile.PROFILE, max_examples=60)
    @given(content=roster_files(), button=st.sampled_from(["check", "import"]))
    def upload_one(content, button):
        tally.posts += 1
        with transaction.atomic():
            try:
                check_upload(office_client, school, content, button, tally)
            finally:
                transaction.set_rollback(True)

    try:
        upload_one()
    finally:
        hostile.record(request, tally)


def check_upload(client, school, content, button, tally):
    before = hostile.snapshot()
    pupils = Pupil.objects.count()
    try:
        response = upload(client, school, content, button)
    except Exception:
        tally.server_errors += 1
        raise AssertionError(f"server error:\n{traceback.format_exc()}") from None
    if response.status_code >= 500:
        tally.server_errors += 1
        raise AssertionError(f"server error: {response.status_code}")
    body = response.content.decode(errors="replace")
    text = content.decode("utf-8-sig", errors="replace")
    shown = [m for m in MARKUP if m in text and m in body]
    if shown:
        tally.unescaped += 1
        raise AssertionError(f"rendered unescaped: {shown}")
    if response.status_code == 302:
        # Imported: every pupil of the file, whole.
        assert button == "import"
        upns = {row["upn"].strip().upper() for _, row in roster.read_csv(content)}
        assert Pupil.objects.filter(school=school, upn__in=upns).count() == len(upns)
        assert Pupil.objects.count() >= pupils
        return
    assert response.status_code == 200, response.status_code
    result = response.context.get("result")
    form = response.context["form"]
    if result is not None and result.ok:
        assert button == "check" and "Nothing has been changed yet." in body
    else:
        problems = [str(e) for e in result.errors] if result else []
        problems += [e for errors in form.errors.values() for e in errors]
        unclear = not problems or any(escape(p) not in body for p in problems)
        if unclear:
            tally.unclear += 1
            raise AssertionError(f"refused without a clear message: {problems}")
    if hostile.changed_models(before, hostile.snapshot()):
        tally.half_saved += 1
        raise AssertionError("a refused or checked file changed the database")
