"""Two heads asking for the same pack at the same moment: one pack is made, not two."""

import threading
import time

import pytest
from django.db import connection, connections

from mentoring.models import Role
from reviews.models import GeneratedDocument
from reviews.views import pack as pack_views

from ..factories import TermFactory, staff

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
    recorded = pack_views.save_as

    def slow_save(*args, **kwargs):
        time.sleep(1)
        return recorded(*args, **kwargs)

    monkeypatch.setattr(pack_views, "save_as", slow_save)
    start = threading.Barrier(2)
    created = {}

    def ask(i, user):
        try:
            start.wait()
            created[i] = pack_views.request_pack(user, term, "staff")[1]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(i, u)) for i, u in enumerate((head, deputy))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(created.values()) == [False, True]
    assert GeneratedDocument.objects.count() == 1
