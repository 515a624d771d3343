"""Print a case file to a PDF: ``manage.py print_case_file 12 --output file.pdf``.

The same file as the case page's "Print the case file (PDF)", and the print is recorded in
the same way. Without --user no one is named: the footer says "command line" and, as the
file is not printed by the designated safeguarding lead, restricted notes are not printed.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mentoring import permissions
from mentoring.audit import record_access
from mentoring.models import AccessEvent, Case, User
from reviews.casefile import render_case_file


def case_id(value):
    """12, 00012 or C00012, as the case page shows it."""
    digits = value.strip().upper().removeprefix("C")
    if not digits.isdecimal():
        raise ValueError(value)
    return int(digits)


class Command(BaseCommand):
    help = "Print the case file of one case (every section of the policy's list) as a PDF."

    def add_arguments(self, parser):
        parser.add_argument("case", type=case_id, metavar="CASE_ID", help="12 or C00012.")
        parser.add_argument(
            "--output", "-o", type=Path, required=True, help="The PDF file to write."
        )
        parser.add_argument(
            "--user",
            help="Username printing the file: named in its footer and the access record, "
            "and it must be someone who may open the case.",
        )

    def handle(self, *args, case, output, user, **options):
        user = self.get_user(user)
        try:
            case = Case.objects.select_related("school", "pupil").get(pk=case)
        except Case.DoesNotExist:
            raise CommandError(f"There is no case {case}.") from None
        if user is not None and not permissions.can_view_case(user, case):
            raise CommandError(f"{user.username} may not open case {case.reference}.")
        data = render_case_file(case, user)
        try:
            # Only the owner may read it: it is a child's confidential file.
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as f:
                f.write(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        record_access(
            None,
            AccessEvent.Action.PRINT,
            f"Case file {case.reference}",
            school=case.school,
            pupil=case.pupil,
            user=user,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Case file {case.reference} written to {output} ({len(data) / 1024:.0f} KB)."
            )
        )

    def get_user(self, username):
        if username is None:
            return None
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"There is no active user {username!r}.") from None
