"""Check that no access log entry has been changed or removed: ``manage.py verify_access_log``.

Exits with status 0 and "N entries, chain intact" when every digest fits; otherwise names the
first entry that does not, and exits with a non-zero status (for cron or monitoring).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mentoring import access_log


def _entries(n):
    return f"{n} {'entry' if n == 1 else 'entries'}"


def _when(event):
    return f"{timezone.localtime(event.at):%-d %b %Y %H:%M:%S}"


class Command(BaseCommand):
    help = "Check the access log's chain of digests; name the first entry that does not fit."

    def handle(self, *args, **options):
        verdict = access_log.verify()
        if not verdict.intact:
            bad = verdict.broken
            message = (
                f"The access log is broken at entry #{bad.pk} ({_when(bad)}: {bad.sentence()}): "
                "it was changed, or an entry before it was removed or added. "
                f"{_entries(verdict.count).capitalize()} before it fit the chain."
            )
            if verdict.missing:
                first, last = verdict.missing
                numbers = f"#{first}" if first == last else f"#{first} to #{last}"
                message += f" No entry numbered {numbers} is left."
            raise CommandError(message)
        summary = f"{_entries(verdict.count)}, chain intact."
        if verdict.newest is not None:
            newest = verdict.newest
            # Removing the newest entries leaves a chain that fits: compare this with last time.
            summary += f" Newest: #{newest.pk} at {_when(newest)}, digest {newest.digest}."
        self.stdout.write(self.style.SUCCESS(summary))
