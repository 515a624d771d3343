"""A staff review pack names pupils: each download or print of it is in the access log of
every pupil it names (what a subject access request is answered from); a governors' pack
names none, so it is in the school's record only."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from mentoring import access_log, retention
from mentoring.models import AccessEvent, Case, SupportType
from reviews import tasks
from reviews.models import GeneratedDocument
from reviews.tasks import make_review_pack

from ..factories import PupilFactory, TermFactory, asked_pack, ready_pack

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generated_dir")]

Action = AccessEvent.Action


@pytest.fixture
def autumn(school):
    return TermFactory(academic_year__school=school)


def open_case(school, mentor, first_name, opened, closed=None):
    pupil = PupilFactory(school=school, legal_first_name=first_name)
    Case.objects.create(
        school=school,
        pupil=pupil,
        mentor=mentor,
        support_type=SupportType.MENTORING,
        opened_on=opened,
        closed_on=closed,
        status=Case.Status.CLOSED if closed else Case.Status.OPEN,
    )
    return pupil


@pytest.fixture
def pupils(school, autumn, mentor):
    """Robin and Skylar have cases this term; Hazel's closed in July, before it."""
    return {
        "robin": open_case(school, mentor, "Robin", dt.date(2026, 9, 7)),
        "skylar": open_case(school, mentor, "Skylar", dt.date(2026, 6, 1), dt.date(2026, 10, 20)),
        "hazel": open_case(school, mentor, "Hazel", dt.date(2026, 3, 2), dt.date(2026, 7, 10)),
    }


def made_pack(school, term, head, audience):
    """A pack asked for and made by the task, as the worker makes it."""
    document = asked_pack(school, term, head, audience)
    make_review_pack.call(document.pk)
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.READY
    return document


