"""Two heads asking for the same pack at the same moment: one pack is made, not two."""

import time
from functools import partial

import pytest
from django.db import connection

from mentoring.models import Role
from reviews import tasks
from reviews.models import GeneratedDocument

from ..factories import TermFactory, staff
from ..together import at_the_same_moment

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: this test holds two real connections open at once; the "
        "SQLite run of the suite uses an in-memory database shared between threads",
    ),
]


def test_the_same_pack_asked_for_twice_at_once_is_made_once(school, head, monkeypatch):
    term = TermFactory(academic_year__school=school)
    deputy = staff(school, Role.HEAD, username="head2", first_name="Dora")
    # Each request pauses as it records the pack, so that without a lock both would have
    # found none on its way.
    recorded = tasks.save_as

    def slow_save(*args, **kwargs):
        time.sleep(1)
        return recorded(*args, **kwargs)

    monkeypatch.setattr(tasks, "save_as", slow_save)
    results = at_the_same_moment(
        partial(tasks.request_pack, head, term, "staff"),
        partial(tasks.request_pack, deputy, term, "staff"),
    )

    assert sorted(created for _document, created in results) == [False, True]
    assert GeneratedDocument.objects.count() == 1
