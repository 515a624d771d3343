"""Remove generated documents (review packs) older than GENERATED_KEEP_DAYS:

    manage.py prune_generated_documents [--dry-run]

Run it daily (cron or a systemd timer). A removed document keeps its row, so the list of
packs still says who asked for what and when, marked "Removed"; only the file goes. A pack
still waiting or being made after that long (a worker stopped mid-way) is marked failed.
Files in GENERATED_DIR that no row refers to are removed once they are as old.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from mentoring.audit import save_as
from reviews.models import GeneratedDocument
from reviews.tasks import remove_file

Status = GeneratedDocument.Status


class Command(BaseCommand):
    help = (
        "Remove generated documents (review packs) older than GENERATED_KEEP_DAYS "
        f"(now {settings.GENERATED_KEEP_DAYS} days), marking their rows as removed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed; remove nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        days = settings.GENERATED_KEEP_DAYS
        now = timezone.now()
        cutoff = now - timedelta(days=days)
        old = GeneratedDocument.objects.annotate(
            made_at=Coalesce("finished_at", "requested_at")
        ).filter(made_at__lt=cutoff)
        removed = stuck = 0
        for document in old.filter(status=Status.READY).exclude(file_name="").order_by("pk"):
            removed += 1
            if dry_run:
                continue
            remove_file(document.file_name)
            document.file_name = ""
            document.error = f"Removed after {days} days."
            save_as(document, None, f"File removed after {days} days")
        for document in old.filter(status__in=(Status.WAITING, Status.RUNNING)).order_by("pk"):
            stuck += 1
            if dry_run:
                continue
            document.status = Status.FAILED
            document.error = f"Not finished within {days} days."
            document.finished_at = now
            save_as(document, None, "Never finished")
        orphans = self._orphans(cutoff, dry_run)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(
            f"{verb} {removed} document{'s' if removed != 1 else ''} older than {days} days"
            f", {orphans} stray file{'s' if orphans != 1 else ''}"
            f"; {stuck} unfinished marked failed."
        )

    def _orphans(self, cutoff, dry_run):
        """Files (and half-written ".part" files) no row refers to, older than the cut-off."""
        folder = Path(settings.GENERATED_DIR)
        if not folder.is_dir():
            return 0
        known = set(
            GeneratedDocument.objects.exclude(
                Q(file_name="") | Q(status=Status.FAILED)
            ).values_list("file_name", flat=True)
        )
        count = 0
        for path in folder.iterdir():
            if not path.is_file() or path.name in known:
                continue
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            if modified >= cutoff:
                continue
            count += 1
            if not dry_run:
                path.unlink(missing_ok=True)
        return count
