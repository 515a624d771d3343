"""Background work of the reviews app, run by the task worker (``manage.py db_worker``).

A review pack takes seconds to lay out (a page per case), so asking for one
(``request_pack``) only records a GeneratedDocument and enqueues ``make_review_pack``, and
gives up a pack stuck for want of a worker; the worker makes the PDF,
writes it under ``settings.GENERATED_DIR`` and keeps the document's status and progress up
to date for the page that polls it.
"""

import logging
import os
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone
from django_tasks import task

from mentoring.accounts.durations import in_words
from mentoring.audit import save_as
from mentoring.models import Pupil, Term

from .models import GeneratedDocument
from .pack import render_review_pack

logger = logging.getLogger(__name__)

Status = GeneratedDocument.Status
UNFINISHED = (Status.WAITING, Status.RUNNING)
# A pack takes seconds to make; one still unfinished after this long is stuck, most likely
# because the task worker is not running.
STALLED_AFTER = timedelta(minutes=10)
# What the list of packs says of a pack withdrawn because it names an anonymised pupil.
NAMES_ANONYMISED = "It named a pupil whose records have since been anonymised. Ask for it again."


def generated_path(file_name):
    """Where a generated document's file lives: directly under GENERATED_DIR, never above."""
    name = Path(file_name).name
    if not name or name != file_name:
        raise ValueError(f"Not a plain file name: {file_name!r}")
    return Path(settings.GENERATED_DIR) / name


def remove_file(file_name):
    """Remove a generated document's file, if it is there. A name that is not a plain file
    name points at nothing of ours, so there is nothing to remove."""
    try:
        path = generated_path(file_name)
    except ValueError:
        return
    path.unlink(missing_ok=True)


def withdraw(document, user, error, reason):
    """Take a finished document's file away: the file goes once the change is committed (a
    rollback loses no file), and its row says why, so that it is asked for again."""
    # Robust: a file that cannot be removed now is left for prune's sweep of strays.
    transaction.on_commit(partial(remove_file, document.file_name), robust=True)
    document.file_name, document.error = "", error
    save_as(document, user, reason)


def withdraw_naming(pupil, user, reason):
    """Withdraw every stored pack that names the pupil, whose records were just anonymised:
    its file still has the name."""
    packs = GeneratedDocument.objects.filter(pupils=pupil, status=Status.READY).exclude(
        file_name=""
    )
    for document in packs.order_by("pk"):
        withdraw(document, user, NAMES_ANONYMISED, reason)


def _anonymised_since_read(pupils):
    """Whether any of the pupils, as the pack read them, has been anonymised since: the pack
    may have their name in it, and anonymising withdraws only the packs already ready. Their
    rows are locked first (in one order; not against the inserts that point at them), to wait
    for an anonymising under way."""
    read = {pupil.pk: pupil.anonymised_on for pupil in pupils}
    now = Pupil.objects.select_for_update(no_key=True).filter(pk__in=read).order_by("pk")
    return any(
        on is not None and read[pk] is None for pk, on in now.values_list("pk", "anonymised_on")
    )


def pack_file_name(document):
    return f"review-pack-{document.pk}.pdf"


def _write(path, data):
    """Write the whole file or nothing: a half-written pack is never offered for download."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    # Only the owner may read it: a staff pack names pupils.
    descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as f:
        f.write(data)
    os.replace(part, path)


def request_pack(user, term, audience):
    """Record the request and enqueue the work, unless the same pack is already on its way.
    Returns (document, created). Fast: nothing is rendered here."""
    school = term.academic_year.school
    with transaction.atomic():
        # Requests for the term wait for each other, or two at the same moment would both
        # find none on its way and both make the pack.
        list(
            Term.objects.select_for_update(no_key=True)
            .filter(pk=term.pk)
            .order_by()
            .values_list("pk")
        )
        unfinished = GeneratedDocument.objects.select_for_update().filter(
            kind=GeneratedDocument.Kind.REVIEW_PACK,
            school=school,
            term=term,
            audience=audience,
            status__in=UNFINISHED,
        )
        stalled_before = timezone.now() - STALLED_AFTER
        on_its_way = unfinished.filter(requested_at__gte=stalled_before).first()
        if on_its_way is not None:
            return on_its_way, False
        for stuck in unfinished:
            # Given up, so that asking again makes the pack; if its task ever runs, it finds
            # the pack no longer waiting and does nothing.
            stuck.status, stuck.finished_at = Status.REPLACED, timezone.now()
            stuck.error = (
                f"Asked for again, as it was not finished within {in_words(STALLED_AFTER)}."
            )
            save_as(stuck, user, "Given up: asked for again")
        document = GeneratedDocument(
            school=school,
            kind=GeneratedDocument.Kind.REVIEW_PACK,
            term=term,
            audience=audience,
            requested_by=user,
        )
        save_as(document, user, "Requested")
        # Enqueued once the row is committed, so the worker always finds it.
        transaction.on_commit(lambda: make_review_pack.enqueue(document.pk))
    return document, True


@task()
def make_review_pack(document_id):
    """Make the review pack a GeneratedDocument asks for: running, progress, ready or failed."""
    with transaction.atomic():
        document = (
            GeneratedDocument.objects.select_for_update(of=("self",))
            .select_related("school", "term__academic_year", "requested_by")
            .filter(pk=document_id, kind=GeneratedDocument.Kind.REVIEW_PACK)
            .first()
        )
        if document is None or document.status != Status.WAITING:
            # Gone, or already taken by another run of the task: nothing to do.
            return None
        user = document.requested_by
        document.status, document.progress, document.error = Status.RUNNING, 0, ""
        save_as(document, user, "Being made")

    def progress(percent):
        # An update, not a save: no history row per per cent. Best effort: a busy database
        # costs the progress bar one step, never the pack.
        try:
            GeneratedDocument.objects.filter(pk=document.pk).update(progress=min(percent, 99))
        except OperationalError:
            logger.warning("Review pack %s: progress %s%% not saved", document.pk, percent)

    named = []
    try:
        data = render_review_pack(
            document.school, document.term, document.audience, user, progress=progress, named=named
        )
        name = pack_file_name(document)
        _write(generated_path(name), data)
    except Exception as exc:
        logger.exception("Review pack %s failed", document.pk)
        document.status = Status.FAILED
        document.error = f"The pack could not be made ({type(exc).__name__})."[:300]
        document.finished_at = timezone.now()
        save_as(document, user, "Failed")
        raise
    document.status, document.progress = Status.READY, 100
    document.file_name = name
    document.finished_at = timezone.now()
    with transaction.atomic():
        anonymised = _anonymised_since_read(named)
        # Ready only with the pupils it names, so that no download misses their access logs.
        document.pupils.set(named)
        if anonymised:
            withdraw(document, None, NAMES_ANONYMISED, "Names a pupil anonymised meanwhile")
            return None
        save_as(document, user, "Ready")
    return name
