"""The head asks for the staff review pack, watches it being made, and downloads it.

The task worker runs in a background thread of the test (the database backend, as in
production), started once the page shows the pack waiting; the page's list polls itself
every 2 s and turns to "Ready" when the worker is done.
"""

import datetime as dt
import io
import re
import threading

from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect
from pypdf import PdfReader

from mentoring.models import Case, Role, Term

from ..factories import DEMO_PASSWORD, PupilFactory, SchoolFactory, TermFactory, staff
from .sizes import at_both_sizes

pytestmark = at_both_sizes


def run_worker_in_background():
    """The worker of ``manage.py db_worker --batch``: runs what is queued, then stops.
    (The command itself sets signal handlers, which only the main thread may do.)"""

    def work():
        try:
            Worker(
                queue_names=["default"],
                interval=0.2,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id="e2e-worker",
                excluded_queue_names=[],
            ).run()
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_the_head_asks_for_the_staff_pack_and_downloads_it(
    live_server, page, sign_in, generated_dir
):
    school = SchoolFactory(name="Testwood Primary School")
    TermFactory(academic_year__school=school, name=Term.Name.AUTUMN)  # 2 Sep to 18 Dec 2026
    staff(school, Role.HEAD, username="head", first_name="Hedda")
    mentor = staff(school, Role.MENTOR, username="mentor", first_name="Mina")
    for name in ("Robin", "Skylar"):
        Case.objects.create(
            school=school,
            pupil=PupilFactory(school=school, legal_first_name=name),
            mentor=mentor,
            opened_on=dt.date(2026, 9, 7),
        )

    sign_in("head", DEMO_PASSWORD)
    page.get_by_role("link", name="Termly review packs").click()
    expect(page.get_by_role("heading", name="Termly review packs")).to_be_visible()
    page.get_by_label("Term").select_option(label="Autumn 2026/27 (02/09/2026 to 18/12/2026)")
    page.get_by_label("Staff: names pupils").check()
    page.get_by_role("button", name="Make the pack").click()

    expect(page.get_by_text("The staff pack for Autumn 2026/27 is being made.")).to_be_visible()
    row = page.locator("#review-pack-list tbody tr").first
    expect(row).to_contain_text("Autumn 2026/27, for staff")
    expect(row).to_contain_text("Waiting")
    expect(row.get_by_role("progressbar")).to_be_visible()

    worker = run_worker_in_background()
    # No reload: the list fetches itself every 2 seconds until the pack is ready.
    expect(row.get_by_text("Ready", exact=True)).to_be_visible(timeout=60_000)
    worker.join(timeout=30)
    listing = page.locator("#review-pack-list")
    expect(listing).not_to_have_attribute("data-hx-trigger", re.compile("."))

    with page.expect_download() as download_info:
        row.get_by_role("link", name=re.compile(r"^Download the PDF")).click()
    download = download_info.value
    assert download.suggested_filename == "review-pack-autumn-2026-staff.pdf"
    with open(download.path(), "rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Termly review pack" in text
    assert "Autumn 2026/27" in text
    assert "Robin Testchild" in text
    assert "Made for Hedda Staffperson" in text
