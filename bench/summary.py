"""The one table at the end of ``make bench``: every figure with its target, PASS or FAIL.

    .venv/bin/python bench/summary.py var/bench/results.jsonl

Reads the figures the benchmarks recorded (bench/results.py). Exits non-zero when a figure
missed its target, or when a benchmark recorded nothing (it failed before its figures).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import results  # noqa: E402 (after the path)

BENCHMARKS = ["import", "pdf", "pack request", "sqlite writers", "pages", "load"]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BENCH_RESULTS", "")
    rows = results.read(path) if path and Path(path).exists() else []
    for missing in [b for b in BENCHMARKS if b not in {r["benchmark"] for r in rows}]:
        rows.append(
            {
                "benchmark": missing,
                "figure": "no figures recorded (see its output above)",
                "value": "-",
                "unit": "",
                "target": "",
                "passed": False,
            }
        )
    rows.sort(
        key=lambda r: BENCHMARKS.index(r["benchmark"]) if r["benchmark"] in BENCHMARKS else 99
    )
    width = max(len(r["figure"]) for r in rows)
    print(f"\n{'benchmark':<15}{'figure':<{width + 2}}{'value':>14}  {'target':<9}result")
    print("-" * (15 + width + 2 + 14 + 2 + 9 + 6))
    for r in rows:
        value = f"{r['value']}{' ' + r['unit'] if r['unit'] and r['unit'] != 'x' else ''}"
        if r["unit"] == "x":
            value = f"{r['value']}x"
        verdict = {True: "PASS", False: "FAIL", None: ""}[r["passed"]]
        print(
            f"{r['benchmark']:<15}{r['figure']:<{width + 2}}{value:>14}  {r['target']:<9}{verdict}"
        )
    missed = sum(1 for r in rows if r["passed"] is False)
    load = os.getloadavg()
    print(
        f"\n{len(rows)} figures, {missed} missed their target. "
        f"Load average at the end: {load[0]:.1f} (1 min), {load[2]:.1f} (15 min) on "
        f"{os.cpu_count()} cores."
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
