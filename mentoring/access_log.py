"""The access log's chain: each entry's digest seals its own fields and the digest before it.

Changing an entry changes what its digest should be; removing one leaves the next entry
pointing at a digest that is no longer there. ``verify`` walks the log oldest first and
names the first entry that does not fit.

The digest is an HMAC, not a plain hash: with a plain hash, anyone able to write to the
database could edit a row and recompute every digest after it. The HMAC key is derived from
SECRET_KEY by ``salted_hmac`` with a salt of our own, so it lives with the installation's
settings (the environment, or ``var/secret_key``), never in the database, and database
access alone cannot rebuild the chain. After rotating SECRET_KEY, keep the old key in
SECRET_KEY_FALLBACKS: older entries still verify, newer ones are sealed with the new key.
Removing the newest entries leaves a shorter chain that still fits, so ``verify`` reports
the newest entry's digest for whoever keeps an eye on it to compare.
"""

import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import AccessEvent

SALT = "mentoring.access_log.chain"
# The digest before the first entry.
START = ""
# PostgreSQL advisory lock taken while the next digest is worked out: any fixed number that
# nothing else in the installation uses ("ACCLOG" in ASCII).
PG_LOCK_KEY = 0x4143434C4F47


def address_of(value):
    """The address in one spelling (PostgreSQL may write IPv6 differently), or None."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


def digest_of(event, previous, secret=None):
    fields = [
        previous,
        event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.user_id,
        event.action,
        event.username,
        event.what,
        event.school_id,
        event.pupil_id,
        address_of(event.address),
    ]
    message = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return salted_hmac(SALT, message, secret=secret, algorithm="sha256").hexdigest()


def _serialise_writers():
    """Let one writer at a time read the newest digest and add the next entry.

    PostgreSQL: an advisory lock held to the end of the transaction; the newest row is read
    after it is granted, so it sees the previous writer's committed entry. SQLite: the
    settings open every transaction with BEGIN IMMEDIATE, which already takes the database's
    write lock, so a second writer waits at the start of ``atomic``.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PG_LOCK_KEY])


def append(*, action, what="", user=None, username="", school=None, pupil=None, address=None):
    """Add one entry to the end of the chain, sealed with its digest."""
    entry = {
        "action": action,
        "what": what,
        "user": user,
        "username": username,
        "school": school,
        "pupil": pupil,
        "address": address,
    }
    return append_all([entry])[0]


def append_all(entries):
    """Add several entries (each a dict of ``append``'s arguments) to the end of the chain,
    in order, in one transaction: the newest digest is read once, under the lock, and each
    entry is sealed with the one before it, so the cost is one insert per entry."""
    entries = list(entries)
    if not entries:
        return []
    events = []
    with transaction.atomic():
        _serialise_writers()
        newest = AccessEvent.objects.order_by("-pk").values_list("digest", flat=True).first()
        previous = START if newest is None else newest
        for fields in entries:
            event = _entry(**fields)
            event.digest = digest_of(event, previous)
            event.save()
            previous = event.digest
            events.append(event)
    return events


def _entry(*, action, what="", user=None, username="", school=None, pupil=None, address=None):
    return AccessEvent(
        at=timezone.now(),
        user=user,
        action=action,
        username=username[:150],
        what=what[:200],
        school=school,
        pupil=pupil,
        address=address_of(address),
    )


@dataclass
class Verdict:
    count: int
    newest: AccessEvent | None = None
    broken: AccessEvent | None = None
    missing: tuple[int, int] | None = None  # a gap in the numbering just before ``broken``

    @property
    def intact(self):
        return self.broken is None


def _fits(event, previous, keys):
    return any(constant_time_compare(event.digest, digest_of(event, previous, k)) for k in keys)


def verify():
    """Walk the log oldest first; stop at the first entry whose digest does not fit."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    previous, last_pk, count, newest = START, None, 0, None
    for event in AccessEvent.objects.order_by("pk").iterator(chunk_size=2000):
        if not _fits(event, previous, keys):
            gap = None
            if last_pk is not None and event.pk > last_pk + 1:
                gap = (last_pk + 1, event.pk - 1)
            return Verdict(count=count, newest=newest, broken=event, missing=gap)
        previous, last_pk, newest = event.digest, event.pk, event
        count += 1
    return Verdict(count=count, newest=newest)
