"""The roster import: good files import, any bad row imports nothing and is reported by line."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from mentoring import roster
from mentoring.models import Gender, Pupil, SenStatus
from tests.factories import PupilFactory, SchoolClassFactory, make_upn


def pupil_row(serial, **cells):
    """One roster row for a Year 3 pupil in Oak class, with a valid UPN made from ``serial``."""
    row = {
        "upn": make_upn(serial),
        "legal_first_name": f"Pupilname{serial}",
        "legal_last_name": "Testchild",
        "date_of_birth": "14/03/2018",
        "year_group": "3",
        "class": "Oak",
    }
    row.update(cells)
    return row


def roster_csv(rows, columns=roster.COLUMNS):
    """The rows as the bytes of a CSV file with a header line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def bad_check_letter(upn):
    return ("B" if upn[0] != "B" else "C") + upn[1:]


def counts():
    """What must not change when an import fails: pupils and their history."""
    return Pupil.objects.count(), Pupil.history.count()


@pytest.fixture
def classes(school, school_class, other_class):
    """Oak (Year 3) and Ash (Year 4) from the personas, plus a Reception class."""
    return {
        "oak": school_class,
        "ash": other_class,
        "robins": SchoolClassFactory(school=school, name="Robins", year_group=0),
    }


@pytest.fixture
def existing(school, classes):
    """A pupil already on the roll, whose row every file below also contains."""
    return PupilFactory(
        school=school,
        upn=make_upn(900),
        legal_first_name="Existing",
        school_class=classes["oak"],
    )


def existing_row(pupil, **cells):
    return pupil_row(900, legal_first_name=pupil.legal_first_name, **cells)


# --- A good file -------------------------------------------------------------------------------


def test_a_good_file_creates_pupils_with_every_field(school, classes, office):
    data = roster_csv(
        [
            pupil_row(
                1,
                legal_first_name="Adaline",
                legal_last_name="Testperson",
                preferred_name="Ada",
                date_of_birth="31/12/2017",
                year_group="Y3",
                **{"class": "oak"},  # class names match whatever the case
                gender="F",
                sen_status="K",
                pupil_premium="yes",
                eal="Y",
                looked_after="no",
                ethnicity="Any other white background",
            ),
            pupil_row(
                2,
                upn=make_upn(2).lower(),
                legal_first_name="Benedict",
                date_of_birth="2021-02-01",
                year_group="R",
                **{"class": "Robins"},
                gender="male",
                sen_status="EHCP",
                pupil_premium="",
                eal="0",
                looked_after="TRUE",
                date_left="20/07/2026",
            ),
            pupil_row(3, year_group="Year 4", **{"class": ""}),
        ]
    )

    result = roster.import_pupils(school=school, data=data, user=office)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert result.summary == "Roster imported: 3 new pupils, 0 updated, 0 unchanged."
    ada = Pupil.objects.get(school=school, upn=make_upn(1))
    assert ada.legal_first_name == "Adaline"
    assert ada.legal_last_name == "Testperson"
    assert ada.full_name == "Ada Testperson"
    assert ada.date_of_birth == dt.date(2017, 12, 31)
    assert ada.year_group == 3
    assert ada.school_class == classes["oak"]
    assert ada.gender == Gender.FEMALE
    assert ada.sen_status == SenStatus.SEN_SUPPORT
    assert (ada.pupil_premium, ada.eal, ada.looked_after) == (True, True, False)
    assert ada.ethnicity == "Any other white background"
    assert ada.date_left is None

    ben = Pupil.objects.get(school=school, upn=make_upn(2))  # stored in capitals
    assert ben.date_of_birth == dt.date(2021, 2, 1)
    assert ben.year_group == 0
    assert ben.school_class == classes["robins"]
    assert ben.gender == Gender.MALE
    assert ben.sen_status == SenStatus.EHC_PLAN
    assert (ben.pupil_premium, ben.eal, ben.looked_after) == (False, False, True)
    assert ben.date_left == dt.date(2026, 7, 20)

    third = Pupil.objects.get(school=school, upn=make_upn(3))
    assert (third.year_group, third.school_class) == (4, None)
    assert (third.gender, third.sen_status) == (Gender.OTHER, SenStatus.NONE)

    created = Pupil.history.filter(upn__in=[make_upn(n) for n in (1, 2, 3)])
    assert [(h.history_type, h.history_user, h.history_change_reason) for h in created] == [
        ("+", office, "Roster import")
    ] * 3


