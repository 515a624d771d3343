"""The office imports the roster through the page and finds the new pupil in the list."""

from playwright.sync_api import expect

from mentoring.models import Pupil, Role

from ..factories import DEMO_PASSWORD, SchoolClassFactory, SchoolFactory, make_upn, staff
from .sizes import at_both_sizes, menu

pytestmark = at_both_sizes


def test_office_imports_a_csv_and_finds_the_new_pupil(live_server, sign_in, tmp_path):
    school = SchoolFactory(name="Testwood Primary School")
    SchoolClassFactory(school=school, name="Hazel", year_group=2)
    staff(school, Role.OFFICE, username="office", first_name="Olive")
    upn = make_upn(4242)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "upn,legal_first_name,legal_last_name,date_of_birth,year_group,class\n"
        f"{upn},Juniper,Quillfeather,05/06/2019,2,Hazel\n"
    )

    page = sign_in("office", DEMO_PASSWORD)
    page.get_by_role("link", name="Import the roster").first.click()
    expect(page.get_by_role("heading", name="Import the roster")).to_be_visible()
    page.get_by_label("Roster file (CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(
        "Roster imported: 1 new pupil, 0 updated, 0 unchanged."
    )

    menu(page).get_by_role("link", name="Pupils", exact=True).click()
    page.get_by_label("Name or UPN").fill("Quillfeather")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row", name="Quillfeather")
    expect(row).to_contain_text("Hazel")
    expect(row).to_contain_text(upn)
    assert Pupil.objects.get(upn=upn).history.first().history_user.username == "office"
