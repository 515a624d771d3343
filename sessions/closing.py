"""A closed case gives up its place in its slot, whichever app closed it (the coordinator,
or a parent refusing consent): the mentor's time and the room are free again that day."""

from django.db.models import Exists, OuterRef
from django.dispatch import receiver

from mentoring.audit import save_as
from mentoring.signals import case_closed

from .models import Allocation, Slot


@receiver(case_closed, dispatch_uid="sessions_end_allocations")
def end_allocations(sender, case, user, on, **kwargs):
    """End the case's open allocations on ``on``; a slot left with no pupil stops that day."""
    open_allocations = Allocation.objects.select_for_update().filter(case=case, ended_on=None)
    slot_ids = set()
    for allocation in open_allocations:
        allocation.ended_on = on
        save_as(allocation, user, "Case closed")
        slot_ids.add(allocation.slot_id)
    emptied = (
        Slot.objects.select_for_update()
        .filter(pk__in=slot_ids, block_ends_on__gt=on, ended_on=None)
        .exclude(Exists(Allocation.objects.filter(slot=OuterRef("pk"), ended_on=None)))
    )
    for slot in emptied:
        slot.ended_on = on
        save_as(slot, user, "Stopped: its only pupil's case closed")
