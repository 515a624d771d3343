"""The first journey: a teacher refers, the coordinator triages, consent is sought and given."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from mentoring.models import ClassStaff, Role

from ..factories import (
    DEMO_PASSWORD,
    ContactFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    assign,
    make_referral,
    referral_lists,
    staff,
)
from .signin import sign_out
from .sizes import at_both_sizes, menu

pytestmark = at_both_sizes


def test_referral_from_teacher_to_consent_and_a_decline(live_server, page, sign_in):
    school = SchoolFactory(name="Testwood Primary School")
    oak = SchoolClassFactory(school=school, name="Oak", year_group=3)
    teacher = staff(school, Role.CLASS_TEACHER, username="teacher", first_name="Tess")
    assign(teacher, oak, ClassStaff.Kind.TEACHER)
    staff(school, Role.COORDINATOR, username="coordinator", first_name="Cora")
    staff(school, Role.HEAD, username="head", first_name="Hedda")
    referral_lists(school)
    robin = PupilFactory(school=school, school_class=oak, legal_first_name="Robin")
    ContactFactory(pupil=robin, name="Alex Testparent", relationship="Mother")
    sky = PupilFactory(school=school, school_class=oak, legal_first_name="Sky")
    # An older referral waits in the queue too, so "top of new" means something.
    make_referral(PupilFactory(school=school, legal_first_name="Older"), teacher, days_ago=9)

    # The class teacher refers Robin.
    sign_in("teacher", DEMO_PASSWORD)
    page.get_by_role("link", name="Make a referral").first.click()
    page.get_by_role("combobox", name=re.compile("^Pupil")).select_option(
        label="Testchild, Robin (Oak)"
    )
    criteria = page.get_by_role("group", name="Referral criteria")
    criteria.get_by_label("Low self-esteem").check()
    criteria.get_by_label("Friendship issues").check()
    page.get_by_role("group", name="Barriers to learning").get_by_label("Bullying").check()
    page.get_by_label("The child's needs and strengths").fill(
        "Withdrawn at playtimes; a gifted artist."
    )
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Submit the referral").click()
    expect(page.get_by_text("Referral submitted to the mentoring coordinator.")).to_be_visible()
    # And Sky, whom the panel will decline.
    page.goto(f"{live_server.url}/referrals/new/?pupil={sky.pk}")
    page.get_by_role("group", name="Referral criteria").get_by_label("Underachieving").check()
    page.get_by_role("button", name="Submit the referral").click()
    expect(page.get_by_text("Referral submitted to the mentoring coordinator.")).to_be_visible()
    sign_out(page)

    # The coordinator finds Robin at the top of "new" (newest first) and triages.
    sign_in("coordinator", DEMO_PASSWORD)
    menu(page).get_by_role("link", name="Referrals", exact=True).click()
    page.get_by_role("link", name=re.compile(r"^New")).click()
    page.get_by_label("Sort by").select_option("recent")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Robin Testchild")
    rows.nth(1).get_by_role("link", name="Robin Testchild").click()
    expect(page.get_by_text("Withdrawn at playtimes; a gifted artist.")).to_be_visible()

    page.get_by_label("Discussed with").fill("Class teacher")
    page.get_by_label("Note").fill("Struggles to join games; happy to try mentoring.")
    page.get_by_role("button", name="Add the discussion").click()
    expect(page.get_by_text("Under discussion").first).to_be_visible()

    page.get_by_role("radio", name="High").check()
    page.get_by_label("Hedda Staffperson").check()
    page.get_by_label("Cora Staffperson").check()
    page.get_by_role("button", name="Record the priority").click()
    expect(page.get_by_text("High priority")).to_be_visible()

    page.get_by_role("radio", name="Accept").check()
    page.get_by_label("Support offered (when accepting)").select_option(label="Drawing & Talking")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Referral accepted.")).to_be_visible()

    # The consent letter, printed and read back.
    page.get_by_role("link", name="Open the case").click()
    page.get_by_label("To").select_option(label="Alex Testparent (Mother)")
    page.get_by_role("button", name="Record a letter as sent").click()
    expect(page.get_by_text("Letter recorded as sent")).to_be_visible()
    pdf_link = page.get_by_role("link", name="print the letter (PDF)")
    pdf = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Robin Testchild" in text
    assert "Drawing & Talking" in text
    assert "invite you to meet the mentor" in text

    # Consent given: the case is ready for allocation.
    page.get_by_role("link", name="Record an answer").click()
    page.get_by_role("radio", name="Given").check()
    page.get_by_label("Name of the parent or carer").fill("Alex Testparent")
    page.get_by_label("Relationship").fill("Mother")
    page.get_by_label("How the answer came").select_option(label="Signed slip")
    page.get_by_role("button", name="Record the answer").click()
    expect(page.locator("#consent-state")).to_contain_text("Consent given")
    expect(page.get_by_text("ready for allocation")).to_be_visible()

    # Sky's referral is declined with a reason...
    page.goto(f"{live_server.url}/referrals/?status=new")
    page.get_by_role("link", name="Sky Testchild").click()
    page.get_by_role("radio", name="Decline").check()
    page.get_by_role("button", name="Record the decision").click()
    # Refused without a reason: the page says so in its title and takes the coordinator to
    # the reason, far down the page, rather than leaving them at its top.
    reason = page.get_by_label("Reason (when declining)")
    expect(reason).to_be_focused()
    expect(reason).to_be_in_viewport()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_text("Give the reason; the referrer will see it.")).to_be_visible()
    reason.fill("The lunchtime nurture group will suit Sky better.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Referral declined.")).to_be_visible()
    sign_out(page)

    # ...which the teacher sees on their landing page.
    sign_in("teacher", DEMO_PASSWORD)
    expect(page.get_by_text("The lunchtime nurture group will suit Sky better.")).to_be_visible()
