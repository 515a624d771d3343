"""The DSL's email for a safeguarding flag: a link, never the child or the note."""

from django.urls import reverse

from mentoring.models import Role, User
from mentoring.notify import send_link_email


def safeguarding_concern(record):
    dsls = User.objects.filter(
        is_active=True,
        memberships__school=record.case.school_id,
        memberships__roles__role=Role.DSL,
    ).values_list("email", flat=True)
    send_link_email(
        "Mentoring: a safeguarding concern to look at",
        reverse("safeguarding_alerts"),
        ["A mentor has flagged a safeguarding concern in a session record."],
        dsls,
    )
