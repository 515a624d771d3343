"""Eight processes writing to one SQLite file at once finish with no "database is locked".

The project's SQLite settings (``SQLITE_OPTIONS``: IMMEDIATE transactions, a busy timeout,
WAL) are what make this hold; bench/sqlite_writers.py shows that with SQLite's default,
DEFERRED, most of the same transactions fail. This test copies its own migrated database to
a file in a temporary directory and runs that benchmark on it: 8 spawned processes, each
with the project's settings, 50 transactions each (reads, then changes saved with history).
"""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = "8 processes x 50 transactions: 400 committed, 0 locked errors"

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="about SQLite's single writer lock; PostgreSQL locks rows and never reports "
    '"database is locked"',
)


# Not wrapped in a transaction: the copy must read a database no transaction holds.
@pytest.mark.django_db(transaction=True)
def test_eight_processes_write_at_once_with_no_locked_error(tmp_path, request, capsys):
    migrated = tmp_path / "migrated.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(migrated) as copy:  # the test database, migrated as the project is
        connection.connection.backup(copy)
    copy.close()

    run = subprocess.run(  # noqa: S603 - our own benchmark, by a fixed path
        [sys.executable, "bench/sqlite_writers.py", "--database", str(migrated)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    line = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "(no output)"

    with capsys.disabled():  # on the terminal as the test runs (pytest-xdist hides it)
        print(f"\nSQLite writers: {line}")
    print(f"SQLite writers: {line}")  # in the report's captured output: -rP shows it anywhere
    request.node.user_properties.append(("sqlite-writers", line))
    assert run.returncode == 0 and line.startswith(EXPECTED), f"{line}\n{run.stderr[-3000:]}"