def test_only_the_required_columns_are_needed(school):
    columns = roster.REQUIRED_COLUMNS
    result = roster.import_pupils(school=school, data=roster_csv([pupil_row(1)], columns))

    assert result.ok, result.errors
    pupil = Pupil.objects.get(upn=make_upn(1))
    assert (pupil.school_class, pupil.year_group) == (None, 3)


def test_blank_lines_are_skipped_and_line_numbers_still_match_the_file(school, classes):
    # A spreadsheet's empty rows come out as blank lines or as lines of bare commas.
    lines = roster_csv([pupil_row(1), {}, pupil_row(2, year_group="9")]).decode().splitlines()
    lines.insert(2, "")
    assert lines[3] == "," * (len(roster.COLUMNS) - 1)

    result = roster.import_pupils(school=school, data="\r\n".join(lines).encode())

    assert [str(e) for e in result.errors] == [
        "line 5, column year_group: '9' is not a known year group (R or 1-6)."
    ]
    assert roster.import_pupils(school=school, data="\n".join(lines[:4]).encode()).created == 1


# --- Bad rows: nothing is imported, each problem is reported by line and column ----------------


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (
            {"upn": bad_check_letter(make_upn(2))},
            "upn",
            f"{bad_check_letter(make_upn(2))} is not a valid UPN: 13 characters with a correct "
            "check letter.",
        ),
        ({"legal_first_name": "  "}, "legal_first_name", "is required."),
        ({"legal_last_name": ""}, "legal_last_name", "is required."),
        ({"year_group": "7"}, "year_group", "'7' is not a known year group (R or 1-6)."),
        ({"class": "Willow"}, "class", "'Willow' is not a class of Testwood Primary School."),
        ({"year_group": "4", "class": "Oak"}, "class", "Oak is not a Year 4 class."),
        ({"date_of_birth": "31/02/2019"}, "date_of_birth", "'31/02/2019' is not a date"),
        ({"date_of_birth": "yesterday"}, "date_of_birth", "'yesterday' is not a date"),
        ({"date_of_birth": ""}, "date_of_birth", "is required."),
        ({"date_left": "2026-13-01"}, "date_left", "'2026-13-01' is not a date"),
        ({"gender": "Q"}, "gender", "'Q' is not a known gender (F, M or X)."),
        ({"sen_status": "maybe"}, "sen_status", "'maybe' is not a known SEN status"),
        ({"eal": "sometimes"}, "eal", "'sometimes' is not yes or no."),
    ],
)
def test_a_bad_row_imports_nothing_and_names_its_line_and_column(
    school, classes, existing, office, cells, column, message
):
    before = counts()
    rows = [pupil_row(1), pupil_row(2, **cells), existing_row(existing, legal_last_name="New")]

    result = roster.import_pupils(school=school, data=roster_csv(rows), user=office)

    assert not result.ok
    assert [(e.line, e.column) for e in result.errors] == [(3, column)]
    assert str(result.errors[0]).startswith(f"line 3, column {column}: {message}")
    assert result.summary == "Nothing was imported: 1 problem was found."
    assert counts() == before
    existing.refresh_from_db()
    assert existing.legal_last_name == "Testchild"


