"""The retention schedule: each closed case's review date, which pupils are due, the dry run
that lists them, and anonymising that removes what identifies a child (from the history too)
while the programme's figures stay as they were."""

import dataclasses
import datetime as dt
import io

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse

from mentoring import retention
from mentoring.audit import save_as
from mentoring.models import AccessEvent, Case, Contact, Pupil
from reviews.pack import pack_context
from reviews.tasks import NAMES_ANONYMISED
from sessions.models import SessionRecord

from ..factories import CaseFactory, PupilFactory, ready_pack
from .full_file import MARK, PARENT, PUPIL_FIRST, TODAY, autumn_term, full_file

pytestmark = pytest.mark.django_db

# Born long enough ago that records kept to 25 are due, but not those kept to 40.
BORN = dt.date(1990, 3, 14)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def leave(pupil, born=BORN, left=dt.date(2008, 7, 20)):
    pupil.date_of_birth = born
    pupil.date_left = left
    save_as(pupil, None, "Left the school")
    return pupil


def closed_case(pupil, **fields):
    return CaseFactory(pupil=pupil, status=Case.Status.CLOSED, closed_on=dt.date(2008, 7, 1))


def retention_run(*args):
    """The command's output, spaces collapsed (its columns are padded)."""
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return " ".join(out.getvalue().split())


def texts_containing(*words):
    """(table, column) of every text column, in every table (history and the access log
    included), that still contains any of ``words``."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        columns = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        for column in columns:
            query = Q()
            for word in words:
                query |= Q(**{f"{column}__icontains": word})
            if model._base_manager.filter(query).exists():
                found.append((model._meta.label, column))
    return found


def figures(school, term):
    """The termly review pack's figures for both audiences, without the drawn charts."""

    def plain(value):
        if dataclasses.is_dataclass(value):
            value = dataclasses.asdict(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if k != "chart"}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    parts = ("caseload", "referrals", "sessions", "outcomes", "reviews", "closures")
    return {
        audience: {
            part: plain(pack_context(school, term, audience, today=TODAY)[part]) for part in parts
        }
        for audience in ("staff", "governors")
    }


def row_counts(exclude_history=True):
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if exclude_history and model._meta.label.split(".")[1].startswith("Historical"):
            continue
        counts[model._meta.label] = model._base_manager.count()
    return counts


@pytest.fixture
def term(school):
    return autumn_term(school)


@pytest.fixture
def filed(pupil, term, coordinator, mentor, class_teacher):
    """Robin renamed Zephyrine Quillfeather, with a full, closed file; left long ago."""
    pupil.legal_first_name, pupil.legal_last_name = PUPIL_FIRST, MARK
    pupil.preferred_name = "Zeph"
    save_as(pupil, None)
    case = full_file(
        pupil, term=term, coordinator=coordinator, mentor=mentor, class_teacher=class_teacher
    )
    leave(pupil)
    # Changes made in the set-up area are logged there too, under the row's name then.
    for row in (pupil, Contact.objects.get(pupil=pupil)):
        LogEntry.objects.create(
            user=coordinator,
            content_type=ContentType.objects.get_for_model(row),
            object_id=str(row.pk),
            object_repr=str(row),
            action_flag=CHANGE,
            change_message="[]",
        )
    return case


# --- The schedule -----------------------------------------------------------------------------


def test_review_date_is_the_birthday_at_the_schools_age_and_later_for_safeguarding(
    school, pupil, mentor
):
    school.records_kept_until_age, school.safeguarding_kept_until_age = 25, 30
    school.save()
    case = closed_case(leave(pupil))
    assert retention.case_review_date(case) == dt.date(2015, 3, 14)

    SessionRecord.objects.create(
        case=case, date=dt.date(2008, 6, 3), safeguarding_concern=True, author=mentor
    )
    assert retention.case_review_date(case) == dt.date(2020, 3, 14)

    # The later of the two: a school keeping safeguarding notes for less changes nothing.
    school.safeguarding_kept_until_age = 21
    school.save()
    case.refresh_from_db()
    assert retention.case_review_date(case) == dt.date(2015, 3, 14)


