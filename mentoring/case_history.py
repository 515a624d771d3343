"""A case's history page: the changes to the case and to what is kept with it (its slot, the
allocation, one-off moves of its sessions, consent letters and answers), in one timeline.

Session records and the referral are not here: a record may be restricted (safeguarding),
and each has its own history where the rules for reading it are applied.
"""

from django.utils import timezone

from referrals.models import ConsentLetter, ConsentRecord
from sessions.models import Allocation, SessionMove, Slot

from . import audit


def case_entries(case):
    """The case's history entries, newest first, each saying who, what, when and why."""
    slot_ids = list(Allocation.objects.filter(case=case).values_list("slot_id", flat=True))
    return audit.timeline(
        audit.entries_for(case.history.all(), lambda r: "the case"),
        audit.entries_for(
            Allocation.history.filter(case_id=case.pk), lambda r: "the allocation to a slot"
        ),
        audit.entries_for(
            Slot.history.filter(id__in=slot_ids),
            lambda r: f"the slot ({r.get_weekday_display()}s)",
        ),
        audit.entries_for(SessionMove.history.filter(slot_id__in=slot_ids), _moved_session),
        audit.entries_for(
            ConsentLetter.history.filter(case_id=case.pk),
            lambda r: f"the consent letter of {r.sent_on:%-d %B %Y}",
        ),
        audit.entries_for(
            ConsentRecord.history.filter(case_id=case.pk), lambda r: "the parental consent"
        ),
    )


def _moved_session(record):
    """A move in words: where the week's session went, and why (the move's own fields)."""
    moved_to = timezone.localtime(record.moved_to)
    return (
        f"the session of {record.original_date:%-d %B %Y}, moved to "
        f"{moved_to:%A} {moved_to.day} {moved_to:%B %H:%M} ({record.reason})"
    )