def test_an_unknown_year_group_is_not_also_blamed_on_the_class(school, classes):
    result = roster.import_pupils(
        school=school, data=roster_csv([pupil_row(1, year_group="Y7", **{"class": "Oak"})])
    )

    assert [str(e) for e in result.errors] == [
        "line 2, column year_group: 'Y7' is not a known year group (R or 1-6)."
    ]


def test_a_upn_twice_in_the_file_names_both_lines(school, classes):
    before = counts()
    rows = [pupil_row(1), pupil_row(2), pupil_row(3), pupil_row(1, legal_first_name="Twin")]

    result = roster.import_pupils(school=school, data=roster_csv(rows))

    assert [str(e) for e in result.errors] == [
        f"line 5, column upn: {make_upn(1)} appears twice in the file (first on line 2)."
    ]
    assert counts() == before


def test_every_bad_row_in_a_file_is_reported(school, classes):
    before = counts()
    rows = [
        pupil_row(1),
        pupil_row(2, legal_first_name="", date_of_birth="31/02/2019"),
        pupil_row(3),
        pupil_row(4, upn=bad_check_letter(make_upn(4))),
        pupil_row(5, year_group="Year 9", **{"class": "Willow"}),
        pupil_row(6),
    ]

    result = roster.import_pupils(school=school, data=roster_csv(rows))

    assert [(e.line, e.column) for e in result.errors] == [
        (3, "date_of_birth"),
        (3, "legal_first_name"),
        (5, "upn"),
        (6, "class"),
        (6, "year_group"),
    ]
    assert result.summary == "Nothing was imported: 5 problems were found."
    assert counts() == before


def test_a_row_with_too_few_or_too_many_cells_is_reported(school, classes):
    lines = [
        ",".join(pupil_row(1)),
        ",".join(pupil_row(1).values()),
        "only,three,cells",
        ",".join(pupil_row(2).values()) + ",extra",
    ]

    result = roster.import_pupils(school=school, data="\n".join(lines).encode())

    assert [str(e) for e in result.errors] == [
        "line 3: has a different number of cells from the header.",
        "line 4: has a different number of cells from the header.",
    ]
    assert Pupil.objects.count() == 0


# --- Bad files -----------------------------------------------------------------------------------


def test_a_missing_required_column_is_reported_as_a_header_problem(school, classes):
    before = counts()
    columns = [c for c in roster.COLUMNS if c != "date_of_birth"]

    result = roster.import_pupils(school=school, data=roster_csv([pupil_row(1)], columns))

    assert len(result.errors) == 1
    assert "header (line 1) is missing the column(s) date_of_birth" in str(result.errors[0])
    assert counts() == before


def test_an_unknown_column_is_reported(school, classes):
    data = roster_csv([pupil_row(1)]).replace(b"ethnicity", b"shoe_size", 1)

    result = roster.import_pupils(school=school, data=data)

    assert [str(e) for e in result.errors] == [
        "The header (line 1) has unknown column(s): shoe_size."
    ]


def test_headers_are_matched_whatever_their_case_and_a_byte_order_mark_is_ignored(school):
    data = roster_csv([pupil_row(1)], roster.REQUIRED_COLUMNS)
    data = "\ufeff".encode() + data.replace(b"legal_first_name", b" Legal_First_Name ")

    result = roster.import_pupils(school=school, data=data)

    assert result.ok, result.errors
    assert Pupil.objects.get().legal_first_name == "Pupilname1"


def test_a_file_that_is_not_utf8_is_refused(school, classes):
    before = counts()
    data = roster_csv([pupil_row(1, legal_first_name="Zoë")]).decode().encode("cp1252")

    result = roster.import_pupils(school=school, data=data)

    assert len(result.errors) == 1
    assert "The file is not UTF-8 text" in result.errors[0].message
    assert "CSV UTF-8" in result.errors[0].message
    assert counts() == before


