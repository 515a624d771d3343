"""Import the pupil roster from a CSV file: ``manage.py import_pupils roster.csv``.

A thin wrapper around ``mentoring.roster.import_pupils``: the same checks and the same
all-or-nothing import as the office's import page.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mentoring import roster
from mentoring.models import School, User


class Command(BaseCommand):
    help = "Import pupils from a roster CSV file; nothing is imported if any row is bad."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The roster as a UTF-8 CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; change nothing."
        )
        parser.add_argument(
            "--school", help="Name or id of the school; needed when there are several."
        )
        parser.add_argument(
            "--user", help="Username recorded in the pupils' history (default: System)."
        )

    def handle(self, *args, file, dry_run, school, user, **options):
        school = self.get_school(school)
        user = self.get_user(user)
        try:
            with file.open("rb") as f:
                # One byte over the limit is enough for the import to refuse the file.
                data = f.read(settings.ROSTER_IMPORT_MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc

        result = roster.import_pupils(school=school, data=data, user=user, dry_run=dry_run)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{school}: {result.summary}")
        self.stdout.write(self.style.SUCCESS(f"{school}: {result.summary}"))
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")

    def get_school(self, name_or_id):
        schools = list(School.objects.order_by("name"))
        listing = "\n".join(f"  {s.pk}: {s.name}" for s in schools)
        if name_or_id is None:
            if len(schools) == 1:
                return schools[0]
            if not schools:
                raise CommandError("There are no schools yet: add the school first.")
            raise CommandError(
                f"There are {len(schools)} schools; choose one with --school NAME_OR_ID:\n{listing}"
            )
        wanted = name_or_id.strip()
        by_name = [s for s in schools if s.name.lower() == wanted.lower()]
        by_id = [s for s in schools if str(s.pk) == wanted]
        if by_name or by_id:
            return (by_name + by_id)[0]
        raise CommandError(f"There is no school {wanted!r}. The schools are:\n{listing}")

    def get_user(self, username):
        if username is None:
            return None
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
