"""Many writers on one SQLite file: no "database is locked".

Run from the project root:

    .venv/bin/python bench/sqlite_writers.py
    .venv/bin/python bench/sqlite_writers.py --transaction-mode DEFERRED   # SQLite's default

Makes a throwaway SQLite database in a fresh temporary directory, migrates it, then starts
8 operating-system processes (spawned, each with its own Django and its own connection, as
the web server's workers and the task worker have) that each run 50 write transactions
through the ORM at the same moment: read the school's rooms, then change one room and a
room shared by all, each change saved with its history. Every process uses the project's
settings as they are (``SQLITE_OPTIONS``: IMMEDIATE transactions, a 20-second busy timeout,
WAL). Prints, for example:

    8 processes x 50 transactions: 400 committed, 0 locked errors in 3.1 s

and exits non-zero unless every transaction committed with no "database is locked" error.
With ``--transaction-mode DEFERRED`` the same run shows what the setting prevents: a
transaction that reads first and then writes cannot wait for the lock, so it fails at once.
"""

import argparse
import contextlib
import multiprocessing
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 8
TRANSACTIONS = 50


@dataclass
class Result:
    processes: int
    transactions: int
    committed: int
    locked: int
    other_errors: list
    rows: int  # changes found in the database afterwards, from the rooms' history
    seconds: float

    @property
    def ok(self):
        expected = self.processes * self.transactions
        return self.committed == self.rows == expected and not self.locked and not self.other_errors

    @property
    def line(self):
        line = (
            f"{self.processes} processes x {self.transactions} transactions: {self.committed} "
            f"committed, {self.locked} locked errors in {self.seconds:.1f} s"
        )
        if self.other_errors:
            line += f"; {len(self.other_errors)} other errors, first: {self.other_errors[0]}"
        return line


def _django(database, var_dir):
    """Set up Django in this process on ``database``, with the project's settings."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "mentoring.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["VAR_DIR"] = str(var_dir)
    import django

    django.setup()


def _writer(number, database, var_dir, transactions, transaction_mode, start, results):
    """One process: its own room, then ``transactions`` transactions once all are ready."""
    _django(database, var_dir)
    from django.db import OperationalError, connection, transaction

    from mentoring.audit import save_as
    from mentoring.models import Room, School

    committed, locked, errors = 0, 0, []
    try:
        with transaction.atomic():  # the writers set up one at a time (IMMEDIATE)
            school, _ = School.objects.get_or_create(name="Writers' Primary School")
            shared, _ = Room.objects.get_or_create(school=school, name="Hall")
            room = Room.objects.create(school=school, name=f"Room {number}")
    except Exception as exc:  # noqa: BLE001 - reported, not raised, so the run can count it
        results.put((number, 0, 0, [f"set-up: {exc}"]))
        start.abort()
        return
    if transaction_mode:  # a comparison run: from here on, transactions begin this way
        connection.transaction_mode = transaction_mode
    try:
        start.wait()
    except threading.BrokenBarrierError:
        results.put((number, 0, 0, ["not run: another writer failed its set-up"]))
        return
    for n in range(transactions):
        try:
            with transaction.atomic():
                rooms = list(Room.objects.filter(school=school).order_by("pk"))  # a read first
                mine = next(r for r in rooms if r.pk == room.pk)
                mine.notes = f"Transaction {n + 1} of writer {number}"
                save_as(mine, None, "Benchmark write")
                hall = Room.objects.get(pk=shared.pk)
                hall.notes = f"Last written by writer {number} ({len(rooms)} rooms)"
                save_as(hall, None, "Benchmark write")
            committed += 1
        except OperationalError as exc:
            if "locked" in str(exc):
                locked += 1
            else:
                errors.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - counted and shown, not hidden
            errors.append(f"{type(exc).__name__}: {exc}")
    results.put((number, committed, locked, errors))


def _migrate(database, var_dir):
    _django(database, var_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _in_process(target, *args):
    """Run ``target`` in a fresh spawned process (Django is set up once per process)."""
    process = multiprocessing.get_context("spawn").Process(target=target, args=args)
    process.start()
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"{target.__name__} failed with exit code {process.exitcode}")


def run(database, *, processes=PROCESSES, transactions=TRANSACTIONS, transaction_mode=None):
    """Run the writers on ``database`` (an SQLite file already migrated) and count."""
    database = Path(database)
    var_dir = database.parent
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes + 1)
    results = context.Queue()
    workers = [
        context.Process(
            target=_writer,
            args=(n + 1, database, var_dir, transactions, transaction_mode, start, results),
        )
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    # Every writer has set up Django and made its room; or one failed, and each says so.
    with contextlib.suppress(threading.BrokenBarrierError):
        start.wait(timeout=120)
    began = time.perf_counter()
    outcomes = [results.get(timeout=300) for _ in workers]
    seconds = time.perf_counter() - began
    for worker in workers:
        worker.join(timeout=30)
    with sqlite3.connect(database) as db:
        (rows,) = db.execute(
            "SELECT COUNT(*) FROM mentoring_historicalroom "
            "WHERE history_type = '~' AND history_change_reason = 'Benchmark write' "
            "AND name != 'Hall'"
        ).fetchone()
    return Result(
        processes=processes,
        transactions=transactions,
        committed=sum(o[1] for o in outcomes),
        locked=sum(o[2] for o in outcomes),
        other_errors=[e for o in outcomes for e in o[3]],
        rows=rows,
        seconds=seconds,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=PROCESSES)
    parser.add_argument("--transactions", type=int, default=TRANSACTIONS)
    parser.add_argument(
        "--transaction-mode",
        choices=["DEFERRED", "IMMEDIATE", "EXCLUSIVE"],
        help="Override the project's setting, to compare (the project uses IMMEDIATE).",
    )
    parser.add_argument(
        "--database",
        type=Path,
        help="Copy this SQLite file, already migrated, instead of migrating a new one "
        "(the test suite passes a copy of its own migrated database).",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-writers-") as var_dir:
        database = Path(var_dir) / "writers.sqlite3"
        if args.database:
            shutil.copyfile(args.database, database)
        else:
            _in_process(_migrate, database, var_dir)
        result = run(
            database,
            processes=args.processes,
            transactions=args.transactions,
            transaction_mode=args.transaction_mode,
        )
    print(result.line)
    sys.path.insert(0, str(ROOT / "bench"))
    from results import record  # the summary table of `make bench`

    record("sqlite writers", "'database is locked'", result.locked, "0", result.locked == 0)
    committed = f"{result.committed} / {result.processes * result.transactions}"
    record("sqlite writers", "transactions committed", committed, "all", result.ok)
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