def test_a_file_over_the_size_limit_is_refused(school, classes, settings):
    settings.ROSTER_IMPORT_MAX_BYTES = 1024
    before = counts()
    data = roster_csv([pupil_row(n) for n in range(30)])
    assert len(data) > 1024

    result = roster.import_pupils(school=school, data=data)

    assert [str(e) for e in result.errors] == [
        "The file is larger than 1.0\xa0KB; split it or remove columns."
    ]
    assert counts() == before


def test_a_file_with_only_a_header_imports_nothing(school):
    result = roster.import_pupils(school=school, data=roster_csv([]))

    assert [str(e) for e in result.errors] == ["line 2: The file has a header but no pupils."]


# --- Re-imports, updates, dry runs ---------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(school, classes, office):
    data = roster_csv([pupil_row(n) for n in range(1, 6)])
    assert roster.import_pupils(school=school, data=data, user=office).created == 5
    before = counts()

    result = roster.import_pupils(school=school, data=data, user=office)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert result.summary == "Roster imported: 0 new pupils, 0 updated, 5 unchanged."
    assert counts() == before


def test_a_changed_row_updates_the_pupil_with_that_upn(school, classes, existing, office):
    rows = [pupil_row(1), existing_row(existing)]
    roster.import_pupils(school=school, data=roster_csv(rows))
    assert existing.history.count() == 1  # the import found nothing to change

    rows[1] = existing_row(existing, legal_last_name="Newname", year_group="4", **{"class": "Ash"})
    result = roster.import_pupils(school=school, data=roster_csv(rows), user=office)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    updated = Pupil.objects.get(school=school, upn=existing.upn)
    assert updated.pk == existing.pk
    assert (updated.legal_last_name, updated.year_group) == ("Newname", 4)
    assert updated.school_class == classes["ash"]
    latest = updated.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == office
    assert latest.history_change_reason == "Roster import"
    assert latest.legal_last_name == "Newname"
    assert updated.history.count() == 2
    assert Pupil.objects.get(upn=make_upn(1)).history.count() == 1


def test_a_dry_run_reports_the_counts_and_changes_nothing(school, classes, existing, office):
    before = counts()
    rows = [pupil_row(1), pupil_row(2), existing_row(existing, legal_last_name="Newname")]

    result = roster.import_pupils(school=school, data=roster_csv(rows), user=office, dry_run=True)

    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    assert result.summary == (
        "The file is ready to import: 2 new pupils, 1 updated, 0 unchanged. "
        "Nothing has been changed yet."
    )
    assert counts() == before
    existing.refresh_from_db()
    assert existing.legal_last_name == "Testchild"


def test_a_dry_run_of_a_bad_file_reports_the_problems(school, classes):
    rows = [pupil_row(1, year_group="7")]

    result = roster.import_pupils(school=school, data=roster_csv(rows), dry_run=True)

    assert [(e.line, e.column) for e in result.errors] == [(2, "year_group")]


def test_the_import_touches_only_the_given_school(school, other_school, classes):
    elsewhere_class = SchoolClassFactory(school=other_school, name="Birch", year_group=3)
    elsewhere = PupilFactory(
        school=other_school, upn=make_upn(1), legal_first_name="Elsewhere", school_class=None
    )

    wrong_class = roster.import_pupils(
        school=school, data=roster_csv([pupil_row(1, **{"class": "Birch"})])
    )
    assert [str(e) for e in wrong_class.errors] == [
        "line 2, column class: 'Birch' is not a class of Testwood Primary School."
    ]

    result = roster.import_pupils(
        school=school, data=roster_csv([pupil_row(1, legal_first_name="Here")])
    )

    assert (result.created, result.updated) == (1, 0)
    here = Pupil.objects.get(school=school, upn=make_upn(1))
    assert here.legal_first_name == "Here"
    assert here.pk != elsewhere.pk
    elsewhere.refresh_from_db()
    assert elsewhere.legal_first_name == "Elsewhere"
    assert elsewhere.school_class is None
    assert elsewhere.history.count() == 1
    assert not elsewhere_class.pupils.exists()


