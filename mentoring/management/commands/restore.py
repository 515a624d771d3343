"""Restore a backup made by ``manage.py backup``: ``manage.py restore FILE [--replace]``.

The file is checked from end to end before the database is touched; then everything in the
database is replaced by the file's contents inside one transaction. A database that already
holds data is only replaced with --replace.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mentoring.backup import BackupError, read_backup, restore_backup


class Command(BaseCommand):
    help = "Replace the database's contents with a backup file, after checking the file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A file written by manage.py backup.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace a database that already holds data (everything in it is lost).",
        )

    def handle(self, *args, file, replace, **options):
        file = Path(file)
        try:
            backup = read_backup(file)
            self.stdout.write(
                f"{file} is whole: {backup.total} rows, made {backup.header['created_at']} "
                f"by version {backup.header['app_version']} on {backup.header['database']}."
            )
            counts = restore_backup(backup, replace=replace)
        except BackupError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}. Nothing was changed.") from exc
        width = max(len(label) for label in counts)
        for label, count in counts.items():
            if count:
                self.stdout.write(f"  {label:<{width}}  {count:>7}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(counts.values())} rows into {len(counts)} tables. "
                "Everyone has been signed out."
            )
        )
