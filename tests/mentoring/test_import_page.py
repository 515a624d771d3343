"""The office imports the roster through the import page; nobody else may."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentoring import roster
from mentoring.models import Pupil
from tests.factories import make_upn

from .test_roster_import import pupil_row, roster_csv


def upload(client, school, rows, *button):
    """POST the rows as a CSV file; ``button`` is "check" for "Check only"."""
    data = {
        "school": school.pk,
        "file": SimpleUploadedFile("roster.csv", roster_csv(rows), content_type="text/csv"),
        (button[0] if button else "import"): "",
    }
    return client.post(reverse("roster_import"), data, follow=True)


def test_the_office_imports_a_file_and_finds_the_new_pupil_in_the_list(
    client_for, school, school_class, office
):
    client = client_for(office)
    rows = [pupil_row(1, legal_first_name="Juniper", legal_last_name="Quillfeather")]

    response = upload(client, school, rows)

    assert response.redirect_chain == [(reverse("roster_import"), 302)]
    assert "Roster imported: 1 new pupil, 0 updated, 0 unchanged." in response.text
    pupil = Pupil.objects.get(school=school, upn=make_upn(1))
    assert pupil.school_class == school_class
    assert pupil.history.get().history_user == office

    pupils = client.get(reverse("pupil_list")).text
    assert "Quillfeather, Juniper" in pupils
    assert make_upn(1) in pupils
    assert "Oak" in pupils


def test_check_only_imports_nothing_and_says_the_file_is_ready(
    client_for, school, school_class, office
):
    rows = [pupil_row(1), pupil_row(2)]

    response = upload(client_for(office), school, rows, "check")

    assert response.redirect_chain == []
    assert (
        "The file is ready to import: 2 new pupils, 0 updated, 0 unchanged. "
        "Nothing has been changed yet."
    ) in response.text
    assert "Roster imported" not in response.text
    assert not Pupil.objects.exists()


def test_a_bad_file_shows_every_problem_by_line_and_imports_nothing(
    client_for, school, school_class, office
):
    rows = [
        pupil_row(1),
        pupil_row(2, year_group="4"),
        pupil_row(3, legal_last_name=""),
        pupil_row(1, legal_first_name="Again"),
    ]

    response = upload(client_for(office), school, rows)

    assert response.redirect_chain == []
    page = response.text
    assert "Nothing was imported: 3 problems were found." in page
    assert "<li>line 3, column class: Oak is not a Year 4 class.</li>" in page
    assert "<li>line 4, column legal_last_name: is required.</li>" in page
    assert f"<li>line 5, column upn: {make_upn(1)} appears twice in the file" in page
    assert not Pupil.objects.exists()
    assert not Pupil.history.exists()


def test_the_office_cannot_import_into_another_school(
    client_for, school, other_school, school_class, office
):
    # The school is a hidden field for an office in one school: only a forged form sends this.
    response = upload(client_for(office), other_school, [pupil_row(1, **{"class": ""})])

    assert response.redirect_chain == []
    assert "Roster imported" not in response.text
    assert "The file is ready to import" not in response.text
    assert not Pupil.objects.exists()


def test_the_template_has_the_columns_and_its_example_row_passes_the_checks(
    client_for, school, office
):
    response = client_for(office).get(reverse("roster_template"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="roster-template.csv"' in response["Content-Disposition"]
    header, example = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == [
        "upn",
        "legal_first_name",
        "legal_last_name",
        "date_of_birth",
        "year_group",
        "preferred_name",
        "class",
        "gender",
        "sen_status",
        "pupil_premium",
        "eal",
        "looked_after",
        "ethnicity",
        "date_left",
    ]
    assert example[:3] == ["T873265400012", "Example", "Pupil"]
    checked = roster.import_pupils(school=school, data=response.content, dry_run=True)
    assert checked.ok, checked.errors


@pytest.mark.parametrize("persona", ["mentor", "class_teacher", "coordinator"])
def test_only_the_office_may_import(client_for, school, school_class, persona, request):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(reverse("roster_import")).status_code == 403
    assert client.get(reverse("roster_template")).status_code == 403
    for button in ("check", "import"):
        response = upload(client, school, [pupil_row(1)], button)
        assert response.status_code == 403
    assert not Pupil.objects.exists()


def test_a_file_over_the_limit_is_refused_by_the_field_before_it_is_read(
    client_for, office, school, school_class, settings
):
    settings.ROSTER_IMPORT_MAX_BYTES = 1024
    big = SimpleUploadedFile("roster.csv", roster_csv([pupil_row(n) for n in range(40)]))
    data = {"school": school.pk, "file": big, "import": ""}
    response = client_for(office).post(reverse("roster_import"), data)
    page = response.content.decode()
    assert 'id="error_1_id_file"' in page or "invalid-feedback" in page
    assert "The file is larger than 1.0\xa0KB; split it in two." in page
    assert not Pupil.objects.exists()