# --- Queries: a fixed number, however many rows --------------------------------------------------

# SQLite takes at most 999 parameters a query, so Django splits bulk writes into batches of
# ~60 rows there: the bound allows for that. A query per row would need hundreds.
MAX_QUERIES = 30


def test_importing_a_bigger_file_needs_no_more_queries(
    school, classes, django_assert_max_num_queries
):
    def import_rows(count, **cells):
        rows = [pupil_row(n, **cells) for n in range(count)]
        with django_assert_max_num_queries(MAX_QUERIES) as queries:
            result = roster.import_pupils(school=school, data=roster_csv(rows))
        assert result.ok, result.errors
        return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]

    reads_for_200 = import_rows(200)
    reads_for_400 = import_rows(400)  # 200 new, 200 compared with what is stored
    assert len(reads_for_400) <= len(reads_for_200)
    assert Pupil.objects.filter(school=school).count() == 400

    reads_for_changing_400 = import_rows(
        400, legal_last_name="Changed", year_group="4", **{"class": "Ash"}
    )
    assert len(reads_for_changing_400) <= len(reads_for_200)
    assert Pupil.objects.filter(school_class=classes["ash"]).count() == 400


# --- The management command ----------------------------------------------------------------------


@pytest.fixture
def roster_file(tmp_path):
    def write(rows):
        path = tmp_path / "roster.csv"
        path.write_bytes(roster_csv(rows))
        return str(path)

    return write


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_pupils", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_a_file(school, classes, roster_file):
    out, _err = run_command(roster_file([pupil_row(1), pupil_row(2)]))

    assert "Testwood Primary School: Roster imported: 2 new pupils, 0 updated, 0 unchanged." in out
    assert Pupil.objects.filter(school=school).count() == 2
    assert {h.history_user for h in Pupil.history.all()} == {None}  # shown as "System"


def test_the_command_records_the_user_in_the_history(school, classes, office, roster_file):
    run_command(roster_file([pupil_row(1)]), "--user", "office")

    assert Pupil.history.get().history_user == office


def test_the_command_dry_run_changes_nothing_and_says_so(school, classes, roster_file):
    before = counts()

    out, _err = run_command(roster_file([pupil_row(1), pupil_row(2)]), "--dry-run")

    assert "The file is ready to import: 2 new pupils, 0 updated, 0 unchanged." in out
    assert "Dry run: nothing was changed." in out
    assert counts() == before


def test_the_command_reports_every_error_and_fails(school, classes, roster_file):
    before = counts()
    path = roster_file(
        [pupil_row(1, year_group="9"), pupil_row(2), pupil_row(3, legal_last_name="")]
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: 2 problems were found."):
        call_command("import_pupils", path, stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 2, column year_group: '9' is not a known year group (R or 1-6).",
        "line 4, column legal_last_name: is required.",
    ]
    assert counts() == before


def test_the_command_needs_a_school_when_there_are_several(
    school, other_school, classes, roster_file
):
    path = roster_file([pupil_row(1, **{"class": ""})])

    with pytest.raises(CommandError) as error:
        run_command(path)
    assert "choose one with --school" in str(error.value)
    assert "Testwood Primary School" in str(error.value)
    assert "Elsewhere Academy" in str(error.value)

    run_command(path, "--school", "testwood primary school")
    run_command(path, "--school", str(other_school.pk))

    assert Pupil.objects.filter(school=school).count() == 1
    assert Pupil.objects.filter(school=other_school).count() == 1


def test_the_command_refuses_an_unknown_school_user_or_file(school, roster_file, tmp_path):
    path = roster_file([pupil_row(1)])

    with pytest.raises(CommandError, match="There is no school 'Nowhere'"):
        run_command(path, "--school", "Nowhere")
    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        run_command(path, "--user", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        run_command(str(tmp_path / "missing.csv"))
    assert Pupil.objects.count() == 0