def test_an_open_case_has_no_review_date_and_a_leap_day_birthday_falls_on_1_march(school):
    leap = leave(PupilFactory(school=school), born=dt.date(1992, 2, 29))
    assert retention.case_review_date(CaseFactory(pupil=leap)) is None
    assert retention.case_review_date(closed_case(leap)) == dt.date(2017, 3, 1)


def test_due_only_when_left_every_case_closed_and_every_review_date_passed(school, mentor):
    school.safeguarding_kept_until_age = 40
    school.save()
    on_roll = PupilFactory(school=school, date_of_birth=BORN)
    closed_case(on_roll)
    open_case = leave(PupilFactory(school=school))
    closed_case(open_case)
    CaseFactory(pupil=open_case)
    flagged = leave(PupilFactory(school=school))  # kept to 40 for safeguarding: 2030
    SessionRecord.objects.create(
        case=closed_case(flagged),
        date=dt.date(2008, 6, 3),
        safeguarding_concern=True,
        author=mentor,
    )
    young = leave(PupilFactory(school=school), born=dt.date(2005, 1, 1))  # 25 in 2030
    closed_case(young)
    due = leave(PupilFactory(school=school))
    due_case = closed_case(due)
    never_a_case = leave(PupilFactory(school=school))
    done = leave(PupilFactory(school=school))
    closed_case(done)
    retention.anonymise_pupil(done)

    found = retention.pupils_due()

    assert [d.pupil for d in found] == [due, never_a_case]
    assert found[0].cases == [(due_case, dt.date(2015, 3, 14))]
    assert found[1].review_date == dt.date(2015, 3, 14)


# --- The command ------------------------------------------------------------------------------


def test_dry_run_lists_initials_case_and_date_records_it_and_changes_nothing(filed, school):
    before = row_counts()

    output = retention_run("--dry-run")

    assert f"{school} {filed.reference} ZQ review date 14/03/2015" in output
    assert "Dry run: nothing was changed" in output
    for name in (PUPIL_FIRST, MARK, "Zeph", filed.pupil.upn):
        assert name not in output
    filed.pupil.refresh_from_db()
    assert filed.pupil.legal_first_name == PUPIL_FIRST
    assert filed.pupil.anonymised_on is None
    listed = AccessEvent.objects.get(action=AccessEvent.Action.RETENTION_LISTED)
    assert listed.pupil == filed.pupil
    assert filed.reference in listed.what and MARK not in listed.what
    after = row_counts()
    assert after.pop("mentoring.AccessEvent") == before.pop("mentoring.AccessEvent") + 1
    assert after == before


def test_apply_removes_names_and_notes_everywhere_and_keeps_the_programmes_figures(
    filed, school, term
):
    pupil = filed.pupil
    upn, contact = pupil.upn, Contact.objects.get(pupil=pupil)
    assert len(texts_containing(MARK, PUPIL_FIRST, upn)) > 20  # in many records and history
    before = figures(school, term)
    assert before["staff"]["sessions"] and before["staff"]["caseload"]["total"]["value"] == 1
    counts = row_counts()

    output = retention_run("--user", "coordinator")

    assert f"{filed.reference} ZQ review date 14/03/2015" in output
    assert "Anonymised 1 pupil's records." in output
    # Nothing that identifies the child is left, in any table, current or history.
    assert texts_containing(MARK, PUPIL_FIRST, "Zeph", upn, "orla@example.org") == []
    pupil.refresh_from_db()
    assert (pupil.legal_first_name, pupil.legal_last_name) == ("Anonymised", f"pupil {pupil.pk}")
    assert pupil.upn == f"ANON{pupil.pk:09d}" and pupil.preferred_name == ""
    assert pupil.date_of_birth == dt.date(1989, 9, 1)  # the start of the school year of birth
    assert pupil.anonymised_on == TODAY
    assert pupil.history.filter(date_of_birth=BORN).count() == 0
    assert (pupil.year_group, pupil.gender, pupil.sen_status) == (3, "X", "N")
    contact.refresh_from_db()
    assert (contact.name, contact.phone, contact.email, contact.address) == (
        retention.REMOVED,
        "",
        "",
        "",
    )
    assert contact.relationship == "Mother"
    record = SessionRecord.objects.filter(case=filed).order_by("date").first()
    assert record.what_was_done == retention.REMOVED and record.attendance == "held"
    # The change says who made it, and why.
    latest = record.history.first()
    assert latest.history_user.username == "coordinator"
    assert latest.history_change_reason == retention.REASON

    # The programme's figures do not change: caseload, referrals, sessions, outcomes...
    assert figures(school, term) == before
    after_counts = row_counts()
    assert after_counts.pop("mentoring.AccessEvent") == counts.pop("mentoring.AccessEvent") + 1
    assert after_counts == counts

    event = AccessEvent.objects.get(action=AccessEvent.Action.ANONYMISED)
    assert event.pupil == pupil and event.user.username == "coordinator"


