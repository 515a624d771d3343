"""The governors' review of the school's mentoring policy: when it is next due."""

import datetime as dt
from calendar import monthrange

from django.utils import timezone

# The head is told this many days before the review falls due, and after.
NOTICE_DAYS = 60


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


def policy_review_due_on(school):
    if school.policy_adopted_on is None:
        return None
    return add_months(school.policy_adopted_on, school.policy_review_months)


def policy_review_notice(school, today=None):
    """(due date, overdue?) when the review is due within NOTICE_DAYS or overdue, else None."""
    today = today or timezone.localdate()
    due = policy_review_due_on(school)
    if due is None or due > today + dt.timedelta(days=NOTICE_DAYS):
        return None
    return due, due < today
