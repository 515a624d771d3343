"""The resources library: what may be uploaded, and the rules for adding, changing and
removing a resource.

An upload is accepted only when its name's extension is one of ``ALLOWED`` and its content
is of that same kind: a file's first bytes say what it really is (the ``filetype`` package
reads them), so a program or a web page renamed ``.pdf`` is refused. Plain text has no such
signature; it must be UTF-8 text that is not markup. The stored file gets a name made here,
never the uploaded one, which is kept only to offer the download under it.
"""

import uuid
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename

from . import permissions
from .audit import save_as

# extension -> (the kind filetype reads from the content, the content type sent back)
ALLOWED = {
    "pdf": ("pdf", "application/pdf"),
    "doc": ("doc", "application/msword"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ods": ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    "pptx": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "odp": ("odp", "application/vnd.oasis.opendocument.presentation"),
    "rtf": ("rtf", "application/rtf"),
    "png": ("png", "image/png"),
    "jpg": ("jpg", "image/jpeg"),
    "jpeg": ("jpg", "image/jpeg"),
    "gif": ("gif", "image/gif"),
    "webp": ("webp", "image/webp"),
    "txt": (None, "text/plain; charset=utf-8"),
}
ALLOWED_NAMES = "PDF, Word (DOC, DOCX), OpenDocument (ODT, ODS, ODP), Excel (XLSX), PowerPoint (PPTX), RTF, plain text (TXT) and images (PNG, JPEG, GIF, WEBP)"  # noqa: E501
# Bytes read to tell what a file is: enough for every signature filetype knows.
SNIFF_BYTES = 8192
MARKUP_STARTS = (b"<", b"\xef\xbb\xbf<")


@dataclass
class CheckedUpload:
    extension: str
    content_type: str
    original_name: str


def max_upload_bytes():
    return settings.RESOURCE_UPLOAD_MAX_BYTES


def check_upload(upload):
    """What the upload is, or ValidationError saying why it is refused."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in ALLOWED:
        raise ValidationError(
            f"Files of this kind cannot be added. Add a document or an image: {ALLOWED_NAMES}."
        )
    if upload.size == 0:
        raise ValidationError("The file is empty.")
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; files up to {filesizeformat(limit)} "
            "can be added. Make it smaller, or add a link to where it is kept."
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    expected, content_type = ALLOWED[extension]
    if expected is None:
        if not _plain_text(upload, head):
            raise ValidationError(
                "This file is named .txt but is not plain text. Add it in its own format."
            )
    else:
        found = filetype.guess(head)
        if found is None or found.extension != expected:
            raise ValidationError(
                f"This file is named .{extension} but its content is not a {extension.upper()} "
                "file. It may be damaged or another kind of file renamed; it was not added."
            )
    clean_name = get_valid_filename(name) or f"resource.{extension}"
    return CheckedUpload(extension, content_type, clean_name[:200])


def _plain_text(upload, head):
    if b"\x00" in head or head.lstrip().lower().startswith(MARKUP_STARTS):
        return False
    upload.seek(0)
    try:
        upload.read().decode("utf-8")
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def _store(resource, upload, checked):
    resource.file.save(
        f"{resource.school_id}/{uuid.uuid4().hex}.{checked.extension}", upload, save=False
    )
    resource.file_name = checked.original_name
    resource.content_type = checked.content_type
    resource.size = upload.size


def _either_file_or_link(resource, has_file):
    if has_file and resource.link:
        raise ValidationError({"link": "Add a file or a link, not both."})
    if not has_file and not resource.link:
        raise ValidationError({"upload": "Choose a file to upload, or give a link."})


def resource_add(*, resource, user, upload=None):
    """Add a resource to the school's library: an uploaded file, or a link."""
    if not permissions.can_add_resource(user, school=resource.school_id):
        raise PermissionDenied
    _either_file_or_link(resource, upload is not None)
    checked = None
    if upload is not None:
        try:
            checked = check_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"upload": exc.messages}) from exc
    resource.added_by = user
    resource.full_clean(exclude=["file"])
    with transaction.atomic():
        if checked:
            _store(resource, upload, checked)
        try:
            save_as(resource, user)
        except Exception:
            # The file just stored goes too: nothing is left of a refused resource.
            if checked:
                resource.file.delete(save=False)
            raise
    return resource


def resource_update(*, resource, user):
    """Change a resource's description (or its link); the file itself is not replaced."""
    if not permissions.can_manage_resource(user, resource):
        raise PermissionDenied
    if resource.file and resource.link:
        raise ValidationError({"link": "This resource is a file: it cannot have a link too."})
    if not resource.file and not resource.link:
        raise ValidationError({"link": "Give the link: this resource has no file."})
    resource.full_clean(exclude=["file"])
    save_as(resource, user, reason="Edited")
    return resource


def resource_remove(*, resource, user):
    """Remove a resource and its file; the history keeps what it was and who removed it."""
    if not permissions.can_manage_resource(user, resource):
        raise PermissionDenied
    stored = resource.file.name if resource.file else ""
    storage = resource.file.storage
    resource._history_user = user
    resource._change_reason = "Removed"
    with transaction.atomic():
        resource.delete()
        if stored:
            transaction.on_commit(lambda: storage.delete(stored))
