"""Back up the whole database to one file: ``manage.py backup --output FILE``.

A thin wrapper around ``mentoring.backup.write_backup``; ``manage.py restore FILE`` reads it
back, into SQLite or PostgreSQL whichever made it.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mentoring.backup import BackupError, write_backup


class Command(BaseCommand):
    help = "Back up every table (history and access log included) to one gzip'd JSON file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", type=Path, required=True, help="The backup file to write."
        )

    def handle(self, *args, output, **options):
        output = Path(output)
        try:
            backup = write_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        if options["verbosity"] > 1:
            for label, count in backup.counts.items():
                self.stdout.write(f"  {label}: {count}")
        size = output.stat().st_size / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {backup.total} rows from {len(backup.counts)} tables to {output} "
                f"({size:.0f} KB)."
            )
        )
