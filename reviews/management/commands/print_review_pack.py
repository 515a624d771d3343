"""Print a termly review pack to a PDF, there and then (no task worker needed):

    manage.py print_review_pack --term autumn-2026 --audience governors --output pack.pdf

The same pack as the review packs page makes, and the print is recorded in the access
record (a staff pack's in the access log of each pupil it names too). Its footer says who
it was made for (--user) and when; without --user, only when. Only a term that has begun
can be printed.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mentoring import permissions
from mentoring.audit import record_access
from mentoring.models import AccessEvent, School, User
from reviews import pack

TERM_HELP = (
    "The term: its id, or its name and the calendar year it starts in (autumn-2026 is the "
    "autumn term of 2026/27, spring-2027 and summer-2027 the next two), or 'current' (the "
    "term containing today, else the latest that has started)."
)


class Command(BaseCommand):
    help = (
        "Print the termly review pack of a term as a PDF: the programme summary and a page "
        "per case, for staff (pupils named) or governors (no pupil named, counts under 5 "
        "hidden)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--term", required=True, metavar="TERM", help=TERM_HELP)
        parser.add_argument(
            "--audience",
            required=True,
            choices=[value for value, _ in pack.AUDIENCES],
            help="staff: names pupils; governors: names none, hides counts under 5.",
        )
        parser.add_argument(
            "--output", "-o", type=Path, required=True, help="The PDF file to write."
        )
        parser.add_argument(
            "--school",
            metavar="NAME",
            help="The school's name; needed only when the database holds several schools.",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Who is printing it: named in its footer and the access record; must be "
            "the school's head or mentoring coordinator.",
        )

    def handle(self, *args, term, audience, output, school, user, **options):
        school = self.get_school(school)
        user = self.get_user(user)
        if user is not None and not permissions.can_print_review_pack(user, school):
            raise CommandError(
                f"{user.username} is not the head or the mentoring coordinator of {school}."
            )
        found = pack.find_term(school, term)
        if found is None:
            raise CommandError(f"{school} has no term {term!r}. {TERM_HELP}")
        if not pack.has_begun(found):
            raise CommandError(pack.not_begun_message(found))
        named = []
        data = pack.render_review_pack(school, found, audience, user, named=named)
        try:
            # Only the owner may read it: a staff pack names pupils.
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as f:
                f.write(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        record_access(
            None,
            AccessEvent.Action.PRINT,
            f"Termly review pack ({pack.AUDIENCE_NAMES[audience]}), {found}",
            school=school,
            user=user,
            naming=named,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"The {pack.PACK_NAMES[audience]} for {found} ({school}) written to "
                f"{output} ({len(data) / 1024:.0f} KB)."
            )
        )

    def get_school(self, name):
        schools = School.objects.all()
        if name:
            found = schools.filter(name__iexact=name.strip()).first()
            if found is None:
                raise CommandError(f"There is no school called {name!r}.")
            return found
        if schools.count() != 1:
            raise CommandError("Say which school with --school NAME.")
        return schools.get()

    def get_user(self, username):
        if username is None:
            return None
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"There is no active user {username!r}.") from None
