"""The subject access export: from the pupil page, the head or the DSL downloads a ZIP with a
PDF to read and a JSON file of everything held about the pupil, restricted safeguarding notes
marked; the export is recorded; nobody else may make one; and it costs the same number of
queries however long the pupil's file is."""

import datetime as dt
import io
import json
import zipfile

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentoring.audit import save_as
from mentoring.models import AccessEvent, Role
from mentoring.subject_access import KINDS
from reviews.models import TargetProgress
from sessions.models import SessionRecord

from ..factories import staff
from .full_file import MARK, PARENT, PUPIL_FIRST, TODAY, autumn_term, full_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.fixture
def filed(pupil, school, coordinator, mentor, class_teacher):
    """Zephyrine Quillfeather's file, closed, with one restricted session note."""
    pupil.legal_first_name, pupil.legal_last_name = PUPIL_FIRST, MARK
    save_as(pupil, None)
    return full_file(
        pupil,
        term=autumn_term(school),
        coordinator=coordinator,
        mentor=mentor,
        class_teacher=class_teacher,
    )


def export_url(pupil):
    return f"/pupils/{pupil.pk}/subject-access/"


def unzip(response):
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    pdf = next(n for n in names if n.endswith(".pdf"))
    data = next(n for n in names if n.endswith(".json"))
    reader = pypdf.PdfReader(io.BytesIO(archive.read(pdf)))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return names, text, json.loads(archive.read(data))


def test_the_head_downloads_everything_held_about_the_pupil(filed, head, client_for):
    pupil = filed.pupil

    response = client_for(head).post(export_url(pupil))

    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and MARK not in disposition
    assert "no-store" in response["Cache-Control"]
    names, text, data = unzip(response)
    assert names == [
        f"subject-access-pupil-{pupil.pk}-{TODAY}.json",
        f"subject-access-pupil-{pupil.pk}-{TODAY}.pdf",
    ]

    # The PDF: who it is about, and every section in order.
    assert f"Subject access export {PUPIL_FIRST} {MARK}" in text
    starts = [text.index(kind.title) for kind in KINDS]
    assert starts == sorted(starts)
    assert f"Week 1: {PUPIL_FIRST} drew the playground" in text
    assert "1 session record is marked RESTRICTED" in text
    assert "RESTRICTED. Restricted: a session note that raised a safeguarding concern" in text
    assert f"{PARENT} (Mother)" in text

    # The JSON: every record, with every field.
    assert data["pupil"][0]["legal_last_name"] == MARK
    assert data["contacts"][0]["email"] == "orla@example.org"
    assert data["referrals"][0]["discussions"][0]["with_whom"] == f"Class teacher and {PARENT}"
    assert [c["id"] for c in data["cases"]] == [filed.pk]
    assert data["consent_records"][0]["given_by"] == PARENT
    assert len(data["consent_letters"]) == 1 and len(data["allocations"]) == 1
    records = data["session_records"]
    assert len(records) == 4
    restricted = [r for r in records if r.get("restricted")]
    assert len(restricted) == 1
    assert restricted[0]["what_was_done"].startswith("Week 3")  # in full, marked
    assert "DSL" in restricted[0]["restricted_reason"]
    assert records[0]["author_shown"] == "Mina Staffperson"
    assert records[0]["target_progress"][0]["note"] == f"{PUPIL_FIRST} joined in"
    assert data["targets"][0]["what"] == f"{PUPIL_FIRST} joins a game at lunchtime"
    assert len(data["questionnaires"]) == 2 and data["questionnaires"][0]["answers"]
    assert data["meetings"][0]["actions"][0]["owner_shown"] == "Tess Staffperson"
    assert data["termly_reviews"][0]["teacher_view"] == f"{PUPIL_FIRST} is calmer after lunch."
    assert data["closures"][0]["reason_shown"] == "Targets met"
    assert data["observations"] and data["instrument_scores"]
    # Earlier versions from the change history: the referral as first written.
    earlier = [
        version["needs_and_strengths"]
        for version in data["earlier_versions"]["referrals"]
        if version["record"] == "referral"
    ]
    assert "Finds playtimes hard; loves drawing." in earlier

    # Recorded in the access log, and the export lists earlier looks at the file.
    event = AccessEvent.objects.get(action=AccessEvent.Action.EXPORT)
    assert (event.pupil, event.user) == (pupil, head)


def test_the_dsl_may_export_and_sees_earlier_exports_in_the_log(filed, dsl, head, client_for):
    client_for(head).post(export_url(filed.pupil))

    _names, text, data = unzip(client_for(dsl).post(export_url(filed.pupil)))

    assert [e["action"] for e in data["access_events"]] == ["export"]
    assert data["access_events"][0]["user_shown"] == str(head)
    assert "Hedda Staffperson exported everything held about the pupil" in text


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 403),
        ("mentor", 403),
        ("class_teacher", 403),
        ("teaching_assistant", 403),
        ("office", 403),
        ("sendco", 403),
        ("head_elsewhere", 404),
    ],
)
def test_nobody_else_may_export(case, persona, status, request, client_for, other_school):
    if persona == "head_elsewhere":
        user = staff(other_school, Role.HEAD, Role.DSL, username="otherhead")
    else:
        user = request.getfixturevalue(persona)

    response = client_for(user).post(export_url(case.pupil))

    assert response.status_code == status
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.EXPORT).exists()


def test_a_link_cannot_make_an_export(case, head, client_for):
    assert client_for(head).get(export_url(case.pupil)).status_code == 405
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.EXPORT).exists()


def test_the_pupil_page_offers_the_export_to_the_head_only(case, head, coordinator, client_for):
    button = "Subject access export"
    page = client_for(head).get(f"/pupils/{case.pupil_id}/").content.decode()
    assert button in page and f'action="{export_url(case.pupil)}"' in page
    page = client_for(coordinator).get(f"/pupils/{case.pupil_id}/").content.decode()
    assert button not in page


def test_queries_do_not_grow_with_the_number_of_session_records(filed, head, mentor, client_for):
    target = filed.targets.get()

    def add_records(count, start):
        for week in range(count):
            record = SessionRecord.objects.create(
                case=filed,
                date=start - dt.timedelta(weeks=week),
                what_was_done="Talked about the week.",
                author=mentor,
            )
            TargetProgress.objects.create(record=record, target=target, rating=2, note="Some")

    url = export_url(filed.pupil)

    def queries():
        client = client_for(head)
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url)
        assert response.status_code == 200
        return len(captured), unzip(response)[2]

    add_records(1, dt.date(2026, 6, 2))
    with_five, data = queries()
    assert len(data["session_records"]) == 5
    add_records(20, dt.date(2026, 5, 26))
    with_twenty_five, data = queries()
    assert len(data["session_records"]) == 25

    assert with_twenty_five == with_five
