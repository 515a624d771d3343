"""Mentors' training records: the rules for recording them, and which renewals are due."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import permissions
from .audit import save_as
from .models import Role, TrainingRecord, User

# A renewal falling due within this many days is shown as due soon.
DUE_SOON_DAYS = 30


def school_mentors(school):
    """The people a training record may be for: the school's mentors."""
    return (
        User.objects.filter(memberships__school=school, memberships__roles__role=Role.MENTOR)
        .distinct()
        .order_by("last_name", "first_name")
    )


@dataclass
class Renewal:
    record: TrainingRecord
    overdue: bool

    @property
    def status(self):
        return "Overdue" if self.overdue else "Due soon"


def _course_key(record):
    return (record.mentor_id, " ".join(record.course.lower().split()))


def latest_records(records):
    """The newest record of each course for each mentor: a later one renews the earlier."""
    latest = {}
    for record in records:
        key = _course_key(record)
        if key not in latest or (record.completed_on, record.pk) > (
            latest[key].completed_on,
            latest[key].pk,
        ):
            latest[key] = record
    return list(latest.values())


def renewals_due(records, today=None, within=DUE_SOON_DAYS):
    """Renewals overdue, or due within ``within`` days, of the latest record of each course;
    the most pressing first."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=within)
    due = [
        Renewal(record, overdue=record.renewal_due_on < today)
        for record in latest_records(records)
        if record.renewal_due_on and record.renewal_due_on <= horizon
    ]
    return sorted(due, key=lambda r: (r.record.renewal_due_on, r.record.mentor.last_name))


def records_for(user):
    """Training records the user may read, newest first, with their mentors (one query)."""
    return (
        permissions.visible_training_records(user)
        .select_related("mentor", "school")
        .order_by("mentor__last_name", "mentor__first_name", "-completed_on", "-pk")
    )


def training_record_save(*, record, user):
    """Record (or correct) a course a mentor completed."""
    if not permissions.can_record_training(user, school=record.school_id):
        raise PermissionDenied
    with transaction.atomic():
        if not school_mentors(record.school_id).filter(pk=record.mentor_id).exists():
            raise ValidationError({"mentor": "Choose a mentor of this school."})
        if record.completed_on and record.completed_on > timezone.localdate():
            raise ValidationError({"completed_on": "The course cannot be completed in the future."})
        if (
            record.renewal_due_on
            and record.completed_on
            and record.renewal_due_on <= record.completed_on
        ):
            raise ValidationError(
                {"renewal_due_on": "The renewal must fall after the course was completed."}
            )
        record.course = " ".join(record.course.split())
        if record.pk is None:
            record.recorded_by = user
        record.full_clean()
        save_as(record, user)
    return record
