"""The resources library: the coordinator and mentors share documents, images and links;
an upload is refused, with a clear message by its field and nothing kept, when its type is
not allowed (by its name or its content) or it is too big; files are only ever sent through
a view that checks who is asking, as an attachment the browser may not second-guess."""

import datetime as dt
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import Resource, Role

from ..clock import freeze_today
from ..factories import staff

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def png():
    """A real one-pixel PNG, made here."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def today(monkeypatch):
    return freeze_today(monkeypatch, TODAY)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def add(client, upload=None, **fields):
    data = {"title": "Feelings faces", "kind": "activity", "description": "A warm-up."}
    data.update(fields)
    if upload is not None:
        data["upload"] = upload
    return client.post(reverse("resource_create"), data)


def refused(page, message):
    assert page.status_code == 200
    assert message in page.context["form"].errors["upload"][0]
    text = page.content.decode()
    # By the file field, in its own error, not only at the top of the page.
    field_at = text.index('id="id_upload"')
    assert message.split(".")[0].replace("'", "&#x27;") in text[field_at : field_at + 1500]


def test_a_mentor_uploads_a_pdf_that_the_coordinator_then_downloads(
    client_for, mentor, coordinator, media
):
    page = add(client_for(mentor), SimpleUploadedFile("Calm corner guide.pdf", PDF))
    assert page.status_code == 302
    resource = Resource.objects.get()
    assert (resource.file_name, resource.content_type, resource.size) == (
        "Calm_corner_guide.pdf",
        "application/pdf",
        len(PDF),
    )
    assert resource.history.get().history_user == mentor
    # Kept under a name made here, in the school's folder of the media root.
    [kept] = stored_files(media)
    assert kept.parent == media / "resources" / str(resource.school_id)
    assert kept.suffix == ".pdf" and "Calm" not in kept.name

    download = client_for(coordinator).get(reverse("resource_download", args=[resource.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="Calm_corner_guide.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"


def test_an_image_and_plain_text_are_accepted(client_for, mentor):
    client = client_for(mentor)
    assert add(client, SimpleUploadedFile("faces.png", png()), title="Faces").status_code == 302
    text = SimpleUploadedFile("warm-up.txt", "Pick a face – any face.\n".encode())
    assert add(client, text, title="Warm-up").status_code == 302
    assert Resource.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 60, "Files of this kind cannot be added."),
        ("page.html", b"<html><body>Hi</body></html>", "Files of this kind cannot be added."),
        ("report.pdf", b"<html><script>alert(1)</script></html>", "its content is not a PDF"),
        ("photo.png", b"MZ\x90\x00\x03" + b"\x00" * 60, "its content is not a PNG"),
        ("notes.txt", b"<script>alert(1)</script>", "is not plain text"),
        ("notes.txt", b"\x00\x01binary", "is not plain text"),
        ("empty.pdf", b"", "file is empty."),
    ],
)
def test_a_disallowed_file_is_refused_by_its_field_and_nothing_is_kept(
    client_for, mentor, media, name, content, message
):
    page = add(client_for(mentor), SimpleUploadedFile(name, content))
    refused(page, message)
    assert not Resource.objects.exists() and not Resource.history.exists()
    assert stored_files(media) == []


def test_a_file_over_the_limit_is_refused_with_the_sizes(client_for, mentor, media, settings):
    settings.RESOURCE_UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024))
    page = add(client_for(mentor), big)
    refused(page, "files up to 1.0\xa0MB can be added")
    assert not Resource.objects.exists() and stored_files(media) == []


def test_a_link_is_kept_and_only_a_web_address_is_accepted(client_for, mentor):
    client = client_for(mentor)
    for bad in ("javascript:alert(1)", "ftp://files.example.org/a.pdf", "file:///etc/passwd"):
        page = add(client, link=bad)
        assert "Give a web address starting https:// or http://." in page.content.decode()
    assert not Resource.objects.exists()
    assert add(client, link="https://games.example.org/feelings").status_code == 302
    listed = client.get(reverse("resource_list")).content.decode()
    assert 'href="https://games.example.org/feelings" rel="noopener noreferrer external"' in listed


def test_a_file_and_a_link_together_or_neither_are_refused(client_for, mentor, media):
    client = client_for(mentor)
    both = add(client, SimpleUploadedFile("a.pdf", PDF), link="https://example.org/a")
    assert "Add a file or a link, not both." in both.content.decode()
    neither = add(client)
    assert "Choose a file to upload, or give a link." in neither.content.decode()
    assert not Resource.objects.exists() and stored_files(media) == []


def _resource(client_for, mentor):
    add(client_for(mentor), SimpleUploadedFile("guide.pdf", PDF))
    return Resource.objects.get()


def test_the_file_is_only_sent_to_the_schools_coordinator_and_mentors(
    client_for, mentor, other_mentor, head, office, other_school
):
    resource = _resource(client_for, mentor)
    url = reverse("resource_download", args=[resource.pk])
    assert client_for(other_mentor).get(url).status_code == 200
    elsewhere = staff(other_school, Role.COORDINATOR, Role.MENTOR, username="elsewhere")
    for outsider in (head, office, elsewhere):
        assert client_for(outsider).get(url).status_code == 404
    # No public address: the media root is not served.
    assert client_for(mentor).get("/media/" + resource.file.name).status_code == 404


def test_a_link_has_nothing_to_download(client_for, mentor):
    add(client_for(mentor), link="https://example.org/guide")
    resource = Resource.objects.get()
    url = reverse("resource_download", args=[resource.pk])
    assert client_for(mentor).get(url).status_code == 404


def test_mentors_cannot_change_or_remove_a_resource(client_for, mentor, other_mentor):
    resource = _resource(client_for, mentor)
    client = client_for(other_mentor)
    assert client.get(reverse("resource_edit", args=[resource.pk])).status_code == 403
    assert client.post(reverse("resource_remove", args=[resource.pk])).status_code == 403
    assert Resource.objects.filter(pk=resource.pk).exists()


def test_the_coordinator_edits_then_removes_a_resource_and_its_file(
    client_for, mentor, coordinator, media
):
    resource = _resource(client_for, mentor)
    client = client_for(coordinator)
    edit = reverse("resource_edit", args=[resource.pk])
    client.get(edit)
    saved = client.post(edit, {"title": "Calm corner", "kind": "guidance", "description": ""})
    assert saved.status_code == 302
    resource.refresh_from_db()
    assert resource.title == "Calm corner" and resource.history.first().history_user == coordinator

    with_commit = client.post(reverse("resource_remove", args=[resource.pk]))
    assert with_commit.status_code == 302
    assert not Resource.objects.exists()
    removed = Resource.history.filter(history_type="-").get()
    assert removed.history_user == coordinator and removed.title == "Calm corner"


def test_removing_deletes_the_stored_file(
    client_for, mentor, coordinator, media, django_capture_on_commit_callbacks
):
    resource = _resource(client_for, mentor)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(reverse("resource_remove", args=[resource.pk]))
    assert stored_files(media) == []


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("resource_list")).status_code == 200
    return len(queries)


def test_the_library_makes_as_many_queries_for_many_resources_as_for_few(
    client_for, mentor, other_mentor, school
):
    client = client_for(mentor)
    Resource.objects.create(
        school=school, title="A", kind="book", link="https://example.org/a", added_by=mentor
    )
    few = _queries(client)
    for n in range(12):
        Resource.objects.create(
            school=school,
            title=f"B{n}",
            kind="game",
            link=f"https://example.org/{n}",
            added_by=other_mentor if n % 2 else mentor,
        )
    assert _queries(client) == few


def test_a_links_address_cannot_be_emptied_nor_a_file_given_a_link(client_for, mentor, coordinator):
    client = client_for(mentor)
    add(client, link="https://example.org/guide", title="Guide")
    add(client, SimpleUploadedFile("sheet.pdf", PDF), title="Sheet")
    link, sheet = Resource.objects.get(title="Guide"), Resource.objects.get(title="Sheet")
    editor = client_for(coordinator)
    emptied = editor.post(
        reverse("resource_edit", args=[link.pk]), {"title": "Guide", "kind": "guidance"}
    )
    assert "Give the link: this resource has no file." in emptied.content.decode()
    linked = editor.post(
        reverse("resource_edit", args=[sheet.pk]),
        {"title": "Sheet", "kind": "worksheet", "link": "https://example.org/sheet"},
    )
    assert "This resource is a file: it cannot have a link too." in linked.content.decode()
    link.refresh_from_db()
    sheet.refresh_from_db()
    assert (link.link, sheet.link) == ("https://example.org/guide", "")
