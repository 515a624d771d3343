"""Benchmark the main pages: queries at small and large data, and latency under gunicorn.

Run from the project root:

    .venv/bin/python bench/pages.py                     # PostgreSQL (BENCH_POSTGRES_URL)
    .venv/bin/python bench/pages.py --sqlite            # a throwaway SQLite database

Builds, in a scratch database ``bench`` (dropped at the end), a small trust (one school, a
few cases) and a large one (10 schools, 3,000 pupils, 300 open cases, 30,000 session
records: bench/trust.py). For each main page, signed in as the member of staff who uses it
(the coordinator of the first school, its first mentor, its head):

- the number of queries at small and at large data, through the whole middleware stack in
  this process (target: equal, so that no page costs a query per row);
- the 50th and 95th percentile of its response time served by gunicorn (4 workers) over
  127.0.0.1 at large data, each divided by the same figure of a trivial page that passes
  through the same middleware on the same server in the same run (target: 95th percentile
  <= 3x the trivial page's). The pages are asked for one at a time, in a shuffled order
  each round, so that load from other processes falls on all of them alike.

Exits non-zero when a target is missed. The dashboard is included once its URL exists.
"""

import argparse
import http.client
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import results, server, trust  # noqa: E402 (after the path)

ROUNDS = 30
WARM_UP = 3
TARGET_RATIO = 3.0
DATABASE = "bench"

# (page, role of the user who opens it, URL name, needs a case)
PAGES = [
    ("Referral queue", "coordinator", "referral_queue", False),
    ("My week", "mentor", "my_week", False),
    ("Case page", "coordinator", "case_detail", True),
    ("Adherence", "coordinator", "adherence", False),
    ("Reviews due", "coordinator", "review_lists", False),
    ("Dashboard", "head", "dashboard", False),
]


def page_url(url_name, case_id):
    """The page's path, or None while the page does not exist yet."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(url_name, args=[case_id] if case_id else [])
    except NoReverseMatch:
        return None


def busiest_open_case(the_trust, most):
    """The open case of the first school with the most (or fewest) session records."""
    from django.db.models import Count

    from mentoring.models import Case

    cases = Case.objects.filter(pk__in=the_trust.open_cases, school=the_trust.schools[0])
    cases = cases.annotate(n=Count("session_records")).order_by("-n" if most else "n", "pk")
    return cases.values_list("pk", flat=True).first()


def targets(the_trust, large):
    """{page: (user, path or None)} for the trust's first school."""
    case_id = busiest_open_case(the_trust, most=large)
    return {
        page: (the_trust.first(role), page_url(url_name, case_id if needs_case else None))
        for page, role, url_name, needs_case in PAGES
    }


def query_counts(the_trust, large):
    """{page: (queries, status)} of one request of each page, after a warm-up request."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for page, (user, path) in targets(the_trust, large).items():
        if path is None:
            continue
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = server.signed_in(user)
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        counts[page] = (len(queries), response.status_code)
    return counts


def timed_get(base_url, path, session_key):
    """Milliseconds to fetch ``path`` in full over a new connection, and the status."""
    from django.conf import settings

    host, port = base_url.removeprefix("http://").split(":")
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    connection.request(
        "GET", path, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"}
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    return (time.perf_counter() - started) * 1000, response.status


def latencies(base_url, pages, rounds, seed=2026):
    """{page: [ms]} over ``rounds`` shuffled rounds, after a few rounds of warm-up."""
    rng = random.Random(seed)
    times = {page: [] for page in pages}
    order = list(pages)
    for n in range(WARM_UP + rounds):
        rng.shuffle(order)
        for page in order:
            path, key = pages[page]
            ms, status = timed_get(base_url, path, key)
            if status != 200:
                raise SystemExit(f"{page} ({path}) answered {status}, not 200.")
            if n >= WARM_UP:
                times[page].append(ms)
    return times


def p95(values):
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=server.default_postgres())
    parser.add_argument("--sqlite", action="store_true", help="Run on SQLite instead.")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()

    with server.scratch_database(None if args.sqlite else args.database_url, DATABASE) as var:
        server.setup_django()
        database = server.database_name()
        started = time.perf_counter()
        small = trust.build_trust(trust.SMALL, name="Small")
        large = trust.build_trust(trust.LARGE, name="Large")
        made = trust.counts()
        print(
            f"Data made in {time.perf_counter() - started:.0f} s on {database}: "
            + ", ".join(f"{n:,} {what}" for what, n in made.items())
        )
        counts_small = query_counts(small, large=False)
        counts_large = query_counts(large, large=True)

        pages = {}
        for page, (user, path) in targets(large, large=True).items():
            if path is not None:
                pages[page] = (path, server.signed_in(user))
        pages["Trivial page"] = ("/bench/trivial/", server.signed_in(large.first("coordinator")))
        with server.gunicorn(var / "gunicorn.log") as url:
            times = latencies(url, pages, args.rounds)
        load = os.getloadavg()

    trivial = times.pop("Trivial page")
    floor50, floor95 = statistics.median(trivial), p95(trivial)
    print(
        f"\nLarge data, {database}; gunicorn, {server.WORKERS} workers, 127.0.0.1; "
        f"{args.rounds} requests a page; load average {load[0]:.1f} on {os.cpu_count()} cores."
    )
    print(f"Trivial page: p50 {floor50:.1f} ms, p95 {floor95:.1f} ms")
    print(
        f"{'page':<16}{'queries small':>14}{'large':>7}  {'p50 ms':>8}{'x':>6}  {'p95 ms':>8}"
        f"{'x':>6}  targets: equal queries, p95 <= {TARGET_RATIO:g}x"
    )
    results.record("pages", "trivial page p50 / p95 ms", f"{floor50:.1f} / {floor95:.1f}", "", None)
    failed = []
    for page, _, _, _ in PAGES:
        if page not in times:
            print(f"{page:<16}not built yet")
            results.record("pages", f"{page}", "not built yet", "", None)
            continue
        (small_n, small_status), (large_n, large_status) = counts_small[page], counts_large[page]
        statuses_ok = small_status == large_status == 200
        equal = small_n == large_n and statuses_ok
        p50_ms, p95_ms = statistics.median(times[page]), p95(times[page])
        ratio50, ratio95 = p50_ms / floor50, p95_ms / floor95
        fast = ratio95 <= TARGET_RATIO
        verdict = f"{'PASS' if equal else 'FAIL'}, {'PASS' if fast else 'FAIL'}"
        print(
            f"{page:<16}{small_n:>14}{large_n:>7}  {p50_ms:>8.1f}{ratio50:>6.1f}  {p95_ms:>8.1f}"
            f"{ratio95:>6.1f}  {verdict}"
        )
        queries = f"{small_n} / {large_n}"
        if not statuses_ok:
            queries += f" (status {small_status} / {large_status})"
        results.record("pages", f"{page}: queries small / large", queries, "equal", equal)
        results.record("pages", f"{page}: p50 x trivial", round(ratio50, 1), "", None, "x")
        results.record(
            "pages", f"{page}: p95 x trivial", round(ratio95, 1), f"<= {TARGET_RATIO:g}", fast, "x"
        )
        if not equal:
            failed.append(f"{page}: {small_n} queries at small data, {large_n} at large")
        if not fast:
            failed.append(
                f"{page}: p95 {ratio95:.1f}x the trivial page's (target {TARGET_RATIO:g}x)"
            )
    for message in failed:
        print(f"MISSED: {message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
