"""A mark of the data's latest change, for caching what is costly to work out.

Every change to the school's records is written to a history table (django-simple-history,
bulk imports included), so the newest entry of each history table moves whenever anything
is saved or deleted. One query reads them all: far cheaper than the figures it guards.
"""

import hashlib

from django.apps import apps
from django.db import connection
from simple_history.models import HistoricalChanges


def _history_tables():
    # A many-to-many change writes a new entry of its parent's history too.
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, HistoricalChanges) and model._meta.pk.name == "history_id"
    )


def latest_change():
    """A short text that changes whenever any recorded data changes."""
    # ORDER BY ... LIMIT 1 rather than MAX(): PostgreSQL plans forty MAX() subqueries slowly.
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT history_id FROM {quote(t)} ORDER BY history_id DESC LIMIT 1)"  # noqa: S608
        for t in _history_tables()  # table names from the models, not from anyone's input
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        newest = cursor.fetchone()
    return hashlib.sha256(repr(newest).encode()).hexdigest()[:16]
