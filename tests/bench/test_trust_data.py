"""The benchmarks' trust generator (bench/trust.py), at a tiny scale: its data is what the
pages accept, and the main pages' query counts do not grow with it."""

import pytest

from bench import pages
from bench.trust import TINY, Scale, build_trust, counts
from sessions.models import SessionRecord
from sessions.services import expected_dates

# Bigger than TINY in every way a page lists: two schools, more cases, slots, records and
# referrals, and cases that have closed.
BIGGER = Scale(schools=2, pupils=42, lanes=4, records_per_lane=30, mentors=1, queue=6)


@pytest.fixture
def trusts(db):
    return build_trust(TINY, name="Tiny"), build_trust(BIGGER, name="Bigger")


def test_the_generator_makes_a_trust_of_the_size_asked_for(trusts):
    made = counts()
    assert made["schools"] == 3
    assert made["pupils"] == 14 + 2 * 42
    assert made["open cases"] == 2 + 2 * 4
    assert made["closed cases"] > 0
    # Every lane keeps at least its share of records, the oldest case cut to fit.
    assert made["session records"] >= 2 * 16 + 2 * 4 * 30


def test_every_record_is_of_a_session_its_slot_really_had(trusts):
    for record in SessionRecord.objects.select_related("case", "slot")[:40]:
        assert record.date in expected_dates(record.case, record.slot)


def test_the_pages_show_the_generated_work(trusts, client):
    _, bigger = trusts
    from django.conf import settings

    from bench import server

    client.cookies[settings.SESSION_COOKIE_NAME] = server.signed_in(bigger.first("mentor"))
    week = client.get("/my-week/").content.decode()
    assert "Earlier sessions still to log" in week
    client.cookies[settings.SESSION_COOKIE_NAME] = server.signed_in(bigger.first("coordinator"))
    adherence = client.get("/adherence/").content.decode()
    assert "expected sessions held" in adherence


def test_query_counts_do_not_grow_with_the_data(trusts):
    tiny, bigger = trusts
    small_counts = pages.query_counts(tiny, large=False)
    large_counts = pages.query_counts(bigger, large=True)
    assert set(small_counts) >= {"Referral queue", "My week", "Case page", "Adherence"}
    for page, (queries, status) in small_counts.items():
        assert status == 200, page
        assert large_counts[page] == (queries, 200), page
