"""Load run: 50 simulated staff of a trust at once against gunicorn on 127.0.0.1.

Run from the project root:

    .venv/bin/python bench/load.py                  # PostgreSQL, then SQLite
    .venv/bin/python bench/load.py --only postgres --duration 30

For each database, builds the large trust (bench/trust.py) in a scratch database
(``bench_load`` on the PostgreSQL server of BENCH_POSTGRES_URL, or an SQLite file in a
temporary directory), serves it with gunicorn (4 sync workers, bench/settings.py), opens
each page of the journeys a few times so that every worker has loaded its templates, and
runs locust headless with the journeys of bench/locustfile.py: 20 mentors logging sessions,
10 coordinators on the queue and case pages, 15 teachers making referrals, 5 heads on
the termly reviews; 50 people, started 10 a second, for two minutes.

Targets: on PostgreSQL, no failed request and a 95th percentile of at most 300 ms over all
requests; on SQLite, no "database is locked" (counted in the server's log, where Django
logs every server error with its traceback). Exits non-zero when a target is missed.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import results, server, trust  # noqa: E402 (after the path)

HERE = Path(__file__).resolve().parent
USERS, SPAWN_RATE = 50, 10
DURATION = "2m"
TARGET_P95_MS = 300
DATABASE = "bench_load"


def plan(the_trust):
    """Who the simulated staff are: a signed-in session for each account, and what they
    work on (a coordinator's open cases, a teacher's pupils not yet referred)."""
    from django.conf import settings
    from django.urls import reverse

    from mentoring.models import Case, ClassStaff, Pupil
    from referrals.models import Referral

    busy = set(Case.objects.open().values_list("pupil_id", flat=True))
    busy |= set(
        Referral.objects.exclude(status__in=["accepted", "declined", "withdrawn"]).values_list(
            "pupil_id", flat=True
        )
    )
    the_plan = {"cookie": settings.SESSION_COOKIE_NAME}
    for role, users in the_trust.users.items():
        people = []
        for user in users:
            person = {"session": server.signed_in(user)}
            if role == "coordinator":
                cases = Case.objects.open().filter(school__staff__user=user)
                person["cases"] = [
                    reverse("case_detail", args=[pk]) for pk in cases.values_list("pk", flat=True)
                ]
            if role == "teacher":
                classes = ClassStaff.objects.filter(user=user).values("school_class_id")
                pupils = Pupil.objects.filter(school_class_id__in=classes).order_by("pk")
                person["pupils"] = [
                    pk for pk in pupils.values_list("pk", flat=True) if pk not in busy
                ]
            people.append(person)
        the_plan[role] = people
    return the_plan


def warm_up(url, the_plan, rounds=8):
    """Open every page of the journeys a few times before the run, so that each worker has
    loaded its templates: the run measures a server at work, not one starting."""
    import urllib.request

    def get(path, person):
        cookie = {"Cookie": f"{the_plan['cookie']}={person['session']}"}
        request = urllib.request.Request(url + path, headers=cookie)  # noqa: S310 (127.0.0.1)
        urllib.request.urlopen(request, timeout=120).read()  # noqa: S310

    mentor, coordinator = the_plan["mentor"][0], the_plan["coordinator"][0]
    teacher, head = the_plan["teacher"][0], the_plan["head"][0]
    for _ in range(rounds):
        get("/my-week/", mentor)
        get("/referrals/", coordinator)
        get(coordinator["cases"][0], coordinator)
        get("/referrals/mine/", teacher)
        get("/referrals/new/", teacher)
        get("/termly-reviews/", head)


def locked_errors(log_path):
    """Server errors whose traceback says "database is locked"."""
    text = Path(log_path).read_text() if Path(log_path).exists() else ""
    chunks = text.split("Internal Server Error")[1:] + text.split("Error handling request")[1:]
    return sum(1 for chunk in chunks if "database is locked" in chunk)


def run_locust(url, plan_path, csv_prefix, duration):
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(SPAWN_RATE),
        "--run-time",
        duration,
        "--host",
        url,
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "10",
    ]
    env = dict(os.environ, BENCH_LOAD_PLAN=str(plan_path))
    with open(f"{csv_prefix}.log", "w") as log:
        done = subprocess.run(command, env=env, check=False, stdout=log, stderr=log)
    if not Path(f"{csv_prefix}_stats.csv").exists():
        sys.exit(f"locust failed ({done.returncode}):\n{Path(f'{csv_prefix}.log').read_text()}")
    with open(f"{csv_prefix}_stats.csv") as file:
        rows = list(csv.DictReader(file))
    with open(f"{csv_prefix}_failures.csv") as file:
        failures = list(csv.DictReader(file))
    return rows, failures


def one_run(database_url, duration):
    """(database, stats rows, failures, locked errors, server errors, load) of one run."""
    with server.scratch_database(database_url, DATABASE) as var:
        server.setup_django()
        database = server.database_name()
        started = time.perf_counter()
        the_trust = trust.build_trust(trust.LARGE, name="Load")
        print(f"  large trust made in {time.perf_counter() - started:.0f} s on {database}")
        plan_path = var / "plan.json"
        the_plan = plan(the_trust)
        plan_path.write_text(json.dumps(the_plan))
        log = var / "gunicorn.log"
        with server.gunicorn(log) as url:
            warm_up(url, the_plan)
            rows, failures = run_locust(url, plan_path, var / "locust", duration)
        load = os.getloadavg()
        text = log.read_text() if log.exists() else ""
        return (
            database,
            rows,
            failures,
            locked_errors(log),
            text.count("Internal Server Error"),
            load,
        )


def report(label, database, rows, failures, locked, server_errors, load):
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests, failed = int(total["Request Count"]), int(total["Failure Count"])
    p95 = float(total["95%"]) if total["95%"] not in ("", "N/A") else float("nan")
    print(
        f"{label} ({database}): {requests:,} requests, {failed} failed, {server_errors} server "
        f"errors, {locked} 'database is locked'; median {total['50%']} ms, p95 {p95:.0f} ms, "
        f"{float(total['Requests/s']):.1f} requests/s; load average {load[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    print(f"  {'request':<32}{'count':>7}{'failed':>8}{'p50 ms':>8}{'p95 ms':>8}")
    for row in rows:
        if row["Name"] != "Aggregated":
            print(
                f"  {row['Name']:<32}{row['Request Count']:>7}{row['Failure Count']:>8}"
                f"{row['50%']:>8}{row['95%']:>8}"
            )
    for failure in failures[:5]:
        print(f"  failure: {failure['Name']}: {failure['Error']} ({failure['Occurrences']}x)")
    return requests, failed, p95


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=server.default_postgres())
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    parser.add_argument("--duration", default=DURATION, help="locust --run-time, e.g. 2m, 30s")
    args = parser.parse_args()

    if args.only is None:
        # One process per database: Django's settings, the database among them, are read
        # once per process.
        status = 0
        for only in ("postgres", "sqlite"):
            command = [sys.executable, __file__, "--only", only, "--duration", args.duration]
            command += ["--database-url", args.database_url]
            status |= subprocess.run(command, check=False).returncode
        return 1 if status else 0

    failed_targets = []
    print(f"{USERS} simulated staff, {args.duration}, gunicorn {server.WORKERS} workers, 127.0.0.1")
    if args.only == "postgres":
        run = one_run(args.database_url, args.duration)
        _, failed, p95 = report("PostgreSQL", *run)
        errors_ok, fast = failed == 0, p95 <= TARGET_P95_MS
        results.record("load", "PostgreSQL: failed requests", failed, "0", errors_ok)
        results.record("load", "PostgreSQL: p95 ms", round(p95), f"<= {TARGET_P95_MS}", fast, "ms")
        if not errors_ok:
            failed_targets.append(f"PostgreSQL: {failed} failed requests")
        if not fast:
            failed_targets.append(f"PostgreSQL: p95 {p95:.0f} ms (target {TARGET_P95_MS} ms)")
    if args.only == "sqlite":
        run = one_run(None, args.duration)
        _, failed, p95 = report("SQLite", *run)
        locked = run[3]
        results.record("load", "SQLite: 'database is locked'", locked, "0", locked == 0)
        results.record(
            "load", "SQLite: failed requests / p95 ms", f"{failed} / {p95:.0f}", "", None
        )
        if locked:
            failed_targets.append(f"SQLite: {locked} 'database is locked' errors")
    for message in failed_targets:
        print(f"MISSED: {message}")
    return 1 if failed_targets else 0


if __name__ == "__main__":
    sys.exit(main())
