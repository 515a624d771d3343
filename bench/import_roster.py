"""Benchmark the roster import: the target is 2,000 pupils imported in 5 seconds or less.

Run from the project root:

    .venv/bin/python bench/import_roster.py                       # throwaway SQLite database
    .venv/bin/python bench/import_roster.py --database-url postgres://root@127.0.0.1:5432/mentoring

SQLite runs in a fresh temporary directory. With --database-url, a scratch database
``bench_import_roster`` is created next to the one named and dropped at the end.
Exits non-zero when the first import misses the target.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from stdnum.gb import upn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PUPILS = 2000
TARGET_SECONDS = 5.0
CLASSES = ["Robins", "Wrens", "Finches", "Owls", "Kestrels", "Falcons", "Eagles"]  # R, 1-6


def roster_csv(pupils):
    """``pupils`` rows of a realistic roster file, as the bytes an upload would give."""
    rng = random.Random(2026)
    lines = [
        "upn,legal_first_name,legal_last_name,date_of_birth,year_group,class,gender,"
        "sen_status,pupil_premium,eal"
    ]
    for n in range(pupils):
        body = f"873{9000 + n // 1000:04d}26{n % 1000:03d}"  # LA 873, made-up school
        year = n % 7
        born = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{2021 - year}"
        lines.append(
            f"{upn.calc_check_digit(body)}{body},Pupil{n},Benchmark{n % 97},{born},{year or 'R'},"
            f"{CLASSES[year]},{rng.choice('FMX')},{rng.choice('NNNNK')},"
            f"{rng.choice(['yes', 'no'])},{rng.choice(['yes', 'no', 'no'])}"
        )
    return "\n".join(lines).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL server to run against instead.")
    args = parser.parse_args()

    var_dir = tempfile.TemporaryDirectory(prefix="bench-roster-")
    os.environ["VAR_DIR"] = var_dir.name
    os.environ["DJANGO_SETTINGS_MODULE"] = "mentoring.settings"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mentoring import roster
    from mentoring.models import School, SchoolClass

    if args.database_url:
        original_name = connection.settings_dict["NAME"]
        connection.settings_dict["TEST"]["NAME"] = "bench_import_roster"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        call_command("migrate", verbosity=0)
    try:
        school = School.objects.create(name="Benchmark Primary School")
        for year, name in enumerate(CLASSES):
            SchoolClass.objects.create(school=school, name=name, year_group=year)
        data = roster_csv(PUPILS)

        timings = []
        for label, expected in [("first import", "created"), ("re-import", "unchanged")]:
            start = time.perf_counter()
            result = roster.import_pupils(school=school, data=data)
            seconds = time.perf_counter() - start
            if getattr(result, expected) != PUPILS:
                sys.exit(f"{label}: {result.summary} {[str(e) for e in result.errors[:5]]}")
            timings.append((label, seconds))
        version = ".".join(map(str, connection.get_database_version()))
        database = f"{connection.display_name} {version}"
    finally:
        if args.database_url:
            connection.creation.destroy_test_db(original_name, verbosity=0)
        var_dir.cleanup()

    print(f"Roster import of {PUPILS:,} pupils ({len(data) / 1024:.0f} KB of CSV) on {database}")
    print(f"{'':<14}{'rows':>7}{'seconds':>10}{'rows/s':>10}")
    for label, seconds in timings:
        print(f"{label:<14}{PUPILS:>7,}{seconds:>10.2f}{PUPILS / seconds:>10,.0f}")
    first, again = timings[0][1], timings[1][1]
    passed = first <= TARGET_SECONDS
    print(f"Re-import takes {again / first:.0%} of the first import's time.")
    print(
        f"Target: {PUPILS:,} pupils in <= {TARGET_SECONDS:g} s: "
        f"{'PASS' if passed else 'FAIL'} ({first:.2f} s, {first / TARGET_SECONDS:.0%} of the limit)"
    )
    from results import record  # the summary table of `make bench`

    record(
        "import",
        f"{PUPILS:,} pupils, first import",
        round(first, 2),
        f"<= {TARGET_SECONDS:g}",
        passed,
        "s",
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