def test_anonymising_withdraws_the_stored_staff_packs_that_name_the_pupil(
    filed, school, term, head, generated_dir, client_for, django_capture_on_commit_callbacks
):
    naming = ready_pack(school, term, head, generated_dir, named=[filed.pupil])
    other = ready_pack(school, term, head, generated_dir, named=[PupilFactory(school=school)])

    with django_capture_on_commit_callbacks(execute=True):
        retention_run("--user", "coordinator")

    # The file that still had the child's name is gone; the list says why, to ask again.
    assert not (generated_dir / f"review-pack-{naming.pk}.pdf").exists()
    naming.refresh_from_db()
    assert (naming.status, naming.file_name, naming.error) == (
        "ready",
        "",
        NAMES_ANONYMISED,
    )
    change = naming.history.first()
    assert change.history_user.username == "coordinator"
    assert change.history_change_reason == retention.REASON
    packs = client_for(head).get(reverse("review_pack_list")).content.decode()
    assert "It named a pupil whose records have since been anonymised" in packs
    assert (
        client_for(head).get(reverse("review_pack_download", args=[naming.pk])).status_code == 404
    )
    # A pack that names other pupils only is kept.
    assert (generated_dir / other.file_name).exists()
    other.refresh_from_db()
    assert other.file_name and not other.error


def test_an_anonymising_rolled_back_keeps_the_packs_files(
    filed, school, term, head, generated_dir, django_capture_on_commit_callbacks
):
    naming = ready_pack(school, term, head, generated_dir, named=[filed.pupil])

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        retention.anonymise_pupil(filed.pupil)
        raise RuntimeError("the run stopped")

    assert (generated_dir / naming.file_name).exists()
    naming.refresh_from_db()
    assert naming.file_name and not naming.error


def test_applying_again_changes_nothing(filed):
    retention_run()
    history = sum(row_counts(exclude_history=False).values())

    assert "No pupil's records are due" in retention_run()
    assert retention.anonymise_pupil(filed.pupil) is False
    assert sum(row_counts(exclude_history=False).values()) == history
    assert AccessEvent.objects.filter(action=AccessEvent.Action.ANONYMISED).count() == 1


def test_nothing_due_while_the_pupil_is_on_roll(filed):
    filed.pupil.date_left = None
    save_as(filed.pupil, None, "Came back")

    assert "No pupil's records are due" in retention_run()
    assert Pupil.objects.get(pk=filed.pupil_id).legal_last_name == MARK


# --- The case page ---------------------------------------------------------------------------


def test_case_page_shows_the_review_date_to_those_who_keep_records(
    filed, client_for, coordinator, head, mentor
):
    for user in (coordinator, head):
        page = client_for(user).get(f"/cases/{filed.pk}/").content.decode()
        assert "Records review" in page and "Due 14 March 2015" in page
    page = client_for(mentor).get(f"/cases/{filed.pk}/").content.decode()
    assert "Records review" not in page and "14 March 2015" not in page

    retention.anonymise_pupil(filed.pupil, user=coordinator)
    page = client_for(coordinator).get(f"/cases/{filed.pk}/").content.decode()
    assert f"Anonymised on {TODAY:%-d %B %Y}" in page
    assert PARENT not in page and PUPIL_FIRST not in page


def test_open_case_shows_no_review_date(case, client_for, coordinator):
    page = client_for(coordinator).get(f"/cases/{case.pk}/").content.decode()
    assert "Records review" not in page
