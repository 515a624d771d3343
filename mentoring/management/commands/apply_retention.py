"""Apply the schools' retention schedule: ``manage.py apply_retention [--dry-run]``.

Lists the pupils whose records are due (``mentoring.retention.pupils_due``) and, without
--dry-run, anonymises them. Run it from cron, say monthly; running it again changes nothing
that is already done. The output names no child: school, case, initials and review date.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mentoring import retention
from mentoring.models import School, User


class Command(BaseCommand):
    help = "List the pupils due under the retention schedule and anonymise their records."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what is due and note the listing in the access log; change nothing.",
        )
        parser.add_argument("--school", help="Name or id of one school (default: every school).")
        parser.add_argument(
            "--user", help="Username recorded in the history and the access log (default: none)."
        )

    def handle(self, *args, dry_run, school, user, **options):
        user = self.get_user(user)
        schools = None if school is None else [self.get_school(school)]
        today = timezone.localdate()
        due = retention.pupils_due(today=today, schools=schools)
        if not due:
            self.stdout.write(self.style.SUCCESS("No pupil's records are due for review."))
            return
        whose = f"{len(due)} pupil's" if len(due) == 1 else f"{len(due)} pupils'"
        self.stdout.write(f"{whose} records due for review on {today:%d/%m/%Y}:")
        for item in due:
            self.describe(item)
            if dry_run:
                retention.record_listed(item, user=user)
            else:
                retention.anonymise_pupil(item.pupil, user=user, today=today)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. Run without --dry-run to anonymise.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Anonymised {whose} records."))

    def describe(self, item):
        # Initials only: the output may end up in a cron email or a log file.
        pupil = item.pupil
        for case, date in item.cases or [(None, item.review_date)]:
            reference = case.reference if case else "no case"
            self.stdout.write(
                f"  {pupil.school}  {reference:<8}  {pupil.initials:<2}  "
                f"review date {date:%d/%m/%Y}"
            )

    def get_school(self, name_or_id):
        lookup = {"pk": int(name_or_id)} if name_or_id.isdecimal() else {"name": name_or_id}
        try:
            return School.objects.get(**lookup)
        except School.DoesNotExist:
            raise CommandError(f"There is no school {name_or_id!r}.") from None

    def get_user(self, username):
        if username is None:
            return None
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"There is no active user {username!r}.") from None