def download(client, document):
    response = client.get(reverse("review_pack_download", args=[document.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    return response


def access_log_page(client, pupil):
    response = client.get(reverse("pupil_access_log", args=[pupil.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_staff_pack_download_is_in_the_access_log_of_each_pupil_it_names(
    client_for, school, autumn, pupils, head, dsl
):
    document = made_pack(school, autumn, head, "staff")
    assert set(document.pupils.all()) == {pupils["robin"], pupils["skylar"]}

    download(client_for(head), document)

    what = f"Termly review pack (staff), {autumn}, which names this pupil"
    reader = client_for(dsl)
    for name in ("robin", "skylar"):
        page = access_log_page(reader, pupils[name])
        assert escape(f"Hedda Staffperson downloaded {what}") in page, name
    event = AccessEvent.objects.get(pupil=pupils["robin"])
    assert (event.user, event.action, event.school, event.what) == (
        head,
        Action.DOWNLOAD,
        school,
        what,
    )
    # Hazel is not in this term's pack: nothing new in her log.
    assert not AccessEvent.objects.filter(pupil=pupils["hazel"]).exists()
    assert "No one has opened this pupil's file yet." in access_log_page(reader, pupils["hazel"])
    # The school's own entry is still there, once.
    school_entry = AccessEvent.objects.get(action=Action.DOWNLOAD, pupil=None)
    assert (school_entry.user, school_entry.school) == (head, school)
    assert school_entry.what == f"Termly review pack (staff), {autumn}"
    assert access_log.verify().intact


def test_a_governors_pack_download_is_in_no_pupils_access_log(
    client_for, school, autumn, pupils, head
):
    document = made_pack(school, autumn, head, "governors")
    assert not document.pupils.exists()

    download(client_for(head), document)

    assert not AccessEvent.objects.filter(pupil__isnull=False).exists()
    event = AccessEvent.objects.get(action=Action.DOWNLOAD)
    assert (event.user, event.school, event.pupil) == (head, school, None)
    assert access_log.verify().intact


@pytest.mark.parametrize("audience", ["staff", "governors"])
def test_the_command_notes_a_staff_packs_print_for_each_pupil_it_names(
    school, autumn, pupils, head, tmp_path, audience
):
    call_command(
        "print_review_pack",
        *("--term", "autumn-2026", "--audience", audience),
        *("--output", str(tmp_path / "pack.pdf"), "--user", "head"),
        stdout=io.StringIO(),
    )
    named = AccessEvent.objects.filter(pupil__isnull=False)
    if audience == "staff":
        assert {e.pupil for e in named} == {pupils["robin"], pupils["skylar"]}
        what = f"Termly review pack (staff), {autumn}, which names this pupil"
        assert {(e.user, e.action, e.what) for e in named} == {(head, Action.PRINT, what)}
    else:
        assert not named.exists()
    assert AccessEvent.objects.filter(action=Action.PRINT, pupil=None, user=head).count() == 1
    assert access_log.verify().intact


def test_a_download_costs_one_insert_per_named_pupil_and_no_more(
    client_for, school, autumn, head, generated_dir
):
    client = client_for(head)
    few = ready_pack(
        school, autumn, head, generated_dir, named=PupilFactory.create_batch(2, school=school)
    )
    many = ready_pack(
        school, autumn, head, generated_dir, named=PupilFactory.create_batch(60, school=school)
    )
    download(client, few)  # the session settles: later requests cost the same

    def queries(document):
        with CaptureQueriesContext(connection) as ctx:
            download(client, document)
        return ctx.captured_queries

    small, large = queries(few), queries(many)
    assert len(large) - len(small) == 58
    inserts = [q for q in large if q["sql"].startswith("INSERT")]
    assert len(inserts) == 61  # the school's entry and one per pupil
    assert AccessEvent.objects.filter(pupil__isnull=False).count() == 2 * 2 + 60
    assert access_log.verify().intact


def test_staff_packs_made_before_the_change_are_withdrawn_and_governors_packs_kept(
    client_for, school, autumn, pupils, head
):
    """A staff pack made without its list of pupils could leave their access logs silent:
    the migration that adds the list withdraws such packs, to be asked for again."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("reviews.migrations.0004_generateddocument_pupils")
    staff = made_pack(school, autumn, head, "staff")
    governors = made_pack(school, autumn, head, "governors")
    staff.pupils.clear()  # as a pack made before the list was kept

    migration.withdraw_staff_packs(apps, None)

    staff.refresh_from_db()
    governors.refresh_from_db()
    assert staff.file_name == "" and governors.file_name != ""
    page = client_for(head).get(reverse("review_packs")).content.decode()
    assert "Removed" in page and "ask again" in page
    response = client_for(head).get(reverse("review_pack_download", args=[staff.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("dated", ["today", "yesterday"])
def test_a_pack_that_names_a_pupil_anonymised_while_it_was_made_is_withdrawn(
    school,
    autumn,
    pupils,
    head,
    generated_dir,
    monkeypatch,
    django_capture_on_commit_callbacks,
    dated,
):
    # Robin's records are anonymised after the pack read his name, before it was ready; the
    # anonymising may carry the date its run began, before midnight.
    on = timezone.localdate() - dt.timedelta(days=dated == "yesterday")
    rendered = tasks.render_review_pack

    def render_then_anonymise(*args, **kwargs):
        data = rendered(*args, **kwargs)
        retention.anonymise_pupil(pupils["robin"], today=on)
        return data

    monkeypatch.setattr(tasks, "render_review_pack", render_then_anonymise)
    document = asked_pack(school, autumn, head)
    with django_capture_on_commit_callbacks(execute=True):
        make_review_pack.call(document.pk)

    document.refresh_from_db()
    assert (document.status, document.file_name) == ("ready", "")
    assert document.error == tasks.NAMES_ANONYMISED
    assert list(generated_dir.iterdir()) == []
    assert set(document.pupils.all()) == {pupils["robin"], pupils["skylar"]}
    # The task withdrew it, not the head who asked for it.
    assert document.history.first().history_user is None


def test_a_pack_asked_for_after_a_pupil_was_anonymised_that_day_is_kept(
    school, autumn, pupils, head, generated_dir
):
    retention.anonymise_pupil(pupils["robin"])

    document = made_pack(school, autumn, head, "staff")

    assert document.file_name and not document.error
    assert (generated_dir / document.file_name).exists()
    assert pupils["robin"] in document.pupils.all()
